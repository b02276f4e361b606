package io.cairn.operations.restore;

import io.cairn.operations.disk.DiskWriter;
import io.cairn.operations.job.Job;
import io.cairn.operations.job.JobLog;
import io.cairn.repository.Repository;
import io.cairn.repository.backup.DiskOutput;
import io.cairn.repository.backup.Progress;
import io.cairn.repository.backup.Restorer;
import io.cairn.repository.format.FormatConstants;
import io.cairn.repository.index.DiskIndex;
import io.cairn.repository.manifest.Manifest;
import io.cairn.vixmntbridge.vddk.Placement;
import io.cairn.vixmntbridge.vddk.Transport;
import io.cairn.vixmntbridge.vmdk.DiskDatabase;
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
        VmRestore.Recreated vm = VmRestore.recreate(c, storedConfig(b), o, log);
        if (vm.kept()) {
            return vm.moRef();
        }
        if (writer != null) {
            writeThrough(b, VmRestore.created(c, vm, o.name(), log), writer, false);
        } else {
            writeDisks(b, vm.disks(), vm.datastore());
        }
        if (vm.nvram() != null) {
            for (Manifest.FileEntry f : b.manifest().files()) {
                if (FormatConstants.FILE_ROLE_NVRAM.equals(f.role())) {
                    vm.uploadNvram(new Restorer(repo, 1, Progress.NONE).readFile(f), log);
                }
            }
        }
        if (o.powerOn()) {
            VmRestore.powerOn(c, vm.moRef(), o.name(), log);
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
        Manifest m = b.manifest();
        VmRestore.Existing vm = VmRestore.existing(
                c, m.vm().instanceUuid(), b.ref().id(), m.vm().name(), m.disks().size(), force, new JobLog(job));
        if (writer != null) {
            writeThrough(b, vm, writer, true);
        } else {
            writeDisks(b, vm.disks(), vm.datastore());
        }
        return vm.vm().moRef();
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
    private void writeThrough(Repository.Listed b, VmRestore.Existing vm, DiskWriter writer, boolean overwrites)
            throws IOException {
        List<Manifest.DiskEntry> stored = b.manifest().disks();
        Map<String, DatastoreKind> kinds = DatastoreKind.ofVm(c, vm.vm().moRef());
        List<DiskWriter.Disk> disks = new ArrayList<>();
        List<String> san = new ArrayList<>();
        for (int i = 0; i < stored.size(); i++) {
            Manifest.DiskEntry d = stored.get(i);
            VmRestore.TargetDisk t = vm.disks().get(i);
            if (t.fileName() == null) {
                throw new VsphereException("disk " + (i + 1) + " of " + vm.vm().name() + " has no file to write");
            }
            if (t.capacity() != d.capacity()) {
                throw new VsphereException("disk " + (i + 1) + " (" + t.fileName() + ") holds " + t.capacity()
                        + " bytes, the backup's " + d.name() + " " + d.capacity());
            }
            DatastoreKind kind = kinds.get(DatastorePath.parse(t.fileName()).datastore());
            Placement placement = new Placement(kind != null && kind.local(), kind != null && kind.vvol(), t.thin());
            DiskWriter.Disk disk = new DiskWriter.Disk(vm.vm().moRef(), vm.vm().host(), t.fileName(), placement);
            Transport used = writer.transportFor(disk);
            if (!used.cliName().equals(writer.name())) {
                job.log(t.fileName() + " is written over " + used.cliName() + ", not " + writer.name() + " ("
                        + (placement.localDatastore()
                                ? "a local datastore"
                                : placement.vvol()
                                        ? "SAN does not reach VVol datastores"
                                        : "SAN never writes thin disks")
                        + ")");
            }
            if (RestoreSnapshot.forTransport(used.cliName(), placement.vvol()).taken()) {
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

    private void writeDisks(Repository.Listed b, List<VmRestore.TargetDisk> targets, DatastoreClient ds)
            throws IOException {
        List<Manifest.DiskEntry> stored = b.manifest().disks();
        Restorer restorer = new Restorer(repo, threads, job.progress());
        for (int i = 0; i < stored.size(); i++) {
            Manifest.DiskEntry d = stored.get(i);
            VmRestore.TargetDisk target = targets.get(i);
            if (!target.flat()) {
                throw new VsphereException(
                        "disk " + (i + 1) + " of the target is not a flat disk; the https transport cannot write it");
            }
            if (target.capacity() != d.capacity()) {
                throw new VsphereException("disk " + (i + 1) + " (" + target.fileName() + ") holds " + target.capacity()
                        + " bytes, the backup's " + d.name() + " " + d.capacity());
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
