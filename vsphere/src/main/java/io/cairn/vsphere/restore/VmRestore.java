package io.cairn.vsphere.restore;

import com.vmware.vim25.ManagedObjectReference;
import com.vmware.vim25.VirtualController;
import com.vmware.vim25.VirtualDevice;
import com.vmware.vim25.VirtualDisk;
import com.vmware.vim25.VirtualDiskFlatVer2BackingInfo;
import com.vmware.vim25.VirtualMachineConfigInfo;
import com.vmware.vim25.VirtualMachinePowerState;
import io.cairn.repository.Repository;
import io.cairn.repository.backup.DiskOutput;
import io.cairn.repository.backup.Restorer;
import io.cairn.repository.index.DiskIndex;
import io.cairn.repository.job.Job;
import io.cairn.repository.manifest.Manifest;
import io.cairn.vsphere.backup.Props;
import io.cairn.vsphere.config.ConfigInfoXml;
import io.cairn.vsphere.config.ConfigSpecBuilder;
import io.cairn.vsphere.config.DiskPlan;
import io.cairn.vsphere.config.Recreate;
import io.cairn.vsphere.config.RecreateException;
import io.cairn.vsphere.config.RecreateOptions;
import io.cairn.vsphere.connect.Faults;
import io.cairn.vsphere.connect.VsphereConnection;
import io.cairn.vsphere.connect.VsphereException;
import io.cairn.vsphere.datastore.DatastoreClient;
import io.cairn.vsphere.datastore.DatastorePath;
import io.cairn.vsphere.datastore.HttpsDiskUpload;
import io.cairn.vsphere.inventory.Inventory;
import io.cairn.vsphere.inventory.VmInfo;
import io.cairn.vsphere.task.Tasks;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Brings a backed-up VM back on vSphere over the https transport: re-created as a new VM from its
 * stored ConfigInfo ({@link #asNew}), or its disks written back into the existing VM
 * ({@link #inPlace}, "restore to the previous state").
 *
 * <p>Disk metadata goes before data: each disk's descriptor (with the stored {@code ddb.*} keys) is
 * uploaded before its flat file. A datastore PUT replaces a whole file, so the https transport
 * needs no restore snapshot (VMware requires one for SAN and HotAdd, where writes go through a
 * mounted base disk; for NBD/NBDSSL it is optional) but does require that the VM has no
 * snapshots: a write to a base disk under a snapshot would corrupt the chain.
 */
public final class VmRestore {

    /** What to do when the target VM name is taken (vcbRestore -b). */
    public enum Conflict {
        ABORT,
        KEEP,
        OVERWRITE
    }

    /**
     * Where the re-created VM goes. NICs on networks that {@code networkMap} does not name stay on a
     * network of the same name (vSphere refuses the VM if the target has none).
     */
    public record AsNew(
            String name,
            String datastore,
            String datacenter,
            String folder,
            String pool,
            String host,
            Map<String, String> networkMap,
            Conflict onConflict,
            boolean powerOn,
            String reencryptPolicy) {
        public AsNew {
            networkMap = networkMap == null ? Map.of() : Map.copyOf(networkMap);
        }
    }

    private final VsphereConnection c;
    private final Repository repo;
    private final Job job;
    private final int threads;

    public VmRestore(VsphereConnection c, Repository repo, int threads, Job job) {
        this.c = c;
        this.repo = repo;
        this.threads = threads;
        this.job = job;
    }

    /** The stored ConfigInfo of a backup of a vSphere VM. */
    public VirtualMachineConfigInfo storedConfig(Repository.Listed b) throws IOException {
        for (Manifest.FileEntry f : b.manifest().files()) {
            if ("config-info".equals(f.role())) {
                return ConfigInfoXml.fromXml(
                        new Restorer(repo, 1, io.cairn.repository.backup.Progress.NONE).readFile(f));
            }
        }
        throw new VsphereException(
                "backup " + b.ref().id() + " holds no vSphere ConfigInfo (it was not made from vCenter"
                        + " or ESXi): restore its disks with 'cairn restore --to DIR' instead");
    }

    /**
     * Creates a new VM from the backup and writes its disks; returns the new VM, or the existing one
     * when {@link Conflict#KEEP} found the name taken.
     */
    public ManagedObjectReference asNew(Repository.Listed b, AsNew o) throws IOException {
        VirtualMachineConfigInfo stored = storedConfig(b);
        job.phase("plan " + o.name(), 0);
        Target t = Target.resolve(c, o.datacenter(), o.folder(), o.pool(), o.host());
        String datastore = o.datastore() != null ? o.datastore() : t.onlyDatastore();
        for (VmInfo v : Inventory.vms(c)) {
            if (v.name().equals(o.name())) {
                switch (o.onConflict()) {
                    case KEEP -> {
                        job.log("a VM named " + o.name() + " exists (" + v.moRef() + "); kept it, restored nothing");
                        return v.ref();
                    }
                    case OVERWRITE -> {
                        job.log("replacing the existing VM " + o.name() + " (" + v.moRef() + ")");
                        destroy(v);
                    }
                    default ->
                        throw new VsphereException("a VM named " + o.name() + " already exists (" + v.moRef()
                                + "); choose another name or --on-conflict overwrite|keep");
                }
            }
        }
        Recreate plan;
        try {
            RecreateOptions ro = RecreateOptions.of(o.name(), datastore)
                    .withNetworkMap(o.networkMap(), true)
                    .withRdmChooser(ConfigTargetRdms.of(c, t.pool(), t.host()));
            if (o.reencryptPolicy() != null) {
                ro = ro.withEncryption(RecreateOptions.Encryption.REENCRYPT_BY_POLICY, o.reencryptPolicy());
            }
            plan = ConfigSpecBuilder.build(stored, ro);
        } catch (RecreateException e) {
            throw new VsphereException("cannot re-create " + o.name() + ": " + e.getMessage(), e);
        }
        plan.warnings().forEach(w -> job.log("warning: " + w));
        job.phase("create VM " + o.name(), 0);
        ManagedObjectReference vm;
        try {
            vm = (ManagedObjectReference)
                    Tasks.await(c, c.port().createVMTask(t.folder(), plan.spec(), t.pool(), t.host()), null);
        } catch (VsphereException e) {
            throw e;
        } catch (Exception e) {
            throw Faults.translate("CreateVM_Task", o.name(), e);
        }
        job.log("created " + o.name() + " (" + vm.getValue() + ")");
        VirtualMachineConfigInfo created = (VirtualMachineConfigInfo) Props.one(c, vm, "config");
        List<VirtualDisk> newDisks = new ArrayList<>();
        for (DiskPlan p : plan.disks()) {
            newDisks.add(find(created, p));
        }
        DatastoreClient ds = new DatastoreClient(
                c.serverBase(), c.sslSocketFactory(), c.hostnameVerifier(), c::sessionCookie, t.datacenterPath());
        writeDisks(b, newDisks, ds);
        if (o.reencryptPolicy() == null || stored.getKeyId() == null) {
            uploadNvram(b, created, ds); // re-encrypted: the stored NVRAM is sealed with the old key, useless now
        }
        if (o.powerOn()) {
            job.phase("power on " + o.name(), 0);
            try {
                Tasks.await(c, c.port().powerOnVMTask(vm, null), null);
            } catch (VsphereException e) {
                throw e;
            } catch (Exception e) {
                throw Faults.translate("PowerOnVM_Task", vm, e);
            }
        }
        return vm;
    }

    /**
     * Writes the backup's disks back into the VM it was taken from (found by its instanceUuid):
     * powered off first (only with {@code force} when it is running), disks matched in bus:unit order
     * and required to have the same capacity.
     */
    public ManagedObjectReference inPlace(Repository.Listed b, boolean force) throws IOException {
        return inPlace(b, force, null);
    }

    /**
     * As {@link #inPlace(Repository.Listed, boolean)}, writing through {@code writer} (a VDDK
     * transport) when given: a restore snapshot is taken first where the transport requires one
     * ({@link RestoreSnapshot}), and afterwards the VM is reverted to it and it is deleted.
     */
    public ManagedObjectReference inPlace(Repository.Listed b, boolean force, DiskWriter writer) throws IOException {
        String uuid = b.manifest().vm().instanceUuid();
        VmInfo vm = Inventory.vms(c).stream()
                .filter(v -> uuid != null && uuid.equalsIgnoreCase(v.instanceUuid()))
                .findFirst()
                .orElseThrow(() -> new VsphereException("the VM of backup "
                        + b.ref().id() + " (" + b.manifest().vm().name() + ", instanceUuid " + uuid
                        + ") is not on this server: restore it with --as-new NAME"));
        if (Props.one(c, vm.ref(), "snapshot") != null) {
            throw new VsphereException(
                    vm.name() + " has snapshots: writing its base disks under them would break the chain;"
                            + " remove or consolidate them first");
        }
        if (vm.powerState() != VirtualMachinePowerState.POWERED_OFF) {
            if (!force) {
                throw new VsphereException(
                        vm.name() + " is " + vm.powerState().value() + "; restoring it to the backup's state"
                                + " powers it off and overwrites its disks: give --force to do that");
            }
            job.phase("power off " + vm.name(), 0);
            try {
                Tasks.await(c, c.port().powerOffVMTask(vm.ref()), null);
            } catch (VsphereException e) {
                throw e;
            } catch (Exception e) {
                throw Faults.translate("PowerOffVM_Task", vm.ref(), e);
            }
        }
        VirtualMachineConfigInfo current = (VirtualMachineConfigInfo) Props.one(c, vm.ref(), "config");
        List<VirtualDisk> disks = io.cairn.vsphere.backup.VmBackup.disks(current);
        List<Manifest.DiskEntry> stored = b.manifest().disks();
        if (disks.size() != stored.size()) {
            throw new VsphereException(vm.name() + " has " + disks.size() + " disks now, the backup " + stored.size()
                    + ": restore it with --as-new NAME");
        }
        if (writer != null) {
            writeThrough(b, vm, disks, writer);
            return vm.ref();
        }
        DatastoreClient ds = new DatastoreClient(
                c.serverBase(),
                c.sslSocketFactory(),
                c.hostnameVerifier(),
                c::sessionCookie,
                Props.datacenterPath(c, vm.ref()));
        writeDisks(b, disks, ds);
        return vm.ref();
    }

    private void writeThrough(Repository.Listed b, VmInfo vm, List<VirtualDisk> disks, DiskWriter writer)
            throws IOException {
        boolean vvol = false;
        for (VirtualDisk d : disks) {
            if (d.getBacking() instanceof VirtualDiskFlatVer2BackingInfo fb
                    && fb.getFileName() != null
                    && fb.getFileName().startsWith("[vvol")) {
                vvol = true;
            }
        }
        RestoreSnapshot need = RestoreSnapshot.forTransport(writer.name(), vvol);
        ManagedObjectReference snap = null;
        if (need.taken()) {
            job.phase("restore snapshot of " + vm.name(), 0);
            snap = io.cairn.vsphere.backup.Snapshots.create(
                    c,
                    vm.ref(),
                    io.cairn.vsphere.backup.Snapshots.PREFIX + "restore-" + job.id(),
                    "cairn restore " + job.id() + " (" + writer.name()
                            + " writes the base disk); reverted and removed after",
                    false);
        }
        IOException failure = null;
        try {
            Restorer restorer = new Restorer(repo, threads, job.progress());
            List<Manifest.DiskEntry> stored = b.manifest().disks();
            for (int i = 0; i < stored.size(); i++) {
                Manifest.DiskEntry d = stored.get(i);
                String file = ((VirtualDiskFlatVer2BackingInfo) disks.get(i).getBacking()).getFileName();
                job.checkCancelled();
                try (DiskWriter.Sink sink = writer.open(vm.moRef(), vm.host(), snap, file)) {
                    restorer.restoreDisk(repo.readIndex(b.ref(), d), d.name() + " -> " + file, new DiskOutput.Sink() {
                        @Override
                        public void write(long offset, byte[] data, int off, int len) throws IOException {
                            sink.write(offset, data, off, len);
                        }

                        @Override
                        public List<Path> files() {
                            return List.of();
                        }

                        @Override
                        public void close() {}
                    });
                }
                job.log("wrote " + d.name() + " to " + file + " over " + writer.name());
            }
        } catch (IOException | RuntimeException e) {
            failure = e instanceof IOException io ? io : new IOException(e);
            throw e;
        } finally {
            if (snap != null) {
                job.phase("revert to and remove the restore snapshot", 0);
                try {
                    Tasks.await(c, c.port().revertToSnapshotTask(snap, null, true), null);
                    io.cairn.vsphere.backup.Snapshots.remove(c, snap);
                } catch (Exception e) {
                    VsphereException ve = Faults.translate("reverting to the restore snapshot", snap, e);
                    if (failure == null) {
                        throw ve;
                    }
                    failure.addSuppressed(ve);
                }
            }
        }
    }

    private void writeDisks(Repository.Listed b, List<VirtualDisk> targets, DatastoreClient ds) throws IOException {
        List<Manifest.DiskEntry> stored = b.manifest().disks();
        Restorer restorer = new Restorer(repo, threads, job.progress());
        for (int i = 0; i < stored.size(); i++) {
            Manifest.DiskEntry d = stored.get(i);
            VirtualDisk target = targets.get(i);
            if (!(target.getBacking() instanceof VirtualDiskFlatVer2BackingInfo fb)) {
                throw new VsphereException(
                        "disk " + (i + 1) + " of the target is not a flat disk; the https transport cannot write it");
            }
            long targetBytes = target.getCapacityInBytes() != null && target.getCapacityInBytes() > 0
                    ? target.getCapacityInBytes()
                    : target.getCapacityInKB() * 1024;
            if (targetBytes != d.capacity()) {
                throw new VsphereException("disk " + (i + 1) + " (" + fb.getFileName() + ") holds " + targetBytes
                        + " bytes, the backup's " + d.name() + " " + d.capacity());
            }
            job.checkCancelled();
            DatastorePath path = DatastorePath.parse(fb.getFileName());
            Map<String, String> meta = io.cairn.vixmntbridge.engine.VmdkOutput.restorableMetadata(d.metadata());
            DiskIndex idx = repo.readIndex(b.ref(), d);
            try (HttpsDiskUpload up = HttpsDiskUpload.create(ds, path, d.capacity(), meta)) {
                restorer.restoreDisk(idx, d.name() + " -> " + path, new DiskOutput.Sink() {
                    @Override
                    public void write(long offset, byte[] data, int off, int len) throws IOException {
                        up.write(offset, data, off, len);
                    }

                    @Override
                    public List<Path> files() {
                        return List.of();
                    }

                    @Override
                    public void close() {}
                });
                up.finish();
            }
            job.log("wrote " + d.name() + " to " + path);
        }
    }

    private void uploadNvram(Repository.Listed b, VirtualMachineConfigInfo created, DatastoreClient ds)
            throws IOException {
        for (Manifest.FileEntry f : b.manifest().files()) {
            if ("nvram".equals(f.role())
                    && created.getFiles() != null
                    && created.getFiles().getVmPathName() != null) {
                DatastorePath vmx = DatastorePath.parse(created.getFiles().getVmPathName());
                String stem = vmx.fileName().endsWith(".vmx")
                        ? vmx.fileName().substring(0, vmx.fileName().length() - 4)
                        : vmx.fileName();
                byte[] content = new Restorer(repo, 1, io.cairn.repository.backup.Progress.NONE).readFile(f);
                ds.upload(
                        vmx.resolveSibling(stem + ".nvram"), new java.io.ByteArrayInputStream(content), content.length);
                job.log("restored NVRAM as " + vmx.resolveSibling(stem + ".nvram"));
            }
        }
    }

    private void destroy(VmInfo v) throws VsphereException {
        try {
            if (v.powerState() == VirtualMachinePowerState.POWERED_ON) {
                Tasks.await(c, c.port().powerOffVMTask(v.ref()), null);
            }
            Tasks.await(c, c.port().destroyTask(v.ref()), null);
        } catch (VsphereException e) {
            throw e;
        } catch (Exception e) {
            throw Faults.translate("Destroy_Task", v.ref(), e);
        }
    }

    /** The created disk a plan entry became: same controller type, bus and unit. */
    private static VirtualDisk find(VirtualMachineConfigInfo created, DiskPlan p) throws VsphereException {
        Map<Integer, VirtualDevice> byKey = new HashMap<>();
        for (VirtualDevice d : created.getHardware().getDevice()) {
            byKey.put(d.getKey(), d);
        }
        for (VirtualDevice d : created.getHardware().getDevice()) {
            if (d instanceof VirtualDisk disk
                    && byKey.get(d.getControllerKey()) instanceof VirtualController ctl
                    && ctl.getClass().getSimpleName().equals(p.controllerType())
                    && ctl.getBusNumber() == p.busNumber()
                    && d.getUnitNumber() != null
                    && d.getUnitNumber() == p.unitNumber()) {
                return disk;
            }
        }
        throw new VsphereException("the created VM has no disk at " + p.controllerType() + " " + p.busNumber() + ":"
                + p.unitNumber() + " (" + p.label() + ")");
    }
}
