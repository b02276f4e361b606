package io.cairn.repository.backup;

import com.fasterxml.jackson.databind.JsonNode;
import io.cairn.repository.index.DiskIndex;
import io.cairn.repository.manifest.Manifest;
import java.util.List;
import java.util.Map;

/**
 * What to back up: a VM's identity, disks and configuration documents.
 *
 * @param parent id of the backup that {@code base} indexes come from, or null
 */
public record BackupRequest(
        Manifest.VmIdentity vm,
        String source,
        Map<String, String> labels,
        JsonNode config,
        Manifest.EncryptionInfo encryption,
        List<DiskInput> disks,
        List<FileInput> files,
        String parent,
        List<String> warnings) {

    public BackupRequest {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        disks = List.copyOf(disks);
        files = files == null ? List.of() : List.copyOf(files);
        warnings = warnings == null ? List.of() : List.copyOf(warnings);
    }

    /** A backup without warnings. */
    public BackupRequest(
            Manifest.VmIdentity vm,
            String source,
            Map<String, String> labels,
            JsonNode config,
            Manifest.EncryptionInfo encryption,
            List<DiskInput> disks,
            List<FileInput> files,
            String parent) {
        this(vm, source, labels, config, encryption, disks, files, parent, List.of());
    }

    /**
     * One disk. With {@code base} and {@code changedAreas} the backup is incremental: chunks outside
     * the changed areas are taken from {@code base} without reading the source. Without them every
     * chunk is read, and only chunks the repository lacks are stored.
     */
    public record DiskInput(DiskSource source, DiskIndex base, List<Extent> changedAreas, String changeId) {
        public static DiskInput full(DiskSource source) {
            return new DiskInput(source, null, null, null);
        }
    }

    /** A configuration document: {@code role} is vmx, config-info, nvram, encryption-bundle or other. */
    public record FileInput(String role, String name, byte[] content) {}
}
