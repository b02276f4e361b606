package io.cairn.repository;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.cairn.repository.format.FormatConstants;

/**
 * The {@code config} document: fixed at {@code init}, plain JSON, never encrypted. In an encrypted
 * repository {@code mac} authenticates the rest of it with the id key (see
 * {@link io.cairn.repository.crypto.DataKeys#configMac}), so whoever can write the storage cannot
 * switch encryption off or change the chunk size unnoticed.
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
        String mac) {

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Compression(String algorithm, int level) {}

    /** Version 2's content-defined chunker (docs/repository-format.md); absent in version 1. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ChunkerConfig(String algorithm, int align, int min, int avg, int max) {}

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
