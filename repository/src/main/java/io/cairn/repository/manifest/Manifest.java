package io.cairn.repository.manifest;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import io.cairn.repository.format.FormatConstants;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * One VM at one point in time: the commit point of a backup. Field by field in
 * docs/repository-format.md ("Manifest"). Times are ISO-8601 strings so the JSON stays plain.
 * {@code warnings} (one line each: a disk left out, something the backup could not hold) is written
 * only when there is one, so a backup without any reads the same in every version.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Manifest(
        int version,
        String id,
        String time,
        String completed,
        VmIdentity vm,
        String source,
        Map<String, String> labels,
        int chunkSize,
        String parent,
        JsonNode config,
        EncryptionInfo encryption,
        List<DiskEntry> disks,
        List<FileEntry> files,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> warnings) {

    public Manifest {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        disks = disks == null ? List.of() : List.copyOf(disks);
        files = files == null ? List.of() : List.copyOf(files);
        warnings = warnings == null ? List.of() : List.copyOf(warnings);
    }

    @JsonIgnore
    public Instant instant() {
        return Instant.parse(time);
    }

    /** Sum of disk capacities and file sizes: what a full restore writes. */
    @JsonIgnore
    public long logicalBytes() {
        long n = 0;
        for (DiskEntry d : disks) {
            n += d.capacity();
        }
        for (FileEntry f : files) {
            n += f.size();
        }
        return n;
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record VmIdentity(String identity, String name, String instanceUuid, String vcenterUuid) {

        /**
         * The identity of a VM that has no UUID of its own (a raw image or VMDK file): the name-based
         * (version 3) UUID of {@link FormatConstants#FILE_VM_IDENTITY_PREFIX} + {@code vmName}, so every
         * backup under one name lands under one {@code backups/<vm key>/} and finds its predecessor.
         * Persisted: the same name must give the same identity in every cairn version.
         */
        public static String ofFile(String vmName) {
            return UUID.nameUUIDFromBytes(
                            (FormatConstants.FILE_VM_IDENTITY_PREFIX + vmName).getBytes(StandardCharsets.UTF_8))
                    .toString();
        }
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record EncryptionInfo(String keyId) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record DiskEntry(
            String key,
            String name,
            long capacity,
            String index,
            String indexSha256,
            Map<String, String> metadata,
            String changeId,
            DiskStats stats) {
        public DiskEntry {
            metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
        }
    }

    /** What one disk's backup did: chunks in total, all-zero, read from the source, newly stored. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record DiskStats(
            long chunks, long zeroChunks, long readChunks, long newChunks, long newBytes, long storedBytes) {}

    /** A configuration document (vmx, ConfigInfo XML, NVRAM, encryption bundle), stored as chunks. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record FileEntry(String role, String name, long size, String sha256, List<String> chunks) {
        public FileEntry {
            chunks = chunks == null ? List.of() : List.copyOf(chunks);
        }
    }
}
