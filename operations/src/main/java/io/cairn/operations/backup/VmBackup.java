package io.cairn.operations.backup;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cairn.operations.disk.DiskOpener;
import io.cairn.operations.disk.HttpsDiskSource;
import io.cairn.operations.job.Job;
import io.cairn.operations.job.JobLog;
import io.cairn.repository.Repository;
import io.cairn.repository.backup.BackupRequest;
import io.cairn.repository.backup.BackupWriter;
import io.cairn.repository.backup.DiskSource;
import io.cairn.repository.backup.Extent;
import io.cairn.repository.format.FormatConstants;
import io.cairn.repository.index.DiskIndex;
import io.cairn.repository.manifest.Manifest;
import io.cairn.vsphere.backup.BackupSnapshot;
import io.cairn.vsphere.backup.Snapshots;
import io.cairn.vsphere.config.ConfigSummary;
import io.cairn.vsphere.connect.VsphereConnection;
import io.cairn.vsphere.connect.VsphereException;
import io.cairn.vsphere.inventory.VmInfo;
import io.cairn.vsphere.task.TaskLog;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Backs up one vCenter or ESXi VM: the snapshot's steps on the vSphere side
 * ({@link BackupSnapshot}: privileges, leftovers, CBT, snapshot, removed at the end, also when
 * anything failed), each disk read over https or the chosen VDDK transport (only the changed areas
 * when changed block tracking allows it), the disk metadata, keyId, {@code encryption.bundle} and
 * NVRAM kept, and the backup committed. The snapshot is named after the job ({@code
 * cairn-backup-<job id>}). The VM's previous backup, the base of changed-block incrementals, is
 * chosen and its indexes read under the repository's shared lock, which is held to the commit, so
 * no gc can free the base's chunks in between.
 */
public final class VmBackup {

    /**
     * @param quiesce ask VMware Tools to quiesce the guest (falls back to a crash-consistent
     *        snapshot, labelled so, when the guest cannot be quiesced)
     * @param enableCbt turn on changed block tracking when it is off (takes effect with this snapshot)
     * @param transport how disks are read; null for {@code https}
     */
    public record Options(
            boolean quiesce,
            boolean enableCbt,
            int threads,
            Duration lockWait,
            Map<String, String> labels,
            DiskOpener transport) {
        public Options {
            labels = labels == null ? Map.of() : Map.copyOf(labels);
        }
    }

    private final VsphereConnection c;
    private final Repository repo;
    private final Options options;
    private final Job job;

    public VmBackup(VsphereConnection c, Repository repo, Options options, Job job) {
        this.c = c;
        this.repo = repo;
        this.options = options;
        this.job = job;
    }

    /** The repository identity of a VM: vCenter instanceUuid / VM instanceUuid. */
    public static String identity(VsphereConnection c, VmInfo vm) throws VsphereException {
        return c.instanceUuid() + "/" + vm.instanceUuid();
    }

    public BackupWriter.Result run(VmInfo vm) throws IOException {
        TaskLog log = new JobLog(job);
        refuseCiphertext(vm, BackupSnapshot.keyIdOf(c, vm));
        BackupSnapshot.checkPrivileges(c, vm, log);
        job.checkCancelled();
        BackupSnapshot.removeLeftovers(c, vm, log);
        if (options.transport() == null) {
            List<String> own = BackupSnapshot.ownSnapshots(c, vm);
            if (!own.isEmpty()) {
                // its base disks, which https reads, hold the state before them
                throw new VsphereException(vm.name() + " has snapshots of its own (" + String.join(", ", own)
                        + "): its disks are deltas and the https transport reads flat base files only; remove or"
                        + " consolidate them, or back up with --transport nbd, nbdssl, hotadd or san (VMware's VDDK)");
            }
        }
        if (options.enableCbt()) {
            BackupSnapshot.enableCbt(c, vm, log);
        }
        String name = Snapshots.PREFIX + "backup-" + job.id();
        String description = "cairn backup " + job.id() + "; cairn removes it when the backup ends";
        Map<String, String> labels = new LinkedHashMap<>(options.labels());
        labels.put(
                "transport",
                options.transport() == null ? "https" : options.transport().name());
        try (BackupSnapshot snap = BackupSnapshot.take(c, vm, name, description, options.quiesce(), log)) {
            labels.put("consistency", snap.quiesced() ? "quiesced" : "crash");
            // encrypted between the check and the snapshot: the snapshot's configuration decides
            refuseCiphertext(vm, snap.keyId());
            return backupFromSnapshot(vm, snap, labels);
        }
    }

    /**
     * An encrypted VM's disks hold ciphertext in the datastore: read over https (datastore files)
     * cairn would store ciphertext that no restore can decrypt, and unencrypted NBD and SAN are not
     * allowed for them. VMware's VDDK reads them decrypted by the host only over NBDSSL or HotAdd.
     */
    private void refuseCiphertext(VmInfo vm, String keyId) throws VsphereException {
        String transport =
                options.transport() == null ? "https" : options.transport().name();
        if (keyId != null && !transport.equals("nbdssl") && !transport.equals("hotadd")) {
            throw new VsphereException(vm.name() + " is encrypted (key " + keyId + "): over " + transport
                    + " its disks would be read as ciphertext; back it up with --transport nbdssl or hotadd"
                    + " (VMware's VDDK, --vddk DIR)");
        }
    }

    private BackupWriter.Result backupFromSnapshot(VmInfo vm, BackupSnapshot snap, Map<String, String> labels)
            throws IOException {
        job.checkCancelled();
        List<BackupSnapshot.Disk> disks = snap.disks();
        String identity = identity(c, vm);
        List<String> warnings = new ArrayList<>(snap.warnings());
        Map<Integer, String> backupDiskByKey = new LinkedHashMap<>();
        Map<Integer, String> skippedByKey = new LinkedHashMap<>();
        for (BackupSnapshot.Disk d : disks) {
            if (d.access() == BackupSnapshot.Access.VDDK && options.transport() == null) {
                throw new VsphereException(d.why());
            }
        }
        warnings.forEach(w -> job.log("warning: " + w));
        List<DiskSource> sources = new ArrayList<>();
        // The lock before the base: no gc between choosing the previous backup and the commit.
        try (BackupWriter.Session session =
                new BackupWriter(repo, options.threads(), job.progress(), options.lockWait()).begin()) {
            Repository.Listed previous = repo.latestOf(identity);
            Map<String, Integer> previousDisks = previous == null
                    ? Map.of()
                    : ConfigSummary.backupDisks(previous.manifest().config());
            List<BackupRequest.DiskInput> inputs = new ArrayList<>();
            for (BackupSnapshot.Disk d : disks) {
                if (d.access() == BackupSnapshot.Access.NONE) {
                    job.log("warning: " + d.why());
                    warnings.add(d.why());
                    skippedByKey.put(d.key(), d.why());
                    continue;
                }
                // a VDDK transport reads the disk as of the snapshot, through any chain of deltas
                DiskSource src = options.transport() != null
                        ? options.transport().open(vm, snap.moRef(), d.fileName(), d.capacity())
                        : new HttpsDiskSource(snap.openHttps(d));
                sources.add(src);
                String manifestKey = FormatConstants.DISK_KEY_PREFIX + inputs.size();
                backupDiskByKey.put(d.key(), manifestKey);
                inputs.add(input(snap, d, src, previous, previousKey(d, previousDisks)));
            }
            if (inputs.isEmpty()) {
                throw new VsphereException("every disk of " + vm.name() + " is left out ("
                        + String.join("; ", skippedByKey.values()) + "): nothing to back up");
            }
            List<BackupRequest.FileInput> files = new ArrayList<>();
            for (BackupSnapshot.File f : snap.files()) {
                files.add(new BackupRequest.FileInput(role(f.kind()), f.name(), f.content()));
            }
            ObjectNode summary = snap.configSummary();
            ConfigSummary.recordBackupDisks(summary, backupDiskByKey, skippedByKey);
            String keyId = snap.keyId();
            BackupRequest req = new BackupRequest(
                    new Manifest.VmIdentity(identity, vm.name(), vm.instanceUuid(), c.instanceUuid()),
                    snap.source(),
                    labels,
                    summary,
                    keyId == null ? null : new Manifest.EncryptionInfo(keyId),
                    inputs,
                    files,
                    previous != null && inputs.stream().anyMatch(in -> in.base() != null)
                            ? previous.ref().id()
                            : null,
                    warnings);
            job.checkCancelled();
            return session.write(req);
        } finally {
            for (DiskSource s : sources) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // nothing to release that matters after the backup
                }
            }
            if (options.transport() != null) {
                cleanup(vm);
            }
        }
    }

    /**
     * VixDiskLib_Cleanup once the disks are closed and before the snapshot is removed (VMware:
     * "HotAdded disks should be released with VixDiskLib_Cleanup() before snapshot delete"). A
     * failure is logged, not thrown: the backup is complete, and the snapshot removal that follows
     * reports what it leaves.
     */
    private void cleanup(VmInfo vm) {
        try {
            options.transport().disksClosed(vm);
        } catch (IOException | RuntimeException e) {
            job.log("warning: VixDiskLib_Cleanup for " + vm.name() + " failed: " + e.getMessage());
        }
    }

    /**
     * The previous backup's manifest key of disk {@code d}: by device key where that backup recorded
     * which disk became which, else by backup order (backups made before disks could be skipped).
     */
    private static String previousKey(BackupSnapshot.Disk d, Map<String, Integer> previousDisks) {
        if (previousDisks.isEmpty()) {
            return FormatConstants.DISK_KEY_PREFIX + d.index();
        }
        for (Map.Entry<String, Integer> e : previousDisks.entrySet()) {
            if (e.getValue() == d.key()) {
                return e.getKey();
            }
        }
        return null;
    }

    /**
     * A disk's input: incremental from the previous backup's changeId when changed block tracking
     * answers for it, full otherwise (first backup, changeId reset, disk resized, no CBT).
     */
    private BackupRequest.DiskInput input(
            BackupSnapshot snap, BackupSnapshot.Disk d, DiskSource src, Repository.Listed previous, String previousKey)
            throws IOException {
        long capacity = src.capacity();
        if (d.changeId() == null) {
            return new BackupRequest.DiskInput(src, null, null, null);
        }
        Manifest.DiskEntry before = previous == null || previousKey == null
                ? null
                : previous.manifest().disks().stream()
                        .filter(e -> e.key().equals(previousKey))
                        .findFirst()
                        .orElse(null);
        String why = Incremental.whyFull(before, capacity);
        if (why != null) {
            job.log(d.label() + ": full read (" + why + ")");
            List<Extent> used = extents(snap.changedAreas(d, capacity, "*"));
            return new BackupRequest.DiskInput(used == null ? src : new Allocated(src, used), null, null, d.changeId());
        }
        List<Extent> changed = extents(snap.changedAreas(d, capacity, before.changeId()));
        if (changed == null) {
            job.log(d.label() + ": full read (the change tracking chain is broken or not available)");
            return new BackupRequest.DiskInput(src, null, null, d.changeId());
        }
        DiskIndex base = repo.readIndex(previous.ref(), before);
        job.log(d.label() + ": " + changed.size() + " changed areas since changeId " + before.changeId());
        return new BackupRequest.DiskInput(src, base, changed, d.changeId());
    }

    /** The manifest's role of a kept file (docs/repository-format.md, "Manifest"). */
    static String role(BackupSnapshot.File.Kind kind) {
        return switch (kind) {
            case CONFIG_INFO -> FormatConstants.FILE_ROLE_CONFIG_INFO;
            case VMX -> FormatConstants.FILE_ROLE_VMX;
            case NVRAM -> FormatConstants.FILE_ROLE_NVRAM;
            case ENCRYPTION_BUNDLE -> FormatConstants.FILE_ROLE_ENCRYPTION_BUNDLE;
        };
    }

    private static List<Extent> extents(List<BackupSnapshot.Area> areas) {
        return areas == null
                ? null
                : areas.stream().map(a -> new Extent(a.offset(), a.length())).toList();
    }

    /** A source whose allocated areas are what CBT's "*" query reported. */
    private static final class Allocated implements DiskSource {
        private final DiskSource src;
        private final List<Extent> used;

        Allocated(DiskSource src, List<Extent> used) {
            this.src = src;
            this.used = List.copyOf(used);
        }

        @Override
        public String name() {
            return src.name();
        }

        @Override
        public long capacity() throws IOException {
            return src.capacity();
        }

        @Override
        public void read(long offset, byte[] buf, int off, int len) throws IOException {
            src.read(offset, buf, off, len);
        }

        @Override
        public Map<String, String> metadata() throws IOException {
            return src.metadata();
        }

        @Override
        public List<Extent> allocatedAreas() {
            return used;
        }

        @Override
        public void finish() throws IOException {
            src.finish();
        }

        @Override
        public void close() throws IOException {
            src.close();
        }
    }
}
