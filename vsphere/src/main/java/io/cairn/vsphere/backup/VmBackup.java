package io.cairn.vsphere.backup;

import com.vmware.vim25.ManagedObjectReference;
import com.vmware.vim25.OptionValue;
import com.vmware.vim25.UserSession;
import com.vmware.vim25.VirtualDevice;
import com.vmware.vim25.VirtualDisk;
import com.vmware.vim25.VirtualDiskFlatVer2BackingInfo;
import com.vmware.vim25.VirtualMachineConfigInfo;
import com.vmware.vim25.VirtualMachineConfigSpec;
import io.cairn.repository.Repository;
import io.cairn.repository.backup.BackupRequest;
import io.cairn.repository.backup.BackupWriter;
import io.cairn.repository.backup.DiskSource;
import io.cairn.repository.backup.Extent;
import io.cairn.repository.index.DiskIndex;
import io.cairn.repository.job.Job;
import io.cairn.repository.manifest.Manifest;
import io.cairn.vsphere.config.ConfigInfoXml;
import io.cairn.vsphere.config.ConfigSummary;
import io.cairn.vsphere.connect.Faults;
import io.cairn.vsphere.connect.VsphereConnection;
import io.cairn.vsphere.connect.VsphereException;
import io.cairn.vsphere.datastore.DatastoreClient;
import io.cairn.vsphere.datastore.DatastorePath;
import io.cairn.vsphere.datastore.HttpsDiskSource;
import io.cairn.vsphere.inventory.VmInfo;
import io.cairn.vsphere.task.Tasks;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Backs up one VM the way VMware's backup guide describes: check privileges, remove cairn snapshots
 * an earlier run left, take a snapshot (no memory, quiesced), read the snapshot's ConfigInfo and
 * disks (changed areas only when changed block tracking allows it), keep the disk metadata, keyId,
 * {@code encryption.bundle} and NVRAM, commit the backup, and remove the snapshot, also when
 * anything failed.
 *
 * <p>Transport {@code https}: the snapshot's base disks are read as datastore files (ranged GET);
 * they do not change while the snapshot exists. The VDDK transports read the same disks through
 * VixDiskLib ({@code vixmnt-bridge}).
 */
public final class VmBackup {

    /** Privileges a backup needs on the VM (VMware's list for snapshot-based backup over https). */
    static final List<String> PRIVILEGES = List.of(
            "VirtualMachine.State.CreateSnapshot",
            "VirtualMachine.State.RemoveSnapshot",
            "VirtualMachine.Config.DiskLease",
            "Datastore.Browse",
            "Datastore.FileManagement");

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
        ManagedObjectReference ref = vm.ref();
        job.phase("check privileges on " + vm.name(), 0);
        checkPrivileges(ref);
        job.checkCancelled();
        Snapshots.removeLeftovers(c, ref, job);
        if (options.enableCbt()) {
            enableCbt(vm);
        }
        job.phase("snapshot " + vm.name(), 0);
        String name = Snapshots.PREFIX + "backup-" + job.id();
        String description = "cairn backup " + job.id() + "; cairn removes it when the backup ends";
        Map<String, String> labels = new LinkedHashMap<>(options.labels());
        labels.put(
                "transport",
                options.transport() == null ? "https" : options.transport().name());
        ManagedObjectReference snap;
        try {
            snap = Snapshots.create(c, ref, name, description, options.quiesce());
            labels.put("consistency", options.quiesce() ? "quiesced" : "crash");
        } catch (VsphereException e) {
            if (!options.quiesce()) {
                throw e;
            }
            job.log("warning: the guest could not be quiesced (" + e.getMessage()
                    + "); taking a crash-consistent snapshot");
            Snapshots.removeLeftovers(c, ref, job);
            snap = Snapshots.create(c, ref, name, description, false);
            labels.put("consistency", "crash");
        }
        IOException failure = null;
        try {
            return backupFromSnapshot(vm, snap, labels);
        } catch (IOException | RuntimeException e) {
            failure = e instanceof IOException io ? io : new IOException(e);
            throw e;
        } finally {
            job.phase("remove snapshot " + name, 0);
            try {
                Snapshots.remove(c, snap);
            } catch (VsphereException e) {
                String msg = "snapshot '" + name + "' of " + vm.name() + " could not be removed (" + e.getMessage()
                        + "); the next backup of this VM removes it";
                job.log("error: " + msg);
                if (failure == null) {
                    throw new VsphereException(msg, e);
                }
                failure.addSuppressed(e);
            }
        }
    }

    private BackupWriter.Result backupFromSnapshot(VmInfo vm, ManagedObjectReference snap, Map<String, String> labels)
            throws IOException {
        job.checkCancelled();
        VirtualMachineConfigInfo cfg = (VirtualMachineConfigInfo) Props.one(c, snap, "config");
        if (cfg == null) {
            throw new VsphereException("the snapshot of " + vm.name() + " has no configuration");
        }
        DatastoreClient ds = new DatastoreClient(
                c.serverBase(),
                c.sslSocketFactory(),
                c.hostnameVerifier(),
                c::sessionCookie,
                Props.datacenterPath(c, vm.ref()));
        String identity = identity(c, vm);
        Repository.Listed previous = repo.latestOf(identity);

        List<VirtualDisk> disks = disks(cfg);
        if (disks.isEmpty()) {
            throw new VsphereException(vm.name() + " has no virtual disk to back up");
        }
        List<DiskSource> sources = new ArrayList<>();
        try {
            List<BackupRequest.DiskInput> inputs = new ArrayList<>();
            for (int i = 0; i < disks.size(); i++) {
                VirtualDisk d = disks.get(i);
                if (!(d.getBacking() instanceof VirtualDiskFlatVer2BackingInfo b)) {
                    throw new VsphereException("disk '" + label(d) + "' of " + vm.name() + " has a "
                            + d.getBacking().getClass().getSimpleName()
                            + " backing; the https transport reads flat disks only"
                            + " (use a VDDK transport)");
                }
                if (options.transport() != null) {
                    // VixDiskLib reads the disk as of the snapshot, through any chain of deltas
                    DiskSource src = options.transport().open(vm, snap, b.getFileName());
                    sources.add(src);
                    inputs.add(input(vm, snap, d, b.getChangeId(), src, previous, i));
                    continue;
                }
                if (b.getParent() != null) {
                    throw new VsphereException(
                            "disk '" + label(d) + "' of " + vm.name() + " is part of a snapshot chain ("
                                    + b.getFileName() + " has parent "
                                    + b.getParent().getFileName() + "): the VM has snapshots of its own;"
                                    + " the https transport reads flat base disks only, so consolidate or remove them, or use a VDDK transport");
                }
                HttpsDiskSource src = HttpsDiskSource.open(ds, DatastorePath.parse(b.getFileName()));
                sources.add(src);
                inputs.add(input(vm, snap, d, b.getChangeId(), src, previous, i));
            }
            List<BackupRequest.FileInput> files = new ArrayList<>();
            files.add(new BackupRequest.FileInput("config-info", "config-info.xml", ConfigInfoXml.toXml(cfg)));
            DatastorePath vmx = cfg.getFiles() == null || cfg.getFiles().getVmPathName() == null
                    ? null
                    : DatastorePath.parse(cfg.getFiles().getVmPathName());
            if (vmx != null) {
                addFile(ds, vmx, "vmx", files);
                String nvram = extraConfig(cfg, "nvram");
                String stem = vmx.fileName().endsWith(".vmx")
                        ? vmx.fileName().substring(0, vmx.fileName().length() - 4)
                        : vmx.fileName();
                addFile(
                        ds,
                        vmx.resolveSibling(nvram != null && !nvram.isBlank() ? nvram : stem + ".nvram"),
                        "nvram",
                        files);
            }
            String bundle = extraConfig(cfg, "encryption.bundle");
            if (bundle != null) {
                files.add(new BackupRequest.FileInput(
                        "encryption-bundle", "encryption.bundle", bundle.getBytes(StandardCharsets.UTF_8)));
            }
            Manifest.EncryptionInfo enc = cfg.getKeyId() == null ? null : new Manifest.EncryptionInfo(keyId(cfg));
            BackupRequest req = new BackupRequest(
                    new Manifest.VmIdentity(identity, vm.name(), vm.instanceUuid(), c.instanceUuid()),
                    "vc:" + c.serverBase() + "#" + vm.moRef(),
                    labels,
                    ConfigSummary.of(cfg),
                    enc,
                    inputs,
                    files,
                    previous != null && inputs.stream().anyMatch(in -> in.base() != null)
                            ? previous.ref().id()
                            : null);
            job.checkCancelled();
            return new BackupWriter(repo, options.threads(), job.progress(), options.lockWait()).write(req);
        } finally {
            for (DiskSource s : sources) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // nothing to release that matters after the backup
                }
            }
        }
    }

    /**
     * A disk's input: incremental from the previous backup's changeId when changed block tracking
     * answers for it, full otherwise (first backup, changeId reset, disk resized, no CBT).
     */
    private BackupRequest.DiskInput input(
            VmInfo vm,
            ManagedObjectReference snap,
            VirtualDisk d,
            String changeId,
            DiskSource src,
            Repository.Listed previous,
            int index)
            throws IOException {
        long capacity = src.capacity();
        if (changeId == null) {
            return new BackupRequest.DiskInput(src, null, null, null);
        }
        Manifest.DiskEntry before = previous == null
                ? null
                : previous.manifest().disks().stream()
                        .filter(e -> e.key().equals("disk" + index))
                        .findFirst()
                        .orElse(null);
        String why = Cbt.whyFull(before, capacity);
        if (why != null) {
            job.log(label(d) + ": full read (" + why + ")");
            List<Extent> used = changedAreas(vm, snap, d, capacity, "*");
            return new BackupRequest.DiskInput(used == null ? src : new Allocated(src, used), null, null, changeId);
        }
        List<Extent> changed = changedAreas(vm, snap, d, capacity, before.changeId());
        if (changed == null) {
            job.log(label(d) + ": full read (the change tracking chain is broken or not available)");
            return new BackupRequest.DiskInput(src, null, null, changeId);
        }
        DiskIndex base = repo.readIndex(previous.ref(), before);
        job.log(label(d) + ": " + changed.size() + " changed areas since changeId " + before.changeId());
        return new BackupRequest.DiskInput(src, base, changed, changeId);
    }

    /** QueryChangedDiskAreas over the whole disk; null when the server cannot answer (vcsim, CBT reset). */
    private List<Extent> changedAreas(
            VmInfo vm, ManagedObjectReference snap, VirtualDisk d, long capacity, String since) {
        try {
            return Cbt.collect(
                    capacity, offset -> c.port().queryChangedDiskAreas(vm.ref(), snap, d.getKey(), offset, since));
        } catch (Exception e) {
            job.log(label(d) + ": QueryChangedDiskAreas(" + since + ") not available: "
                    + Faults.translate("QueryChangedDiskAreas", vm.ref(), e).getMessage());
            return null;
        }
    }

    private void enableCbt(VmInfo vm) throws VsphereException {
        Object on = Props.one(c, vm.ref(), "config.changeTrackingEnabled");
        if (Boolean.TRUE.equals(on)) {
            return;
        }
        job.log("enabling changed block tracking on " + vm.name());
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

    private void checkPrivileges(ManagedObjectReference vm) throws VsphereException {
        ManagedObjectReference auth = c.serviceContent().getAuthorizationManager();
        UserSession session = (UserSession) Props.one(c, c.serviceContent().getSessionManager(), "currentSession");
        if (auth == null || session == null) {
            job.log("privileges not checked: the server has no authorization manager");
            return;
        }
        List<Boolean> has;
        try {
            has = c.port().hasPrivilegeOnEntity(auth, vm, session.getKey(), PRIVILEGES);
        } catch (Exception e) {
            if (Faults.isMethodNotFound(e)) {
                job.log("privileges not checked: the server does not implement HasPrivilegeOnEntity");
                return;
            }
            throw Faults.translate("HasPrivilegeOnEntity", vm, e);
        }
        List<String> missing = new ArrayList<>();
        for (int i = 0; i < PRIVILEGES.size() && i < has.size(); i++) {
            if (!Boolean.TRUE.equals(has.get(i))) {
                missing.add(PRIVILEGES.get(i));
            }
        }
        if (!missing.isEmpty()) {
            throw new VsphereException("user " + session.getUserName() + " lacks privileges on " + Faults.describe(vm)
                    + " that a backup needs: " + String.join(", ", missing));
        }
    }

    private void addFile(DatastoreClient ds, DatastorePath path, String role, List<BackupRequest.FileInput> files)
            throws IOException {
        try {
            byte[] content = ds.readAll(path, 64 << 20);
            files.add(new BackupRequest.FileInput(role, path.fileName(), content));
        } catch (NoSuchFileException e) {
            job.log("no " + role + " file at " + path + "; backed up without it");
        }
    }

    public static List<VirtualDisk> disks(VirtualMachineConfigInfo cfg) {
        Map<Integer, VirtualDevice> byKey = new LinkedHashMap<>();
        for (VirtualDevice d : cfg.getHardware().getDevice()) {
            byKey.put(d.getKey(), d);
        }
        List<VirtualDisk> out = new ArrayList<>();
        for (VirtualDevice d : cfg.getHardware().getDevice()) {
            if (d instanceof VirtualDisk vd) {
                out.add(vd);
            }
        }
        // controller bus number, then unit number: the order a restore adds them back in
        out.sort(Comparator.comparingInt((VirtualDisk d) -> busOf(byKey.get(d.getControllerKey())))
                .thenComparingInt(d -> d.getControllerKey() == null ? 0 : d.getControllerKey())
                .thenComparingInt(d -> d.getUnitNumber() == null ? 0 : d.getUnitNumber()));
        return out;
    }

    private static int busOf(VirtualDevice controller) {
        return controller instanceof com.vmware.vim25.VirtualController vc ? vc.getBusNumber() : 0;
    }

    static String label(VirtualDevice d) {
        return d.getDeviceInfo() != null && d.getDeviceInfo().getLabel() != null
                ? d.getDeviceInfo().getLabel()
                : "disk " + d.getKey();
    }

    private static String extraConfig(VirtualMachineConfigInfo cfg, String key) {
        for (OptionValue o : cfg.getExtraConfig()) {
            if (key.equals(o.getKey()) && o.getValue() != null) {
                return String.valueOf(o.getValue());
            }
        }
        return null;
    }

    private static String keyId(VirtualMachineConfigInfo cfg) {
        var k = cfg.getKeyId();
        String provider = k.getProviderId() == null ? null : k.getProviderId().getId();
        return provider == null ? k.getKeyId() : provider + "/" + k.getKeyId();
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
