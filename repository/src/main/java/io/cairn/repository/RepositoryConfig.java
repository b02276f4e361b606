package io.cairn.repository;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.cairn.repository.format.FormatConstants;

/**
 * The {@code config} document: fixed at {@code init}, plain JSON, never encrypted. In an encrypted
 * repository {@code mac} authenticates the rest of it with the id key (see
 * {@link io.cairn.repository.crypto.DataKeys#configMac}), so whoever can write the storage cannot
 * switch encryption off or change the chunk size unnoticed.
 *
 * <p>{@code objectLock} (absent unless the repository was created with it, on an S3 bucket with
 * Object Lock): how long the store must refuse to delete or overwrite what a backup writes.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record RepositoryConfig(
        String format,
        int version,
        String id,
        String created,
        int chunkSize,
        Compression compression,
        ChunkerConfig chunker,
        String encryption,
        String mac,
        ObjectLock objectLock) {

    /** A config without Object Lock (every repository but one made with {@code --object-lock}). */
    public RepositoryConfig(
            String format,
            int version,
            String id,
            String created,
            int chunkSize,
            Compression compression,
            String encryption,
            String mac) {
        this(format, version, id, created, chunkSize, compression, null, encryption, mac, null);
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Compression(String algorithm, int level) {}

    /** Version 2's content-defined chunker (docs/repository-format.md); absent in version 1. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ChunkerConfig(String algorithm, int align, int min, int avg, int max) {}

    /**
     * S3 Object Lock retention for what backups write: each chunk, index, manifest and key file is
     * retained in {@code mode} until at least {@code days} days after it was written or last reused
     * (docs/object-store.md). Only {@link FormatConstants#OBJECT_LOCK_GOVERNANCE} and
     * {@link FormatConstants#OBJECT_LOCK_COMPLIANCE} exist.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ObjectLock(String mode, int days) {
        /** Ten years: a longer retention is a typing mistake, and it could never be undone. */
        public static final int MAX_DAYS = 3653;

        public ObjectLock {
            if (!FormatConstants.OBJECT_LOCK_GOVERNANCE.equals(mode)
                    && !FormatConstants.OBJECT_LOCK_COMPLIANCE.equals(mode)) {
                throw new IllegalArgumentException("object lock mode must be '" + FormatConstants.OBJECT_LOCK_GOVERNANCE
                        + "' or '" + FormatConstants.OBJECT_LOCK_COMPLIANCE + "', not '" + mode + "'");
            }
            if (days < 1 || days > MAX_DAYS) {
                throw new IllegalArgumentException(
                        "object lock retention must be 1 to " + MAX_DAYS + " days, not " + days);
            }
        }
    }

    public boolean encrypted() {
        return FormatConstants.CONFIG_ENCRYPTION_AES256_GCM.equals(encryption);
    }

    /** @throws IllegalArgumentException naming the rule a chunk size breaks */
    public static void validateChunkSize(long size) {
        if (size < FormatConstants.MIN_CHUNK_SIZE
                || size > FormatConstants.MAX_CHUNK_SIZE
                || Long.bitCount(size) != 1) {
            throw new IllegalArgumentException("chunk size must be a power of two between 256K and 8M, not " + size);
        }
    }
}
