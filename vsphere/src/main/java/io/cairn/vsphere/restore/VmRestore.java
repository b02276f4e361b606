package io.cairn.vsphere.restore;

import com.vmware.vim25.ManagedObjectReference;
import com.vmware.vim25.VirtualController;
import com.vmware.vim25.VirtualDevice;
import com.vmware.vim25.VirtualDisk;
import com.vmware.vim25.VirtualDiskFlatVer2BackingInfo;
import com.vmware.vim25.VirtualMachineConfigInfo;
import com.vmware.vim25.VirtualMachinePowerState;
import io.cairn.vsphere.backup.Props;
import io.cairn.vsphere.backup.Snapshots;
import io.cairn.vsphere.backup.VmDisks;
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
import io.cairn.vsphere.inventory.Inventory;
import io.cairn.vsphere.inventory.VmInfo;
import io.cairn.vsphere.task.TaskLog;
import io.cairn.vsphere.task.Tasks;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The vSphere side of bringing a backed-up VM back: re-creating it as a new VM from its stored
 * ConfigInfo ({@link #recreate}), or finding the VM it was taken from to write its disks back
 * ({@link #existing}, "restore to the previous state"). Each gives the target's disks in backup
 * order; writing them (from the repository) is the operations layer's business, over the https
 * transport ({@link io.cairn.vsphere.datastore.HttpsDiskUpload}) or a VDDK one.
 *
 * <p>Disk metadata goes before data: each disk's descriptor (with the stored {@code ddb.*} keys) is
 * uploaded before its flat file. A datastore PUT replaces a whole file, so the https transport
 * needs no restore snapshot (VMware requires one for SAN, where writes go to the base disk on the
 * LUN; for HotAdd, NBD and NBDSSL it is optional; {@link RestoreSnapshot}) but does require that
 * the VM has no snapshots: a write to a base disk under a snapshot would corrupt the chain.
 */
public final class VmRestore {
    private VmRestore() {}

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

    /**
     * A disk of the target VM that backup disk {@code index} is written into.
     *
     * @param fileName its descriptor's datastore path, or null when its backing has no file
     * @param capacity in bytes
     * @param flat whether its backing is a flat VMDK (the only kind the https transport writes)
     * @param thin whether it is thin-provisioned (VMware's rules write thin disks with NBDSSL, never SAN)
     */
    public record TargetDisk(int index, String fileName, long capacity, boolean flat, boolean thin) {}

    /**
     * A re-created VM, or the existing one {@link Conflict#KEEP} left alone ({@link #kept}).
     *
     * @param moRef the VM's managed object id
     * @param disks its disks in backup order (empty when kept)
     * @param datastore the datastore access of its datacenter, for the https transport (null when kept)
     * @param nvram where its NVRAM goes, or null when the stored one must not (kept, or re-encrypted:
     *     the stored NVRAM is sealed with the old key)
     */
    public record Recreated(
            boolean kept, String moRef, List<TargetDisk> disks, DatastoreClient datastore, DatastorePath nvram) {
        public Recreated {
            disks = List.copyOf(disks);
        }

        /** Uploads the stored NVRAM next to the new VM's {@code .vmx}. */
        public void uploadNvram(byte[] content, TaskLog log) throws IOException {
            datastore.upload(nvram, new ByteArrayInputStream(content), content.length);
            log.log("restored NVRAM as " + nvram);
        }
    }

    /**
     * Creates a new VM from a backup's stored ConfigInfo ({@code config-info.xml}), after handling a
     * VM of the same name as {@code o.onConflict} says. Its disks are created empty (thin) by the
     * create call; the caller writes them, then {@link #powerOn} when asked.
     */
    public static Recreated recreate(VsphereConnection c, byte[] configInfoXml, AsNew o, TaskLog log)
            throws IOException {
        VirtualMachineConfigInfo stored = ConfigInfoXml.fromXml(configInfoXml);
        log.phase("plan " + o.name());
        Target t = Target.resolve(c, o.datacenter(), o.folder(), o.pool(), o.host());
        String datastore = o.datastore() != null ? o.datastore() : t.onlyDatastore();
        for (VmInfo v : Inventory.vms(c)) {
            if (v.name().equals(o.name())) {
                switch (o.onConflict()) {
                    case KEEP -> {
                        log.log("a VM named " + o.name() + " exists (" + v.moRef() + "); kept it, restored nothing");
                        return new Recreated(true, v.moRef(), List.of(), null, null);
                    }
                    case OVERWRITE -> {
                        log.log("replacing the existing VM " + o.name() + " (" + v.moRef() + ")");
                        destroy(c, v);
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
        plan.warnings().forEach(w -> log.log("warning: " + w));
        log.phase("create VM " + o.name());
        ManagedObjectReference vm;
        try {
            vm = (ManagedObjectReference)
                    Tasks.await(c, c.port().createVMTask(t.folder(), plan.spec(), t.pool(), t.host()), null);
        } catch (VsphereException e) {
            throw e;
        } catch (Exception e) {
            throw Faults.translate("CreateVM_Task", o.name(), e);
        }
        log.log("created " + o.name() + " (" + vm.getValue() + ")");
        VirtualMachineConfigInfo created = (VirtualMachineConfigInfo) Props.one(c, vm, "config");
        List<TargetDisk> disks = new ArrayList<>();
        int i = 0;
        for (DiskPlan p : plan.disks()) {
            disks.add(targetDisk(i++, find(created, p)));
        }
        DatastoreClient ds = new DatastoreClient(
                c.serverBase(), c.sslSocketFactory(), c.hostnameVerifier(), c::sessionCookie, t.datacenterPath());
        DatastorePath nvram = null;
        // re-encrypted: the stored NVRAM is sealed with the old key, useless now
        if ((o.reencryptPolicy() == null || stored.getKeyId() == null)
                && created.getFiles() != null
                && created.getFiles().getVmPathName() != null) {
            DatastorePath vmx = DatastorePath.parse(created.getFiles().getVmPathName());
            String stem = vmx.fileName().endsWith(".vmx")
                    ? vmx.fileName().substring(0, vmx.fileName().length() - 4)
                    : vmx.fileName();
            nvram = vmx.resolveSibling(stem + ".nvram");
        }
        return new Recreated(false, vm.getValue(), disks, ds, nvram);
    }

    /**
     * The VM {@link #recreate} made, ready to have its disks written over a VDDK transport (restore
     * snapshot, changed block tracking) like an {@link #existing} one.
     */
    public static Existing created(VsphereConnection c, Recreated vm, String name, TaskLog log)
            throws VsphereException {
        ManagedObjectReference host = (ManagedObjectReference) Props.one(c, ref(vm.moRef()), "runtime.host");
        VmInfo info = new VmInfo(
                name,
                vm.moRef(),
                null,
                null,
                null,
                List.of(),
                VirtualMachinePowerState.POWERED_OFF,
                false,
                host == null ? null : host.getValue());
        return new Existing(c, info, vm.disks(), log);
    }

    /** Powers a VM on and waits until it is. */
    public static void powerOn(VsphereConnection c, String vmMoRef, String name, TaskLog log) throws VsphereException {
        log.phase("power on " + name);
        ManagedObjectReference vm = ref(vmMoRef);
        try {
            Tasks.await(c, c.port().powerOnVMTask(vm, null), null);
        } catch (VsphereException e) {
            throw e;
        } catch (Exception e) {
            throw Faults.translate("PowerOnVM_Task", vm, e);
        }
    }

    /**
     * The VM a backup was taken from, ready to have its disks written: found by its instanceUuid
     * (not its name), without snapshots, powered off (only with {@code force} when it is running),
     * with as many disks as the backup.
     *
     * @param backup the backup's id and VM name, for messages
     */
    public static Existing existing(
            VsphereConnection c,
            String instanceUuid,
            String backup,
            String vmName,
            int backupDisks,
            boolean force,
            TaskLog log)
            throws VsphereException {
        VmInfo vm = Inventory.vms(c).stream()
                .filter(v -> instanceUuid != null && instanceUuid.equalsIgnoreCase(v.instanceUuid()))
                .findFirst()
                .orElseThrow(() -> new VsphereException("the VM of backup " + backup + " (" + vmName + ", instanceUuid "
                        + instanceUuid + ") is not on this server: restore it with --as-new NAME"));
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
            log.phase("power off " + vm.name());
            try {
                Tasks.await(c, c.port().powerOffVMTask(vm.ref()), null);
            } catch (VsphereException e) {
                throw e;
            } catch (Exception e) {
                throw Faults.translate("PowerOffVM_Task", vm.ref(), e);
            }
        }
        VirtualMachineConfigInfo current = (VirtualMachineConfigInfo) Props.one(c, vm.ref(), "config");
        List<VirtualDisk> disks = VmDisks.of(current);
        if (disks.size() != backupDisks) {
            throw new VsphereException(vm.name() + " has " + disks.size() + " disks now, the backup " + backupDisks
                    + ": restore it with --as-new NAME");
        }
        List<TargetDisk> targets = new ArrayList<>();
        for (int i = 0; i < disks.size(); i++) {
            targets.add(targetDisk(i, disks.get(i)));
        }
        return new Existing(c, vm, targets, log);
    }

    /** The VM {@link #existing} found, its disks in backup order. */
    public static final class Existing {
        private final VsphereConnection c;
        private final VmInfo vm;
        private final List<TargetDisk> disks;
        private final TaskLog log;

        private Existing(VsphereConnection c, VmInfo vm, List<TargetDisk> disks, TaskLog log) {
            this.c = c;
            this.vm = vm;
            this.disks = List.copyOf(disks);
            this.log = log;
        }

        public VmInfo vm() {
            return vm;
        }

        public List<TargetDisk> disks() {
            return disks;
        }

        /** The datastore access of the VM's datacenter, for the https transport. */
        public DatastoreClient datastore() throws VsphereException {
            return new DatastoreClient(
                    c.serverBase(),
                    c.sslSocketFactory(),
                    c.hostnameVerifier(),
                    c::sessionCookie,
                    Props.datacenterPath(c, vm.ref()));
        }

        /**
         * Takes a restore snapshot, for the transports that require one ({@link RestoreSnapshot}: SAN)
         * before their base disks are written.
         *
         * @param why the transports that need it, for the snapshot's description
         * @return the snapshot's moRef, for the transport and {@link #revertAndRemove}
         */
        public String takeRestoreSnapshot(String jobId, String why) throws VsphereException {
            log.phase("restore snapshot of " + vm.name());
            return Snapshots.create(
                            c,
                            vm.ref(),
                            Snapshots.PREFIX + "restore-" + jobId,
                            "cairn restore " + jobId + " (" + why
                                    + " writes the base disk); reverted and removed after",
                            false)
                    .getValue();
        }

        /** Reverts the VM to its restore snapshot and removes the snapshot. */
        public void revertAndRemove(String snapshot) throws VsphereException {
            log.phase("revert to and remove the restore snapshot");
            ManagedObjectReference snap = new ManagedObjectReference();
            snap.setType("VirtualMachineSnapshot");
            snap.setValue(snapshot);
            try {
                Tasks.await(c, c.port().revertToSnapshotTask(snap, null, true), null);
                Snapshots.remove(c, snap);
            } catch (Exception e) {
                throw Faults.translate("reverting to the restore snapshot", snap, e);
            }
        }

        /**
         * Turns changed block tracking off when it is on, before a SAN restore: "Changed Block Tracking
         * (CBT) must be disabled for SAN restores" (VDDK Programming Guide, "Best Practices for SAN
         * Transport"). Call it before the restore snapshot is taken, so reverting to the snapshot keeps
         * it off; {@link #enableCbt} turns it back on after.
         *
         * @return whether it was on (and so must be turned on again)
         */
        public boolean disableCbt() throws VsphereException {
            if (!Boolean.TRUE.equals(Props.one(c, vm.ref(), "config.changeTrackingEnabled"))) {
                return false;
            }
            log.log("disabling changed block tracking on " + vm.name() + " for the SAN restore");
            setCbt(false);
            return true;
        }

        /**
         * Turns changed block tracking on again after a SAN restore. The VM's change ids start anew, so
         * its next backup reads every disk in full.
         */
        public void enableCbt() throws VsphereException {
            log.log("enabling changed block tracking on " + vm.name() + " again");
            setCbt(true);
        }

        private void setCbt(boolean on) throws VsphereException {
            com.vmware.vim25.VirtualMachineConfigSpec spec = new com.vmware.vim25.VirtualMachineConfigSpec();
            spec.setChangeTrackingEnabled(on);
            try {
                Tasks.await(c, c.port().reconfigVMTask(vm.ref(), spec), null);
            } catch (VsphereException e) {
                throw e;
            } catch (Exception e) {
                throw Faults.translate("ReconfigVM_Task", vm.ref(), e);
            }
        }
    }

    private static TargetDisk targetDisk(int index, VirtualDisk d) {
        long bytes = d.getCapacityInBytes() != null && d.getCapacityInBytes() > 0
                ? d.getCapacityInBytes()
                : d.getCapacityInKB() * 1024;
        if (d.getBacking() instanceof VirtualDiskFlatVer2BackingInfo fb) {
            return new TargetDisk(index, fb.getFileName(), bytes, true, Boolean.TRUE.equals(fb.isThinProvisioned()));
        }
        return new TargetDisk(index, null, bytes, false, false);
    }

    private static ManagedObjectReference ref(String vmMoRef) {
        ManagedObjectReference r = new ManagedObjectReference();
        r.setType("VirtualMachine");
        r.setValue(vmMoRef);
        return r;
    }

    private static void destroy(VsphereConnection c, VmInfo v) throws VsphereException {
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
