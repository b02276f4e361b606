package io.cairn.vsphere.backup;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.vmware.vim25.CryptoKeyId;
import com.vmware.vim25.ManagedObjectReference;
import com.vmware.vim25.OptionValue;
import com.vmware.vim25.VirtualDeviceBackingInfo;
import com.vmware.vim25.VirtualDeviceFileBackingInfo;
import com.vmware.vim25.VirtualDisk;
import com.vmware.vim25.VirtualDiskFlatVer2BackingInfo;
import com.vmware.vim25.VirtualMachineConfigInfo;
import com.vmware.vim25.VirtualMachineConfigSpec;
import io.cairn.vsphere.config.ApiLimits;
import io.cairn.vsphere.config.ConfigInfoXml;
import io.cairn.vsphere.config.ConfigSummary;
import io.cairn.vsphere.config.TargetNetworks;
import io.cairn.vsphere.config.VmLocation;
import io.cairn.vsphere.connect.Faults;
import io.cairn.vsphere.connect.Props;
import io.cairn.vsphere.connect.VsphereConnection;
import io.cairn.vsphere.connect.VsphereException;
import io.cairn.vsphere.datastore.DatastoreClient;
import io.cairn.vsphere.datastore.DatastorePath;
import io.cairn.vsphere.datastore.HttpsDisk;
import io.cairn.vsphere.inventory.Networks;
import io.cairn.vsphere.inventory.VmInfo;
import io.cairn.vsphere.task.TaskLog;
import io.cairn.vsphere.task.Tasks;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The vSphere side of backing up one VM, the way VMware's backup guide describes it: check
 * privileges, remove cairn snapshots an earlier run left, turn changed block tracking on if asked,
 * take a snapshot (no memory, quiesced, crash-consistent when the guest cannot be quiesced), then
 * read the snapshot's ConfigInfo, disks, changed areas and the files kept with a backup (the
 * {@code .vmx}, NVRAM, {@code encryption.bundle}); {@link #close} removes the snapshot, also after a
 * failure. What goes into the repository, and how, is the operations layer's business: this class
 * knows no repository.
 *
 * <p>Disks are read as of the snapshot: over {@code https} as datastore files ({@link #openHttps}:
 * the snapshot's base disks do not change while it exists), or through a VDDK transport by the
 * snapshot's moRef ({@link #moRef}).
 */
public final class BackupSnapshot implements AutoCloseable {

    /** Privileges a backup needs on the VM (VMware's list for snapshot-based backup over https). */
    static final List<String> PRIVILEGES = List.of(
            "VirtualMachine.State.CreateSnapshot",
            "VirtualMachine.State.RemoveSnapshot",
            "VirtualMachine.Config.DiskLease",
            "Datastore.Browse",
            "Datastore.FileManagement");

    /** A changed (or, since "*", allocated) byte range of a disk, as QueryChangedDiskAreas reports it. */
    public record Area(long offset, long length) {}

    /**
     * How a disk of the snapshot can be read, which decides the transport it goes to.
     *
     * <ul>
     *   <li>{@link #ANY}: a flat VMDK on a datastore of files: https reads it as a datastore file, a
     *       VDDK transport through VixDiskLib.</li>
     *   <li>{@link #VDDK}: only VixDiskLib reads it (a virtual-mode RDM, a sparse or SESparse disk, a
     *       delta of the VM's own snapshots, a disk on vSAN or a VVol datastore, whose data is not
     *       a datastore file); over https the backup is refused with one line naming the
     *       transports that can.</li>
     *   <li>{@link #NONE}: no snapshot covers it, so no transport can read a consistent copy (an
     *       independent disk, a physical-mode RDM): it is left out of the backup with a warning
     *       kept in the manifest, and the VM's other disks are backed up.</li>
     * </ul>
     */
    public enum Access {
        ANY,
        VDDK,
        NONE
    }

    /**
     * One virtual disk as the snapshot's configuration lists it.
     *
     * @param index its place in backup order ({@link VmDisks#of}), skipped disks included
     * @param key the device key (QueryChangedDiskAreas asks by it)
     * @param label the device label ("Hard disk 1")
     * @param fileName the descriptor's datastore path ({@code [ds] vm/vm.vmdk}) as of the snapshot; null
     *     when the backing has no file
     * @param changeId changed block tracking's id of the disk's state, or null without CBT
     * @param flat whether the backing is a flat VMDK (the only kind the https transport reads)
     * @param backing the backing's type, for messages
     * @param parent the parent's file name when the disk is a delta of the VM's own snapshots, else null
     * @param capacity in bytes, as the configuration states it
     * @param access which transports can read it
     * @param why for {@link Access#VDDK} and {@link Access#NONE}, one line saying why (naming the disk)
     */
    public record Disk(
            int index,
            int key,
            String label,
            String fileName,
            String changeId,
            boolean flat,
            String backing,
            String parent,
            long capacity,
            Access access,
            String why) {}

    /**
     * A file kept with the backup: what it is, its name and bytes. The repository's name for each kind
     * (its manifest's {@code role}) is the operations layer's to choose: this module knows no repository.
     */
    public record File(Kind kind, String name, byte[] content) {
        /** The kinds of configuration file a vSphere backup keeps. */
        public enum Kind {
            /** The verbatim {@code vim.vm.ConfigInfo} as XML. */
            CONFIG_INFO,
            /** The {@code .vmx} from the datastore. */
            VMX,
            /** The NVRAM file from the datastore. */
            NVRAM,
            /** The {@code encryption.bundle} of an encrypted VM. */
            ENCRYPTION_BUNDLE
        }
    }

    private final VsphereConnection c;
    private final VmInfo vm;
    private final ManagedObjectReference snap;
    private final String name;
    private final boolean quiesced;
    private final TaskLog log;
    private VirtualMachineConfigInfo cfg;
    private DatastoreClient ds;

    private BackupSnapshot(
            VsphereConnection c, VmInfo vm, ManagedObjectReference snap, String name, boolean quiesced, TaskLog log) {
        this.c = c;
        this.vm = vm;
        this.snap = snap;
        this.name = name;
        this.quiesced = quiesced;
        this.log = log;
    }

    /**
     * Refuses a user who lacks a privilege the backup needs ({@link #PRIVILEGES}), naming them all.
     * A server without an authorization manager or HasPrivilegeOnEntity is logged and let through.
     */
    public static void checkPrivileges(VsphereConnection c, VmInfo vm, TaskLog log) throws VsphereException {
        log.phase("check privileges on " + vm.name());
        Privileges.check(
                c,
                List.of(new Privileges.Need(vm.ref(), Faults.describe(vm.ref()), PRIVILEGES)),
                "back up " + vm.name(),
                log);
    }

    /** Removes cairn snapshots an earlier run left (killed, or its connection lost). */
    public static void removeLeftovers(VsphereConnection c, VmInfo vm, TaskLog log) throws VsphereException {
        Snapshots.removeLeftovers(c, vm.ref(), log);
    }

    /** Turns changed block tracking on when it is off; it takes effect with the next snapshot. */
    public static void enableCbt(VsphereConnection c, VmInfo vm, TaskLog log) throws VsphereException {
        Object on = Props.one(c, vm.ref(), "config.changeTrackingEnabled");
        if (Boolean.TRUE.equals(on)) {
            return;
        }
        log.log("enabling changed block tracking on " + vm.name());
        VirtualMachineConfigSpec spec = new VirtualMachineConfigSpec();
        spec.setChangeTrackingEnabled(true);
        try {
            Tasks.await(c, c.port().reconfigVMTask(vm.ref(), spec), null);
        } catch (VsphereException e) {
            throw e;
        } catch (Exception e) {
            throw Faults.translate("ReconfigVM_Task", vm.ref(), e);
        }
    }

    /**
     * The key id of an encrypted VM ({@code config.keyId}: {@code provider/key}), or null when the VM
     * is not encrypted. Read before the snapshot is taken: an encrypted VM's disks hold ciphertext in
     * the datastore, and only VixDiskLib over NBDSSL or HotAdd reads them decrypted by the host.
     */
    public static String keyIdOf(VsphereConnection c, VmInfo vm) throws VsphereException {
        return keyIdText((CryptoKeyId) Props.one(c, vm.ref(), "config.keyId"));
    }

    /**
     * Takes the backup's snapshot (no memory). Quiesced when asked; when the guest cannot be quiesced,
     * the failure is logged and a crash-consistent snapshot is taken instead ({@link #quiesced} says
     * which).
     *
     * @param name the snapshot's name; it must start with {@link Snapshots#PREFIX} so a run that dies
     *     leaves a snapshot the next run finds
     */
    public static BackupSnapshot take(
            VsphereConnection c, VmInfo vm, String name, String description, boolean quiesce, TaskLog log)
            throws VsphereException {
        if (!name.startsWith(Snapshots.PREFIX)) {
            throw new IllegalArgumentException("a cairn snapshot's name starts with " + Snapshots.PREFIX);
        }
        log.phase("snapshot " + vm.name());
        ManagedObjectReference ref = vm.ref();
        try {
            return new BackupSnapshot(c, vm, Snapshots.create(c, ref, name, description, quiesce), name, quiesce, log);
        } catch (VsphereException e) {
            if (!quiesce) {
                throw e;
            }
            log.log("warning: the guest could not be quiesced (" + e.getMessage()
                    + "); taking a crash-consistent snapshot");
            Snapshots.removeLeftovers(c, ref, log);
            return new BackupSnapshot(c, vm, Snapshots.create(c, ref, name, description, false), name, false, log);
        }
    }

    /** The snapshot's name. */
    public String name() {
        return name;
    }

    /** The snapshot's managed object id ({@code snapshot-12}), for the VDDK transports. */
    public String moRef() {
        return snap.getValue();
    }

    /** Whether the guest was quiesced; false for a crash-consistent snapshot. */
    public boolean quiesced() {
        return quiesced;
    }

    /** Where the backup says it came from: {@code vc:https://HOST/#vm-42}. */
    public String source() {
        return "vc:" + c.serverBase() + "#" + vm.moRef();
    }

    private VirtualMachineConfigInfo config() throws VsphereException {
        if (cfg == null) {
            VirtualMachineConfigInfo read = (VirtualMachineConfigInfo) Props.one(c, snap, "config");
            if (read == null) {
                throw new VsphereException("the snapshot of " + vm.name() + " has no configuration");
            }
            cfg = read;
        }
        return cfg;
    }

    private DatastoreClient datastore() throws VsphereException {
        if (ds == null) {
            ds = new DatastoreClient(
                    c.serverBase(),
                    c.sslSocketFactory(),
                    c.hostnameVerifier(),
                    c::sessionCookie,
                    Props.datacenterPath(c, vm.ref()));
        }
        return ds;
    }

    /**
     * The snapshot's virtual disks in backup order, each with how it can be read ({@link Access}).
     *
     * @throws VsphereException when the VM has none
     */
    public List<Disk> disks() throws VsphereException {
        List<VirtualDisk> disks = VmDisks.of(config());
        if (disks.isEmpty()) {
            throw new VsphereException(vm.name() + " has no virtual disk to back up");
        }
        List<Disk> out = new ArrayList<>();
        Map<String, String> datastoreTypes = new HashMap<>();
        for (int i = 0; i < disks.size(); i++) {
            VirtualDisk d = disks.get(i);
            long capacity = d.getCapacityInBytes() != null && d.getCapacityInBytes() > 0
                    ? d.getCapacityInBytes()
                    : d.getCapacityInKB() * 1024;
            String label = VmDisks.label(d);
            VirtualDeviceBackingInfo b = d.getBacking();
            String file = b instanceof VirtualDeviceFileBackingInfo f ? f.getFileName() : null;
            String what = "'" + label + "' (key " + d.getKey() + (file == null ? "" : ", " + file) + ")";
            String mode = DiskAccess.diskMode(b);
            String dsType = b instanceof VirtualDeviceFileBackingInfo f && f.getDatastore() != null
                    ? datastoreTypes.computeIfAbsent(f.getDatastore().getValue(), k -> datastoreType(f))
                    : null;
            DiskAccess.Verdict v = DiskAccess.of(b, mode, dsType, what, vm.name());
            if (b instanceof VirtualDiskFlatVer2BackingInfo fb) {
                out.add(new Disk(
                        i,
                        d.getKey(),
                        label,
                        fb.getFileName(),
                        fb.getChangeId(),
                        true,
                        fb.getClass().getSimpleName(),
                        fb.getParent() == null ? null : fb.getParent().getFileName(),
                        capacity,
                        v.access(),
                        v.why()));
            } else {
                out.add(new Disk(
                        i,
                        d.getKey(),
                        label,
                        file,
                        DiskAccess.changeId(b),
                        false,
                        b == null ? "no" : b.getClass().getSimpleName(),
                        null,
                        capacity,
                        v.access(),
                        v.why()));
            }
        }
        return out;
    }

    /** The type of a disk's datastore ({@code VMFS}, {@code NFS}, {@code vsan}, {@code VVOL}, …), or null. */
    private String datastoreType(VirtualDeviceFileBackingInfo f) {
        try {
            Object t = Props.one(c, f.getDatastore(), "summary.type");
            return t == null ? null : String.valueOf(t);
        } catch (VsphereException e) {
            return null;
        }
    }

    /**
     * The names of the VM's own snapshots (those not taken by cairn), oldest first: while it has any,
     * its disks are deltas over base disks that hold an older state, so the https transport, which
     * reads datastore files, cannot back it up (a VDDK transport reads through the chain).
     */
    public static List<String> ownSnapshots(VsphereConnection c, VmInfo vm) throws VsphereException {
        return Snapshots.others(c, vm.ref());
    }

    /**
     * Opens a flat base disk over the https transport (datastore file reads).
     *
     * @throws VsphereException when the disk is a delta of the VM's own snapshots (only a VDDK
     *     transport reads through a chain)
     */
    public HttpsDisk openHttps(Disk d) throws IOException {
        if (d.parent() != null) {
            throw new VsphereException(
                    "disk '" + d.label() + "' of " + vm.name() + " is part of a snapshot chain ("
                            + d.fileName() + " has parent " + d.parent() + "): the VM has snapshots of its own;"
                            + " the https transport reads flat base disks only, so consolidate or remove them, or use a VDDK transport");
        }
        return HttpsDisk.open(datastore(), DatastorePath.parse(d.fileName()));
    }

    /**
     * QueryChangedDiskAreas over the whole disk since {@code since} ("*": the allocated areas).
     *
     * @return the areas, or null (logged) when the server cannot answer (vcsim, a reset change tracking)
     */
    public List<Area> changedAreas(Disk d, long capacity, String since) {
        try {
            return Cbt.collect(
                    capacity, offset -> c.port().queryChangedDiskAreas(vm.ref(), snap, d.key(), offset, since));
        } catch (Exception e) {
            log.log(d.label() + ": QueryChangedDiskAreas(" + since + ") not available: "
                    + Faults.translate("QueryChangedDiskAreas", vm.ref(), e).getMessage());
            return null;
        }
    }

    /**
     * The files kept with the backup: the ConfigInfo as XML ({@code config-info}), the {@code .vmx}
     * and NVRAM from the datastore (each logged and left out when missing), and the
     * {@code encryption.bundle} of an encrypted VM.
     */
    public List<File> files() throws IOException {
        VirtualMachineConfigInfo cfg = config();
        List<File> files = new ArrayList<>();
        files.add(new File(File.Kind.CONFIG_INFO, "config-info.xml", ConfigInfoXml.toXml(cfg)));
        DatastorePath vmx = cfg.getFiles() == null || cfg.getFiles().getVmPathName() == null
                ? null
                : DatastorePath.parse(cfg.getFiles().getVmPathName());
        if (vmx != null) {
            addFile(vmx, File.Kind.VMX, "vmx", files);
            String nvram = extraConfig(cfg, "nvram");
            String stem = vmx.fileName().endsWith(".vmx")
                    ? vmx.fileName().substring(0, vmx.fileName().length() - 4)
                    : vmx.fileName();
            addFile(
                    vmx.resolveSibling(nvram != null && !nvram.isBlank() ? nvram : stem + ".nvram"),
                    File.Kind.NVRAM,
                    "NVRAM",
                    files);
        }
        String bundle = extraConfig(cfg, "encryption.bundle");
        if (bundle != null) {
            files.add(new File(
                    File.Kind.ENCRYPTION_BUNDLE, "encryption.bundle", bundle.getBytes(StandardCharsets.UTF_8)));
        }
        return files;
    }

    /**
     * The configuration's JSON summary kept in the manifest ({@link ConfigSummary}), with the names of
     * the distributed portgroups its NICs are on (for a restore to another vCenter) and where the VM
     * is ({@link VmLocation}, for a restore to the original location). Either is left out, and
     * logged, when the server cannot say.
     */
    public ObjectNode configSummary() throws VsphereException {
        TargetNetworks networks = null;
        VmLocation location = null;
        try {
            ManagedObjectReference dc = Props.datacenterOf(c, vm.ref());
            networks = Networks.of(c, dc);
            location = location(dc);
        } catch (VsphereException e) {
            log.log("where " + vm.name() + " is and its networks' names were not recorded: " + e.getMessage());
        }
        ObjectNode o = ConfigSummary.of(config(), networks);
        if (location != null) {
            o.set(VmLocation.FIELD, location.toJson());
        }
        return o;
    }

    private VmLocation location(ManagedObjectReference dc) throws VsphereException {
        Map<String, Object> p = Props.get(c, vm.ref(), "parent", "resourcePool", "runtime.host");
        return new VmLocation(
                Props.inventoryPath(c, dc),
                p.get("parent") instanceof ManagedObjectReference f ? Props.inventoryPath(c, f) : null,
                p.get("resourcePool") instanceof ManagedObjectReference rp ? Props.inventoryPath(c, rp) : null,
                p.get("runtime.host") instanceof ManagedObjectReference h ? Props.inventoryPath(c, h) : null);
    }

    /**
     * What the backup cannot hold, one line each, for its manifest: what cairn's API 7.0 binding
     * does not carry of this VM ({@link ApiLimits#notes}) and of this server
     * ({@link VsphereConnection#bindingLimit}).
     */
    public List<String> warnings() throws VsphereException {
        List<String> out = new ArrayList<>(ApiLimits.notes(config()));
        c.bindingLimit().ifPresent(out::add);
        return out;
    }

    /** The VM's encryption key id ({@code provider/key}), or null when the VM is not encrypted. */
    public String keyId() throws VsphereException {
        return keyIdText(config().getKeyId());
    }

    private static String keyIdText(CryptoKeyId k) {
        if (k == null) {
            return null;
        }
        String provider = k.getProviderId() == null ? null : k.getProviderId().getId();
        return provider == null ? k.getKeyId() : provider + "/" + k.getKeyId();
    }

    private void addFile(DatastorePath path, File.Kind kind, String what, List<File> files) throws IOException {
        try {
            files.add(new File(kind, path.fileName(), datastore().readAll(path, 64 << 20)));
        } catch (NoSuchFileException e) {
            log.log("no " + what + " file at " + path + "; backed up without it");
        }
    }

    private static String extraConfig(VirtualMachineConfigInfo cfg, String key) {
        for (OptionValue o : cfg.getExtraConfig()) {
            if (key.equals(o.getKey()) && o.getValue() != null) {
                return String.valueOf(o.getValue());
            }
        }
        return null;
    }

    /**
     * Removes the snapshot (consolidating its disks). A removal that fails is logged and thrown; the
     * next backup of the VM removes the snapshot then.
     */
    @Override
    public void close() throws VsphereException {
        log.phase("remove snapshot " + name);
        try {
            Snapshots.remove(c, snap);
        } catch (VsphereException e) {
            String msg = "snapshot '" + name + "' of " + vm.name() + " could not be removed (" + e.getMessage()
                    + "); the next backup of this VM removes it";
            log.log("error: " + msg);
            throw new VsphereException(msg, e);
        }
    }
}
