package io.cairn.vsphere.restore;

import com.fasterxml.jackson.databind.JsonNode;
import com.vmware.vim25.ManagedObjectReference;
import com.vmware.vim25.VirtualController;
import com.vmware.vim25.VirtualDevice;
import com.vmware.vim25.VirtualDeviceFileBackingInfo;
import com.vmware.vim25.VirtualDisk;
import com.vmware.vim25.VirtualDiskFlatVer2BackingInfo;
import com.vmware.vim25.VirtualMachineConfigInfo;
import com.vmware.vim25.VirtualMachinePowerState;
import io.cairn.vsphere.backup.BackupSnapshot;
import io.cairn.vsphere.backup.Cbt;
import io.cairn.vsphere.backup.Privileges;
import io.cairn.vsphere.backup.Snapshots;
import io.cairn.vsphere.backup.VmDisks;
import io.cairn.vsphere.config.ConfigInfoXml;
import io.cairn.vsphere.config.ConfigSpecBuilder;
import io.cairn.vsphere.config.ConfigSummary;
import io.cairn.vsphere.config.DiskFormat;
import io.cairn.vsphere.config.DiskNames;
import io.cairn.vsphere.config.DiskPlan;
import io.cairn.vsphere.config.Recreate;
import io.cairn.vsphere.config.RecreateException;
import io.cairn.vsphere.config.RecreateOptions;
import io.cairn.vsphere.config.VmLocation;
import io.cairn.vsphere.connect.Faults;
import io.cairn.vsphere.connect.Props;
import io.cairn.vsphere.connect.VsphereConnection;
import io.cairn.vsphere.connect.VsphereException;
import io.cairn.vsphere.datastore.DatastoreClient;
import io.cairn.vsphere.datastore.DatastorePath;
import io.cairn.vsphere.inventory.Inventory;
import io.cairn.vsphere.inventory.Networks;
import io.cairn.vsphere.inventory.VmInfo;
import io.cairn.vsphere.task.TaskLog;
import io.cairn.vsphere.task.Tasks;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
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
     * Where the re-created VM goes and how. NICs on networks that {@code networkMap} does not name
     * stay on a network of the same name (standard or distributed; vSphere refuses the VM if the
     * target has none).
     *
     * @param diskFormat every disk's provisioning; null keeps each disk's own (thin for a delta or sparse one)
     * @param diskFormats a disk's provisioning by the name a user gives it (a slot {@code scsi0:1}, a
     *     label {@code Hard disk 2} or a device key; {@link DiskNames}), overriding {@code diskFormat}
     * @param diskDatastores a disk's datastore by the same names, overriding {@code datastore}
     * @param keepIdentity give the new VM the stored instanceUuid, BIOS uuid and MAC addresses: for
     *     a VM that is gone, brought back where it was; a VM with that identity must not exist
     * @param originalLocation put the VM back where the backup found it: its name (when {@code name}
     *     is null), datacenter, folder, resource pool and host as recorded ({@link VmLocation}), its
     *     files and each disk on the datastore they were on; what is given explicitly wins. Refused
     *     while the VM it was (same instanceUuid) exists, unless {@link Conflict#OVERWRITE}
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
            String reencryptPolicy,
            DiskFormat diskFormat,
            Map<String, DiskFormat> diskFormats,
            Map<String, String> diskDatastores,
            boolean keepIdentity,
            boolean originalLocation) {
        public AsNew {
            networkMap = networkMap == null ? Map.of() : Map.copyOf(networkMap);
            diskFormats = diskFormats == null ? Map.of() : Map.copyOf(diskFormats);
            diskDatastores = diskDatastores == null ? Map.of() : Map.copyOf(diskDatastores);
        }

        /** Disks as the source had them, on {@code datastore}, new identity. */
        public AsNew(
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
            this(
                    name,
                    datastore,
                    datacenter,
                    folder,
                    pool,
                    host,
                    networkMap,
                    onConflict,
                    powerOn,
                    reencryptPolicy,
                    null,
                    Map.of(),
                    Map.of(),
                    false,
                    false);
        }

        /** The same with the disks' provisioning and datastores chosen. */
        public AsNew withDisks(DiskFormat all, Map<String, DiskFormat> perDisk, Map<String, String> datastores) {
            return new AsNew(
                    name,
                    datastore,
                    datacenter,
                    folder,
                    pool,
                    host,
                    networkMap,
                    onConflict,
                    powerOn,
                    reencryptPolicy,
                    all,
                    perDisk,
                    datastores,
                    keepIdentity,
                    originalLocation);
        }

        /** The same with the stored identity kept or not. */
        public AsNew withKeepIdentity(boolean keep) {
            return new AsNew(
                    name,
                    datastore,
                    datacenter,
                    folder,
                    pool,
                    host,
                    networkMap,
                    onConflict,
                    powerOn,
                    reencryptPolicy,
                    diskFormat,
                    diskFormats,
                    diskDatastores,
                    keep,
                    originalLocation);
        }

        /** The same put back where the backup found it ({@code originalLocation}). */
        public AsNew atOriginalLocation() {
            return new AsNew(
                    name,
                    datastore,
                    datacenter,
                    folder,
                    pool,
                    host,
                    networkMap,
                    onConflict,
                    powerOn,
                    reencryptPolicy,
                    diskFormat,
                    diskFormats,
                    diskDatastores,
                    keepIdentity,
                    true);
        }

        /**
         * With what is not given filled in from where the backup found the VM: the name, the
         * location {@code where} recorded, the datastore of the {@code .vmx} and of each disk.
         */
        AsNew placedAsStored(VirtualMachineConfigInfo stored, VmLocation where) throws VsphereException {
            if (where == null && (datacenter == null || folder == null || pool == null)) {
                throw new VsphereException("the backup does not record where " + stored.getName() + " was (it was"
                        + " made before cairn recorded it): give --datacenter, --folder and --pool");
            }
            Map<String, String> disks = new LinkedHashMap<>();
            Map<Integer, String> slots = DiskNames.slots(stored);
            for (VirtualDisk d : VmDisks.of(stored)) {
                // an RDM's mapping file too: it goes back beside the VM's other files
                String ds = d.getBacking() instanceof VirtualDeviceFileBackingInfo f && f.getFileName() != null
                        ? DatastorePath.parse(f.getFileName()).datastore()
                        : null;
                if (ds != null) {
                    disks.put(slots.getOrDefault(d.getKey(), String.valueOf(d.getKey())), ds);
                }
            }
            Map<Integer, String> given = DiskNames.byKey(stored, diskDatastores);
            disks.keySet().removeIf(n -> given.containsKey(DiskNames.key(stored, n)));
            disks.putAll(diskDatastores);
            String vmx = stored.getFiles() == null ? null : stored.getFiles().getVmPathName();
            return new AsNew(
                    name != null ? name : stored.getName(),
                    datastore != null
                            ? datastore
                            : vmx == null ? null : DatastorePath.parse(vmx).datastore(),
                    datacenter != null ? datacenter : where.datacenter(),
                    folder != null ? folder : where.folder(),
                    pool != null ? pool : where.pool(),
                    host != null ? host : where == null ? null : where.host(),
                    networkMap,
                    onConflict,
                    powerOn,
                    reencryptPolicy,
                    diskFormat,
                    diskFormats,
                    disks,
                    keepIdentity,
                    true);
        }
    }

    /**
     * A disk of the target VM that backup disk {@code index} is written into.
     *
     * @param key the disk's device key in the backup's stored ConfigInfo (for an existing VM: its own,
     *     which is the stored one when the backup recorded it): how a backup that left disks out
     *     finds its disks' targets
     * @param label its label, for messages
     * @param fileName its descriptor's datastore path, or null when its backing has no file
     * @param capacity in bytes
     * @param flat whether its backing is a flat VMDK (the only kind the https transport writes)
     * @param thin whether it is thin provisioned: a writer leaves its never-written areas unwritten
     *     where the transport can (a VDDK one; a datastore PUT of the https transport writes the
     *     whole file), and VMware's rules write thin disks with NBDSSL, never SAN
     */
    public record TargetDisk(
            int index, int key, String label, String fileName, long capacity, boolean flat, boolean thin) {}

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
     * VM of the same name as {@code o.onConflict} says. Its disks are created empty by the create
     * call, each on its datastore in its format; the caller writes them, then {@link #powerOn} when
     * asked. NICs are connected through the target datacenter's networks: a distributed portgroup
     * by its name (recorded at backup in {@code summary}, or found by the stored switch uuid and key
     * on the vCenter the VM came from), mapped by {@code o.networkMap}.
     *
     * @param summary the backup's configuration summary ({@link ConfigSummary}), or null
     */
    public static Recreated recreate(VsphereConnection c, byte[] configInfoXml, JsonNode summary, AsNew o, TaskLog log)
            throws IOException {
        VirtualMachineConfigInfo stored = ConfigInfoXml.fromXml(configInfoXml);
        if (o.originalLocation()) {
            try {
                o = o.placedAsStored(stored, VmLocation.of(summary));
            } catch (IllegalArgumentException e) {
                throw new VsphereException("cannot re-create " + stored.getName() + ": " + e.getMessage(), e);
            }
            log.log("back where it was: " + o.name() + " in folder " + o.folder() + ", pool " + o.pool()
                    + (o.host() == null ? "" : ", host " + o.host()) + ", on " + o.datastore());
        }
        log.phase("plan " + o.name());
        Target t = Target.resolve(c, o.datacenter(), o.folder(), o.pool(), o.host());
        String datastore = o.datastore() != null ? o.datastore() : t.onlyDatastore();
        Map<Integer, DiskFormat> formats;
        Map<Integer, String> datastores;
        try {
            formats = DiskNames.byKey(stored, o.diskFormats());
            datastores = DiskNames.byKey(stored, o.diskDatastores());
        } catch (IllegalArgumentException e) {
            throw new VsphereException("cannot re-create " + o.name() + ": " + e.getMessage(), e);
        }
        for (String ds : datastores.values()) {
            if (!t.datastores().contains(ds)) {
                throw new VsphereException("cannot re-create " + o.name() + ": datacenter " + t.datacenterPath()
                        + " has no datastore '" + ds + "' (it has " + String.join(", ", t.datastores()) + ")");
            }
        }
        Recreate plan;
        try {
            RecreateOptions ro = RecreateOptions.of(o.name(), datastore)
                    .withNetworkMap(o.networkMap(), true)
                    .withNetworks(Networks.of(c, t.datacenter()), ConfigSummary.portgroupNames(summary))
                    .withDiskFormat(o.diskFormat(), formats)
                    .withDiskDatastores(datastores)
                    .withKeepIdentity(o.keepIdentity())
                    .withRdmChooser(ConfigTargetRdms.of(c, t.pool(), t.host()));
            if (o.reencryptPolicy() != null) {
                ro = ro.withEncryption(RecreateOptions.Encryption.REENCRYPT_BY_POLICY, o.reencryptPolicy());
            }
            plan = ConfigSpecBuilder.build(stored, ro);
        } catch (RecreateException e) {
            throw new VsphereException("cannot re-create " + o.name() + ": " + e.getMessage(), e);
        }
        if (stored.getKeyId() != null && o.reencryptPolicy() == null) {
            KeyProviders.checkReachable(c, stored.getKeyId(), stored.getName(), log);
        }
        // what a conflict replaces is only decided here; it is destroyed after the privileges are checked
        List<VmInfo> replaced = new ArrayList<>();
        List<VmInfo> all = Inventory.vms(c);
        if ((o.originalLocation() || o.keepIdentity()) && stored.getInstanceUuid() != null) {
            for (VmInfo v : all) {
                if (stored.getInstanceUuid().equalsIgnoreCase(v.instanceUuid())
                        && !v.name().equals(o.name())) {
                    if (o.onConflict() != Conflict.OVERWRITE) {
                        throw new VsphereException(
                                "the VM this backup was taken from still exists as " + v.name()
                                        + " (" + v.moRef() + ", instanceUuid " + v.instanceUuid()
                                        + "); restore it in place,"
                                        + " as a new VM without --keep-identity, or give --on-conflict overwrite to replace it");
                    }
                    replaced.add(v);
                }
            }
        }
        for (VmInfo v : all) {
            if (v.name().equals(o.name())) {
                switch (o.onConflict()) {
                    case KEEP -> {
                        log.log("a VM named " + o.name() + " exists (" + v.moRef() + "); kept it, restored nothing");
                        return new Recreated(true, v.moRef(), List.of(), null, null);
                    }
                    case OVERWRITE -> replaced.add(v);
                    default ->
                        throw new VsphereException("a VM named " + o.name() + " already exists (" + v.moRef()
                                + "); choose another name or --on-conflict overwrite|keep");
                }
            }
        }
        Privileges.check(
                c,
                needs(t, plan, datastore, o, replaced, stored.getKeyId() != null && o.reencryptPolicy() == null),
                "re-create " + o.name(),
                log);
        for (VmInfo v : replaced) {
            log.log((v.name().equals(o.name()) ? "replacing the existing VM " : "replacing the original VM ") + v.name()
                    + " (" + v.moRef() + ")");
            destroy(c, v);
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
            TargetDisk d = targetDisk(i++, p.storedKey(), find(created, p));
            disks.add(d);
            log.log(p.label() + ": "
                    + (p.rdm() ? "raw device mapping" : p.format().cliName()) + " on " + d.fileName());
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
        return existing(c, instanceUuid, backup, vmName, backupDisks, List.of(), force, null, log);
    }

    /**
     * As {@link #existing(VsphereConnection, String, String, String, int, boolean, TaskLog)}, with
     * the backup's disks matched to the VM's by device key where the backup recorded them
     * ({@code deviceKeys}, in backup disk order: a backup that left disks out), else in backup order;
     * and the privileges the restore takes checked before the VM is powered off: to power it off, to
     * write its datastores' files (https), or to open its disks for writing and take the restore
     * snapshot the transport needs (a VDDK transport).
     *
     * @param transport the VDDK transport that writes the disks ({@code nbd}, {@code san}, …), or null for https
     */
    public static Existing existing(
            VsphereConnection c,
            String instanceUuid,
            String backup,
            String vmName,
            int backupDisks,
            List<Integer> deviceKeys,
            boolean force,
            String transport,
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
        boolean running = vm.powerState() != VirtualMachinePowerState.POWERED_OFF;
        if (running && !force) {
            throw new VsphereException(vm.name() + " is " + vm.powerState().value() + "; restoring it to the backup's"
                    + " state powers it off and overwrites its disks: give --force to do that");
        }
        VirtualMachineConfigInfo before = (VirtualMachineConfigInfo) Props.one(c, vm.ref(), "config");
        Privileges.check(c, inPlaceNeeds(vm, before, running, transport), "restore " + vm.name() + " in place", log);
        if (running) {
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
        List<VirtualDisk> byKey = new ArrayList<>();
        for (int key : deviceKeys) {
            disks.stream().filter(d -> d.getKey() == key).findFirst().ifPresent(byKey::add);
        }
        if (deviceKeys.size() == backupDisks && byKey.size() == backupDisks && backupDisks > 0) {
            disks = byKey;
        } else if (!deviceKeys.isEmpty() && disks.size() == backupDisks) {
            // a VM re-created since (its keys assigned anew) with the same disks: backup order
            log.log(vm.name() + "'s disks have other device keys than the backup's; matched in backup order");
        } else if (!deviceKeys.isEmpty()) {
            throw new VsphereException(vm.name() + " has no disks with the device keys " + deviceKeys
                    + " the backup holds: restore it with --as-new NAME");
        } else if (disks.size() != backupDisks) {
            throw new VsphereException(vm.name() + " has " + disks.size() + " disks now, the backup " + backupDisks
                    + ": restore it with --as-new NAME");
        }
        List<TargetDisk> targets = new ArrayList<>();
        for (int i = 0; i < disks.size(); i++) {
            TargetDisk t = targetDisk(i, disks.get(i).getKey(), disks.get(i));
            targets.add(t);
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

        /**
         * The areas of disk {@code d} written since {@code changeId} (a changeId the backup recorded),
         * by changed block tracking on the VM as it is now: QueryChangedDiskAreas without a snapshot
         * answers for the current state of a powered-off VM. What a quick rollback writes back.
         *
         * @throws VsphereException naming the disk when the VM does not track changes, or the server
         *     no longer knows {@code changeId} (tracking was reset, the disk was replaced): only a
         *     full restore is then safe
         */
        public List<BackupSnapshot.Area> changedSince(TargetDisk d, String changeId) throws VsphereException {
            if (!Boolean.TRUE.equals(Props.one(c, vm.ref(), "config.changeTrackingEnabled"))) {
                throw new VsphereException(vm.name() + " does not track changed blocks now, so what changed since"
                        + " the backup is not known: restore it in place without --quick-rollback");
            }
            List<BackupSnapshot.Area> areas;
            try {
                areas = Cbt.collect(
                        d.capacity(),
                        offset -> c.port().queryChangedDiskAreas(vm.ref(), null, d.key(), offset, changeId));
            } catch (Exception e) {
                throw new VsphereException(
                        "changed block tracking of '" + d.label() + "' of " + vm.name()
                                + " cannot say what changed since changeId " + changeId + " ("
                                + Faults.translate("QueryChangedDiskAreas", vm.ref(), e)
                                        .getMessage()
                                + "): restore it in place without --quick-rollback",
                        e);
            }
            if (areas == null) {
                throw new VsphereException("changed block tracking of '" + d.label() + "' of " + vm.name()
                        + " answered areas outside the disk: restore it in place without --quick-rollback");
            }
            return areas;
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

    private static TargetDisk targetDisk(int index, int key, VirtualDisk d) {
        String label = VmDisks.label(d);
        long bytes = d.getCapacityInBytes() != null && d.getCapacityInBytes() > 0
                ? d.getCapacityInBytes()
                : d.getCapacityInKB() * 1024;
        if (d.getBacking() instanceof VirtualDiskFlatVer2BackingInfo fb) {
            return new TargetDisk(
                    index, key, label, fb.getFileName(), bytes, true, Boolean.TRUE.equals(fb.isThinProvisioned()));
        }
        String file = d.getBacking() instanceof VirtualDeviceFileBackingInfo f ? f.getFileName() : null;
        return new TargetDisk(index, key, label, file, bytes, false, false);
    }

    private static ManagedObjectReference ref(String vmMoRef) {
        ManagedObjectReference r = new ManagedObjectReference();
        r.setType("VirtualMachine");
        r.setValue(vmMoRef);
        return r;
    }

    /** The privileges an in-place restore needs, on what ({@link Privileges}). */
    private static List<Privileges.Need> inPlaceNeeds(
            VmInfo vm, VirtualMachineConfigInfo cfg, boolean running, String transport) {
        List<String> onVm = new ArrayList<>();
        if (running) {
            onVm.add("VirtualMachine.Interact.PowerOff");
        }
        List<Privileges.Need> needs = new ArrayList<>();
        if (transport != null) {
            onVm.add("VirtualMachine.Provisioning.DiskRandomAccess"); // VixDiskLib opens the disks for writing
            if (RestoreSnapshot.forTransport(transport, false).taken()) {
                onVm.addAll(List.of(
                        "VirtualMachine.State.CreateSnapshot",
                        "VirtualMachine.State.RevertToSnapshot",
                        "VirtualMachine.State.RemoveSnapshot"));
            }
        } else if (cfg != null && cfg.getHardware() != null) {
            // the https transport replaces the disks' files on their datastores
            Map<String, ManagedObjectReference> stores = new LinkedHashMap<>();
            for (VirtualDisk d : VmDisks.of(cfg)) {
                if (d.getBacking() instanceof VirtualDeviceFileBackingInfo f && f.getDatastore() != null) {
                    stores.put(f.getDatastore().getValue(), f.getDatastore());
                }
            }
            for (ManagedObjectReference ds : stores.values()) {
                needs.add(new Privileges.Need(
                        ds, "datastore " + ds.getValue(), List.of("Datastore.Browse", "Datastore.FileManagement")));
            }
        }
        if (!onVm.isEmpty()) {
            needs.add(0, new Privileges.Need(vm.ref(), "VM " + vm.name(), onVm));
        }
        return needs;
    }

    /** The privileges re-creating the VM needs, on what ({@link Privileges}). */
    private static List<Privileges.Need> needs(
            Target t, Recreate plan, String datastore, AsNew o, List<VmInfo> replaced, boolean encrypted) {
        List<String> onFolder = new ArrayList<>(Privileges.CREATE_IN_FOLDER);
        if (encrypted) {
            onFolder.add("Cryptographer.EncryptNew");
        }
        if (plan.disks().stream().anyMatch(DiskPlan::rdm)) {
            onFolder.add("VirtualMachine.Config.RawDevice");
        }
        if (o.powerOn()) {
            onFolder.add("VirtualMachine.Interact.PowerOn");
        }
        List<Privileges.Need> needs = new ArrayList<>();
        needs.add(new Privileges.Need(
                t.folder(), "folder " + (o.folder() != null ? o.folder() : t.datacenterPath() + "/vm"), onFolder));
        needs.add(new Privileges.Need(
                t.pool(),
                "resource pool " + (o.pool() != null ? o.pool() : t.pool().getValue()),
                Privileges.CREATE_IN_POOL));
        java.util.Set<String> stores = new java.util.LinkedHashSet<>();
        stores.add(datastore);
        plan.disks().forEach(d -> stores.add(d.datastore() != null ? d.datastore() : datastore));
        for (String ds : stores) {
            ManagedObjectReference ref = t.datastoreRefs().get(ds);
            if (ref != null) {
                needs.add(new Privileges.Need(ref, "datastore " + ds, Privileges.ON_DATASTORE));
            }
        }
        for (VmInfo v : replaced) {
            needs.add(new Privileges.Need(
                    v.ref(),
                    "VM " + v.name() + " (replaced)",
                    List.of("VirtualMachine.Inventory.Delete", "VirtualMachine.Interact.PowerOff")));
        }
        return needs;
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
