package io.cairn.operations.restore;

import io.cairn.operations.disk.DiskWriter;
import io.cairn.operations.job.Job;
import io.cairn.operations.job.JobLog;
import io.cairn.repository.Repository;
import io.cairn.repository.backup.DiskOutput;
import io.cairn.repository.backup.Progress;
import io.cairn.repository.backup.Restorer;
import io.cairn.repository.error.CorruptObjectException;
import io.cairn.repository.format.FormatConstants;
import io.cairn.repository.index.DiskIndex;
import io.cairn.repository.manifest.Manifest;
import io.cairn.vixmntbridge.vddk.Placement;
import io.cairn.vixmntbridge.vddk.Transport;
import io.cairn.vixmntbridge.vmdk.DiskDatabase;
import io.cairn.vsphere.backup.BackupSnapshot;
import io.cairn.vsphere.config.ConfigSummary;
import io.cairn.vsphere.connect.VsphereConnection;
import io.cairn.vsphere.connect.VsphereException;
import io.cairn.vsphere.datastore.DatastoreClient;
import io.cairn.vsphere.datastore.DatastoreKind;
import io.cairn.vsphere.datastore.DatastorePath;
import io.cairn.vsphere.datastore.HttpsDiskUpload;
import io.cairn.vsphere.restore.RestoreSnapshot;
import io.cairn.vsphere.restore.VmRestore;
import io.cairn.vsphere.task.TaskLog;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Brings a backed-up VM back on vSphere: re-created as a new VM from its stored ConfigInfo
 * ({@link #asNew}), or its disks written back into the existing VM ({@link #inPlace}, "restore to
 * the previous state"). The vSphere side (target, create, power, snapshots) is
 * {@link VmRestore}'s; this class reads the backup and writes its disks, over the https transport
 * (a whole-file datastore PUT per disk, descriptor first) or a VDDK transport ({@link DiskWriter}).
 */
public final class VsphereRestore {
    private final VsphereConnection c;
    private final Repository repo;
    private final Job job;
    private final int threads;

    public VsphereRestore(VsphereConnection c, Repository repo, int threads, Job job) {
        this.c = c;
        this.repo = repo;
        this.threads = threads;
        this.job = job;
    }

    /** The stored ConfigInfo ({@code config-info.xml}) of a backup of a vSphere VM. */
    private byte[] storedConfig(Repository.Listed b) throws IOException {
        for (Manifest.FileEntry f : b.manifest().files()) {
            if (FormatConstants.FILE_ROLE_CONFIG_INFO.equals(f.role())) {
                return new Restorer(repo, 1, Progress.NONE).readFile(f);
            }
        }
        throw new VsphereException(
                "backup " + b.ref().id() + " holds no vSphere ConfigInfo (it was not made from vCenter"
                        + " or ESXi): restore its disks with 'cairn restore --to DIR' instead");
    }

    /**
     * Creates a new VM from the backup and writes its disks; returns the new VM's moRef, or the
     * existing one's when {@link VmRestore.Conflict#KEEP} found the name taken.
     */
    public String asNew(Repository.Listed b, VmRestore.AsNew o) throws IOException {
        return asNew(b, o, null);
    }

    /**
     * As {@link #asNew(Repository.Listed, VmRestore.AsNew)}, writing the disks through {@code writer}
     * (a VDDK transport, the disks opened by the new VM's moRef) when given, else over https.
     */
    public String asNew(Repository.Listed b, VmRestore.AsNew o, DiskWriter writer) throws IOException {
        TaskLog log = new JobLog(job);
        VmRestore.Recreated vm =
                VmRestore.recreate(c, storedConfig(b), b.manifest().config(), o, log);
        if (vm.kept()) {
            return vm.moRef();
        }
        List<VmRestore.TargetDisk> matched = matched(b.manifest(), vm.disks());
        for (VmRestore.TargetDisk t : vm.disks()) {
            if (!matched.contains(t)) {
                job.log("warning: '" + t.label()
                        + "' was left out of the backup (see its warnings): it is not written");
            }
        }
        if (writer != null) {
            writeThrough(b, VmRestore.created(c, vm, o.name(), log), matched, writer, false);
        } else {
            writeDisks(b, matched, vm.datastore());
        }
        if (vm.nvram() != null) {
            for (Manifest.FileEntry f : b.manifest().files()) {
                if (FormatConstants.FILE_ROLE_NVRAM.equals(f.role())) {
                    vm.uploadNvram(new Restorer(repo, 1, Progress.NONE).readFile(f), log);
                }
            }
        }
        if (o.powerOn()) {
            VmRestore.powerOn(
                    c,
                    vm.moRef(),
                    o.name() != null ? o.name() : b.manifest().vm().name(),
                    log);
        }
        return vm.moRef();
    }

    /**
     * Writes the backup's disks back into the VM it was taken from (found by its instanceUuid):
     * powered off first (only with {@code force} when it is running), disks matched in bus:unit order
     * and required to have the same capacity.
     */
    public String inPlace(Repository.Listed b, boolean force) throws IOException {
        return inPlace(b, force, null);
    }

    /**
     * As {@link #inPlace(Repository.Listed, boolean)}, writing through {@code writer} (a VDDK
     * transport) when given: see {@link #writeThrough}.
     */
    public String inPlace(Repository.Listed b, boolean force, DiskWriter writer) throws IOException {
        return inPlace(b, force, writer, false);
    }

    /**
     * As {@link #inPlace(Repository.Listed, boolean, DiskWriter)}; with {@code quickRollback}, only
     * what changed since the backup is written back (VMware's CBT on the VM as it is now, since each
     * disk's changeId the backup recorded): the chunks that hold a changed area are read from the
     * backup and written through {@code writer}, which must be given (a datastore PUT of the https
     * transport replaces whole files, so it cannot write parts of a disk).
     */
    public String inPlace(Repository.Listed b, boolean force, DiskWriter writer, boolean quickRollback)
            throws IOException {
        Manifest m = b.manifest();
        if (quickRollback) {
            if (writer == null) {
                throw new VsphereException("a quick rollback writes only the areas changed since the backup, which"
                        + " needs a transport that writes parts of a disk: give --transport nbd, nbdssl, hotadd"
                        + " or san (https replaces whole files)");
            }
            for (Manifest.DiskEntry d : m.disks()) {
                if (d.changeId() == null) {
                    throw new VsphereException("backup " + b.ref().id() + " holds no changeId for " + d.name()
                            + " (it was made without changed block tracking), so what changed since is not"
                            + " known: restore it in place without --quick-rollback");
                }
            }
        }
        VmRestore.Existing vm = VmRestore.existing(
                c,
                m.vm().instanceUuid(),
                b.ref().id(),
                m.vm().name(),
                m.disks().size(),
                deviceKeys(m),
                force,
                writer == null ? null : writer.name(),
                new JobLog(job));
        if (quickRollback) {
            rollBack(b, vm, writer);
        } else if (writer != null) {
            writeThrough(b, vm, vm.disks(), writer, true);
        } else {
            writeDisks(b, vm.disks(), vm.datastore());
        }
        return vm.vm().moRef();
    }

    /**
     * The VM's device key of each backup disk, in the manifest's disk order, as the backup recorded
     * them; empty for a backup that did not (its disks are the VM's in backup order).
     */
    static List<Integer> deviceKeys(Manifest m) {
        Map<String, Integer> byDisk = ConfigSummary.backupDisks(m.config());
        List<Integer> out = new ArrayList<>();
        for (Manifest.DiskEntry d : m.disks()) {
            Integer k = byDisk.get(d.key());
            if (k == null) {
                return List.of();
            }
            out.add(k);
        }
        return out;
    }

    /**
     * Writes back, through {@code writer}, the chunks of each disk that hold an area changed since the
     * backup's changeId: the rest of the chunk is unchanged since the backup too, so it is the
     * backup's. A chunk the backup holds as zeros is written as zeros. The changed areas are read
     * before any restore snapshot, which would start a new delta.
     */
    private void rollBack(Repository.Listed b, VmRestore.Existing vm, DiskWriter writer) throws IOException {
        List<Manifest.DiskEntry> stored = b.manifest().disks();
        List<List<BackupSnapshot.Area>> changed = new ArrayList<>();
        for (int i = 0; i < stored.size(); i++) {
            changed.add(vm.changedSince(vm.disks().get(i), stored.get(i).changeId()));
        }
        Map<String, DatastoreKind> kinds = DatastoreKind.ofVm(c, vm.vm().moRef());
        List<DiskWriter.Disk> disks = new ArrayList<>();
        boolean needsSnapshot = false;
        for (VmRestore.TargetDisk t : vm.disks()) {
            DiskWriter.Disk disk = disk(vm, t, kinds);
            disks.add(disk);
            needsSnapshot |= RestoreSnapshot.forTransport(
                            writer.transportFor(disk).cliName(),
                            disk.placement().vvol())
                    .taken();
        }
        // as writeThrough: tracking off before the snapshot (its changed areas were read above)
        boolean cbtWasOn = needsSnapshot && vm.disableCbt();
        String snap = needsSnapshot ? vm.takeRestoreSnapshot(job.id(), writer.name()) : null;
        Throwable failure = null;
        try {
            for (int i = 0; i < stored.size(); i++) {
                Manifest.DiskEntry d = stored.get(i);
                VmRestore.TargetDisk t = vm.disks().get(i);
                if (t.capacity() != d.capacity()) {
                    throw new VsphereException("'" + t.label() + "' holds " + t.capacity() + " bytes, the backup's "
                            + d.name() + " " + d.capacity() + ": restore it in place without --quick-rollback");
                }
                job.checkCancelled();
                DiskIndex idx = repo.readIndex(b.ref(), d);
                boolean[] marked = QuickRollback.chunks(idx, changed.get(i));
                long bytes = 0;
                int chunks = 0;
                try (DiskWriter.Sink sink = writer.open(disks.get(i), snap)) {
                    for (int c = 0; c < idx.count(); c++) {
                        if (!marked[c]) {
                            continue;
                        }
                        job.checkCancelled();
                        int len = idx.length(c);
                        byte[] data =
                                idx.isZero(c) ? new byte[len] : repo.chunks().get(idx.id(c));
                        if (data.length != len) {
                            throw new CorruptObjectException(
                                    idx.id(c).key(), "holds " + data.length + " bytes where the index needs " + len);
                        }
                        sink.write(idx.offset(c), data, 0, len);
                        bytes += len;
                        chunks++;
                    }
                }
                job.log(String.format(
                        Locale.ROOT,
                        "quick rollback of %s: %d areas changed since changeId %s; wrote %d of %d chunks (%d bytes)"
                                + " to %s over %s",
                        d.name(),
                        changed.get(i).size(),
                        d.changeId(),
                        chunks,
                        idx.count(),
                        bytes,
                        t.fileName(),
                        writer.name()));
            }
        } catch (IOException | RuntimeException e) {
            failure = e;
            throw e;
        } finally {
            try {
                writer.disksClosed(vm.vm().moRef());
            } catch (IOException | RuntimeException e) {
                job.log("warning: VixDiskLib_Cleanup for " + vm.vm().name() + " failed: " + e.getMessage());
            }
            after(failure, () -> {
                if (snap != null) {
                    vm.revertAndRemove(snap);
                }
            });
            after(failure, () -> {
                if (cbtWasOn) {
                    vm.enableCbt();
                }
            });
        }
    }

    /** How {@code t} is opened for writing: its VM, host, file and placement (VMware's transport rules). */
    private static DiskWriter.Disk disk(VmRestore.Existing vm, VmRestore.TargetDisk t, Map<String, DatastoreKind> kinds)
            throws VsphereException {
        if (t.fileName() == null) {
            throw new VsphereException("'" + t.label() + "' of " + vm.vm().name() + " has no file to write");
        }
        DatastoreKind kind = kinds.get(DatastorePath.parse(t.fileName()).datastore());
        Placement placement = new Placement(kind != null && kind.local(), kind != null && kind.vvol(), t.thin());
        return new DiskWriter.Disk(vm.vm().moRef(), vm.vm().host(), t.fileName(), placement);
    }

    /**
     * Writes every disk through a VDDK transport, following VMware's rules: each disk's transport is
     * the one asked for unless its placement forbids it (a thin or VVol disk is written with nbdssl,
     * never SAN; {@link DiskWriter#transportFor}); when a disk goes over SAN, changed block tracking
     * is turned off and a restore snapshot taken first ({@link RestoreSnapshot}); each disk's metadata
     * keys are written before its data; after the last disk is closed, {@code VixDiskLib_Cleanup},
     * then the VM is reverted to the restore snapshot, the snapshot removed and tracking turned on
     * again.
     *
     * @param overwrites the disks hold data already (in place): the backup's zero ranges are written
     *     too, where the disk holds data
     */
    private void writeThrough(
            Repository.Listed b,
            VmRestore.Existing vm,
            List<VmRestore.TargetDisk> targets,
            DiskWriter writer,
            boolean overwrites)
            throws IOException {
        List<Manifest.DiskEntry> stored = b.manifest().disks();
        Map<String, DatastoreKind> kinds = DatastoreKind.ofVm(c, vm.vm().moRef());
        List<DiskWriter.Disk> disks = new ArrayList<>();
        List<String> san = new ArrayList<>();
        for (int i = 0; i < stored.size(); i++) {
            Manifest.DiskEntry d = stored.get(i);
            VmRestore.TargetDisk t = targets.get(i);
            if (t.fileName() == null) {
                throw new VsphereException("disk " + (i + 1) + " of " + vm.vm().name() + " has no file to write");
            }
            if (t.capacity() != d.capacity()) {
                throw new VsphereException("disk " + (i + 1) + " (" + t.fileName() + ") holds " + t.capacity()
                        + " bytes, the backup's " + d.name() + " " + d.capacity());
            }
            DiskWriter.Disk disk = disk(vm, t, kinds);
            Transport used = writer.transportFor(disk);
            if (!used.cliName().equals(writer.name())) {
                job.log(t.fileName() + " is written over " + used.cliName() + ", not " + writer.name() + " ("
                        + (disk.placement().localDatastore()
                                ? "a local datastore"
                                : disk.placement().vvol()
                                        ? "SAN does not reach VVol datastores"
                                        : "SAN never writes thin disks")
                        + ")");
            }
            if (RestoreSnapshot.forTransport(used.cliName(), disk.placement().vvol())
                    .taken()) {
                san.add(t.fileName());
            }
            disks.add(disk);
        }
        // Order matters: tracking off before the snapshot, so that reverting to it keeps it off.
        boolean cbtWasOn = !san.isEmpty() && vm.disableCbt();
        String snap = san.isEmpty() ? null : vm.takeRestoreSnapshot(job.id(), "san");
        Throwable failure = null;
        try {
            Restorer restorer = new Restorer(repo, threads, job.progress());
            for (int i = 0; i < stored.size(); i++) {
                Manifest.DiskEntry d = stored.get(i);
                DiskWriter.Disk disk = disks.get(i);
                job.checkCancelled();
                try (DiskWriter.Sink sink = writer.open(disk, snap)) {
                    sink.writeMetadata(DiskDatabase.restorable(d.metadata()));
                    restorer.restoreDisk(
                            repo.readIndex(b.ref(), d),
                            d.name() + " -> " + disk.fileName(),
                            sink(sink::write, overwrites ? sink::zeros : null));
                }
                job.log("wrote " + d.name() + " to " + disk.fileName() + " over "
                        + writer.transportFor(disk).cliName());
            }
        } catch (IOException | RuntimeException e) {
            failure = e;
            throw e;
        } finally {
            // VMware: VixDiskLib_Cleanup once the disks are closed, before the snapshot is deleted
            try {
                writer.disksClosed(vm.vm().moRef());
            } catch (IOException | RuntimeException e) {
                job.log("warning: VixDiskLib_Cleanup for " + vm.vm().name() + " failed: " + e.getMessage());
            }
            after(failure, () -> {
                if (snap != null) {
                    vm.revertAndRemove(snap);
                }
            });
            after(failure, () -> {
                if (cbtWasOn) {
                    vm.enableCbt();
                }
            });
        }
    }

    /** A step after the disks: its failure is thrown when the restore succeeded, else added to its failure. */
    private static void after(Throwable failure, Step step) throws IOException {
        try {
            step.run();
        } catch (IOException e) {
            if (failure == null) {
                throw e;
            }
            failure.addSuppressed(e);
        }
    }

    @FunctionalInterface
    private interface Step {
        void run() throws IOException;
    }

    /** Writes each of the backup's disks into its target, {@code matched} in the manifest's disk order. */
    private void writeDisks(Repository.Listed b, List<VmRestore.TargetDisk> matched, DatastoreClient ds)
            throws IOException {
        List<Manifest.DiskEntry> stored = b.manifest().disks();
        Restorer restorer = new Restorer(repo, threads, job.progress());
        for (int i = 0; i < stored.size(); i++) {
            Manifest.DiskEntry d = stored.get(i);
            VmRestore.TargetDisk target = matched.get(i);
            if (!target.flat()) {
                throw new VsphereException("'" + target.label() + "' of the target is not a flat disk; the https"
                        + " transport cannot write it");
            }
            if (target.capacity() != d.capacity()) {
                throw new VsphereException("'" + target.label() + "' (" + target.fileName() + ") holds "
                        + target.capacity() + " bytes, the backup's " + d.name() + " " + d.capacity());
            }
            job.checkCancelled();
            DatastorePath path = DatastorePath.parse(target.fileName());
            DiskIndex idx = repo.readIndex(b.ref(), d);
            try (HttpsDiskUpload up =
                    HttpsDiskUpload.create(ds, path, d.capacity(), DiskDatabase.restorable(d.metadata()))) {
                restorer.restoreDisk(idx, d.name() + " -> " + path, sink(up::write));
                up.finish();
            }
            job.log("wrote " + d.name() + " to " + path);
        }
    }

    /**
     * The target disk of each of the backup's disks, in the manifest's order: by device key where
     * the backup recorded it (a backup that left disks out), else the first ones in backup order.
     */
    static List<VmRestore.TargetDisk> matched(Manifest m, List<VmRestore.TargetDisk> targets) throws VsphereException {
        List<Integer> keys = deviceKeys(m);
        List<VmRestore.TargetDisk> out = new ArrayList<>();
        for (int i = 0; i < m.disks().size(); i++) {
            if (keys.isEmpty()) {
                if (i >= targets.size()) {
                    throw new VsphereException("the target has " + targets.size() + " disks, the backup "
                            + m.disks().size());
                }
                out.add(targets.get(i));
            } else {
                int key = keys.get(i);
                out.add(targets.stream()
                        .filter(t -> t.key() == key)
                        .findFirst()
                        .orElseThrow(() -> new VsphereException("the target has no disk for the backup's "
                                + m.disks().get(out.size()).name() + " (device key " + key + ")")));
            }
        }
        return out;
    }

    /** Where the restorer's bytes go. */
    @FunctionalInterface
    private interface Write {
        void write(long offset, byte[] data, int off, int len) throws IOException;
    }

    /** Where the backup's zero ranges go when an existing disk is overwritten. */
    @FunctionalInterface
    private interface Zeros {
        void zeros(long offset, long len) throws IOException;
    }

    private static DiskOutput.Sink sink(Write w) {
        return sink(w, null);
    }

    /**
     * A restorer sink that passes the bytes on and owns no files (the target closes itself); with
     * {@code zeros}, it overwrites a disk and takes the backup's zero ranges too.
     */
    private static DiskOutput.Sink sink(Write w, Zeros zeros) {
        return new DiskOutput.Sink() {
            @Override
            public void write(long offset, byte[] data, int off, int len) throws IOException {
                w.write(offset, data, off, len);
            }

            @Override
            public boolean overwrites() {
                return zeros != null;
            }

            @Override
            public void zeros(long offset, long len) throws IOException {
                zeros.zeros(offset, len);
            }

            @Override
            public List<Path> files() {
                return List.of();
            }

            @Override
            public void close() {}
        };
    }
}
