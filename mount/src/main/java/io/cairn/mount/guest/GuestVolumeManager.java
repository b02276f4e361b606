package io.cairn.mount.guest;

import io.cairn.mount.fat.FatFileSystem;
import io.cairn.mount.fuse.FuseMount;
import io.cairn.mount.fuse.MountTable;
import io.cairn.mount.image.Image;
import io.cairn.mount.sandbox.DriverProcess;
import io.cairn.mount.sandbox.HostCommand;
import io.cairn.mount.sandbox.Sandbox;
import io.cairn.mount.sandbox.SandboxUnavailableException;
import io.cairn.mount.tree.BackupTree;
import io.cairn.mount.tree.GuestVolumes;
import io.cairn.mount.tree.Link;
import io.cairn.mount.tree.Node;
import io.cairn.mount.tree.Nodes;
import io.cairn.mount.volume.FsType;
import io.cairn.mount.volume.PartitionOrder;
import io.cairn.mount.volume.Unsupported;
import io.cairn.mount.volume.Volume;
import io.cairn.mount.volume.VolumeScan;
import io.cairn.mount.volume.VolumeScanner;
import io.cairn.vixmntbridge.vmdk.VmdkWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The open fallback for guest volumes: finds each backup's volumes (partitions, LVM), serves FAT
 * itself, and shows ext2/3/4 and NTFS through sandboxed user-space drivers and XFS through a
 * sandboxed micro-VM ({@link Drivers}, {@link io.cairn.mount.sandbox.Sandbox}), each started when
 * its link is first followed. No guest file system is ever mounted by the machine's own kernel.
 * Everything it cannot show is listed in {@code UNSUPPORTED.txt}.
 *
 * <p>Layout inside the mount: {@code .cairn/vol/<key>} is a file holding exactly one volume (what
 * the driver reads: ntfs-3g takes no offset, and an LV may be several pieces of several disks);
 * {@code .cairn/mnt/<key>} is where the driver's FUSE connection is mounted; {@code volumes/<name>}
 * is a relative link to that directory. Mounting on first {@code readlink} rather than at start
 * keeps a repository with thousands of backups cheap to mount, and mounting outside the looked-up
 * path avoids the kernel's lookup lock on the very name being resolved.
 */
public final class GuestVolumeManager implements GuestVolumes {
    /** After a driver failed on a volume, following its link fails at once for this long (no restart storm). */
    private static final Duration FAILURE_MEMORY = Duration.ofSeconds(60);

    private static final Duration STOP_GRACE = Duration.ofSeconds(5);

    /**
     * How the guest volumes of a mount are shown.
     *
     * @param allowOther whether every local user may read the volumes' files (their modes decide),
     *        or only cairn's own user (the default; cairn mount --allow-other)
     * @param microVmCache where the micro-VM's appliance is built and kept (root-owned, world-readable)
     * @param maxDrivers how many sandboxed drivers may run at once (each some 10-50 MB); the oldest
     *        one whose volume is not in use is stopped to start another
     * @param maxMicroVms how many of those may be micro-VMs (each some 500 MB)
     */
    public record Options(boolean allowOther, Path microVmCache, int maxDrivers, int maxMicroVms) {
        public Options {
            if (maxDrivers < 1 || maxMicroVms < 1) {
                throw new IllegalArgumentException("at least one driver and one micro-VM");
            }
        }

        /** Private to cairn's user; the micro-VM appliance in /var/cache/cairn/microvm; 32 drivers, 2 micro-VMs. */
        public static Options defaults() {
            return new Options(false, Path.of("/var/cache/cairn/microvm"), 32, 2);
        }

        public Options withAllowOther(boolean allowOther) {
            return new Options(allowOther, microVmCache, maxDrivers, maxMicroVms);
        }

        public Options withMicroVmCache(Path microVmCache) {
            return new Options(allowOther, microVmCache, maxDrivers, maxMicroVms);
        }

        public Options withLimits(int maxDrivers, int maxMicroVms) {
            return new Options(allowOther, microVmCache, maxDrivers, maxMicroVms);
        }
    }

    private final Path mountPoint;
    private final Options options;
    private final Consumer<String> log;
    private final Map<String, Registered> registered = new ConcurrentHashMap<>();
    private final List<Registered> mountedOrder = Collections.synchronizedList(new ArrayList<>());
    private final Instant started = Instant.now();
    private volatile boolean closing;
    /** Held while making room for a new driver: one eviction at a time. */
    private final Object evictions = new Object();
    /** Found on first need (guarded by this): the sandbox and micro-VM cost a self-test and a directory. */
    private Drivers drivers;

    private Sandbox sandbox;
    private MicroVm microVm;

    /** Mounts by whole disk ahead of the drivers (VixMntapi), or null. */
    private final VolumeMounter mounter;
    /** Disks offered to {@link #mounter}, shown under {@code .cairn/disk/<backup key>/} as flat VMDKs. */
    private final Map<String, Map<String, Image>> mounterDisks = new ConcurrentHashMap<>();

    private static final class Registered {
        final String key;
        final Volume volume;
        final Driver driver; // null when only the mounter can
        final VolumeMounter.Request request; // null when the mounter is not offered it
        volatile boolean mounted;
        volatile boolean byMounter; // mounted by the mounter: no driver process of cairn's to limit or stop
        volatile DriverProcess process;
        volatile String failure;
        volatile long failedAt;

        Registered(String key, Volume volume, Driver driver, VolumeMounter.Request request) {
            this.key = key;
            this.volume = volume;
            this.driver = driver;
            this.request = request;
        }
    }

    /**
     * @param mountPoint the FUSE mount's absolute path, or null for a tree without a mount (tests):
     *        then only volumes cairn reads itself are shown, the rest are listed as unsupported
     * @param allowKernelMounts ignored: the kernel never mounts a guest file system any more (kept
     *        so that callers of the old signature compile; XFS goes through the micro-VM)
     * @deprecated use {@link #GuestVolumeManager(Path, Options, Consumer)}
     */
    @Deprecated
    public GuestVolumeManager(Path mountPoint, boolean allowKernelMounts, Consumer<String> log) {
        this(mountPoint, Options.defaults(), log);
    }

    /**
     * @param mountPoint the FUSE mount's absolute path, or null for a tree without a mount (tests):
     *        then only volumes cairn reads itself are shown, the rest are listed as unsupported
     */
    public GuestVolumeManager(Path mountPoint, Options options, Consumer<String> log) {
        this(mountPoint, options, null, log);
    }

    /**
     * @param mounter mounts the volumes it takes ahead of the drivers (VixMntapi, where a VDDK was
     *     given), or null; closed by {@link #unmountAll}
     */
    public GuestVolumeManager(Path mountPoint, Options options, VolumeMounter mounter, Consumer<String> log) {
        this.mountPoint = mountPoint;
        this.options = options;
        this.mounter = mountPoint == null ? null : mounter;
        this.log = log;
    }

    private synchronized Drivers drivers() {
        if (drivers == null) {
            String sandboxMissing = null;
            try {
                sandbox = Sandbox.open(log);
            } catch (SandboxUnavailableException e) {
                sandboxMissing = e.getMessage();
                log.accept("guest volumes other than FAT cannot be shown: " + sandboxMissing);
            }
            String vmMissing = null;
            try {
                microVm = MicroVm.detect(options.microVmCache(), log);
            } catch (IOException e) {
                vmMissing = e.getMessage();
            }
            drivers = Drivers.detect(sandboxMissing, microVm, vmMissing);
        }
        return drivers;
    }

    @Override
    public List<Node> entries(String backupKey, LinkedHashMap<String, Image> disks, int depth) throws IOException {
        VolumeScan scan = VolumeScanner.scan(disks);
        List<Node> out = new ArrayList<>();
        List<String> unsupported = new ArrayList<>();
        for (Unsupported u : scan.unsupported()) {
            unsupported.add(u.name() + ": " + u.reason());
        }
        for (Volume v : scan.volumes()) {
            String name = BackupTree.safeName(v.name(), "volume");
            FsType t = v.fsType();
            if (t == FsType.FAT12 || t == FsType.FAT16 || t == FsType.FAT32) {
                try {
                    out.add(FatTree.root(name, FatFileSystem.open(v.image()), started));
                } catch (IOException e) {
                    unsupported.add(name + ": " + t.displayName() + " volume cannot be read: " + e.getMessage());
                }
                continue;
            }
            if (mountPoint == null) {
                unsupported.add(name + ": " + t.displayName() + " volumes are shown only through a FUSE mount");
                continue;
            }
            Driver d = drivers().forType(t);
            String key = backupKey + "-" + name;
            VolumeMounter.Request request =
                    mounter != null && mounter.takes(t) ? request(backupKey, key, v, disks) : null;
            if (d == null && request == null) {
                unsupported.add(name + ": " + drivers().whyNot(t));
                continue;
            }
            registered.putIfAbsent(key, new Registered(key, v, d, request));
            out.add(link(name, key, depth));
        }
        if (!unsupported.isEmpty() || !scan.warnings().isEmpty()) {
            StringBuilder b = new StringBuilder("Volumes of this backup that cairn cannot show, and why:\n\n");
            unsupported.forEach(l -> b.append(l).append('\n'));
            if (!scan.warnings().isEmpty()) {
                b.append("\nWarnings:\n");
                scan.warnings().forEach(w -> b.append(w).append('\n'));
            }
            out.add(Nodes.bytes("UNSUPPORTED.txt", started, b.toString().getBytes(StandardCharsets.UTF_8)));
        }
        return out;
    }

    /**
     * What {@link #mounter} needs to mount {@code v}: the disk it is on (offered under
     * {@code .cairn/disk}) and its index among that disk's volumes; null for what VixMntapi cannot
     * name (a logical volume, a logical partition, a disk cairn cannot read the table of).
     */
    private VolumeMounter.Request request(String backupKey, String key, Volume v, Map<String, Image> disks) {
        for (Map.Entry<String, Image> disk : disks.entrySet()) {
            String diskName = disk.getKey();
            int index;
            int count;
            try {
                if (v.name().equals(diskName)) {
                    if (!PartitionOrder.of(disk.getValue(), diskName).isEmpty()) {
                        return null;
                    }
                    index = 0;
                    count = 1;
                } else if (v.name().startsWith(diskName + "-p")
                        && v.name().substring(diskName.length() + 2).matches("[0-9]{1,4}")) {
                    List<Integer> order = PartitionOrder.of(disk.getValue(), diskName);
                    index = order.indexOf(Integer.parseInt(v.name().substring(diskName.length() + 2)));
                    count = order.size();
                    if (index < 0) {
                        return null;
                    }
                } else {
                    continue;
                }
            } catch (IOException e) {
                return null;
            }
            if (disk.getValue().size() % 512 != 0 || !diskName.matches("[A-Za-z0-9._+-]+")) {
                return null; // no VMDK describes it, or its name would not do as a file name
            }
            mounterDisks
                    .computeIfAbsent(backupKey, k -> new ConcurrentHashMap<>())
                    .put(diskName, disk.getValue());
            Path descriptor =
                    mountPoint.resolve(".cairn/disk").resolve(backupKey).resolve(diskName + ".vmdk");
            return new VolumeMounter.Request(key, descriptor, index, count, v.fsType());
        }
        return null;
    }

    private Link link(String name, String key, int depth) {
        String target = "../".repeat(depth) + ".cairn/mnt/" + key;
        return new Link() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Instant modified() {
                return started;
            }

            @Override
            public String target() {
                return target;
            }

            @Override
            public String follow() throws IOException {
                ensureMounted(registered.get(key));
                return target;
            }
        };
    }

    @Override
    public List<Node> internals() {
        List<Node> vols = new ArrayList<>();
        List<Node> mnts = new ArrayList<>();
        List<Registered> all = new ArrayList<>(registered.values());
        all.sort((a, b) -> a.key.compareTo(b.key));
        for (Registered r : all) {
            // the sandboxed driver reads its volume as the sandbox's group: see Sandbox
            vols.add(Nodes.image(r.key, started, r.volume.image(), Sandbox.GID));
            mnts.add(Nodes.dir(r.key, started, List.of()));
        }
        if (vols.isEmpty()) {
            return List.of();
        }
        List<Node> out = new ArrayList<>(List.of(Nodes.dir("mnt", started, mnts), Nodes.dir("vol", started, vols)));
        if (!mounterDisks.isEmpty()) {
            out.add(Nodes.dir("disk", started, diskNodes()));
        }
        return out;
    }

    /** {@code .cairn/disk/<backup key>/<disk>.vmdk} and its flat extent, for {@link #mounter}. */
    private List<Node> diskNodes() {
        List<Node> backups = new ArrayList<>();
        List<String> keys = new ArrayList<>(mounterDisks.keySet());
        Collections.sort(keys);
        for (String backupKey : keys) {
            List<Node> files = new ArrayList<>();
            for (Map.Entry<String, Image> d : new java.util.TreeMap<>(mounterDisks.get(backupKey)).entrySet()) {
                String flat = d.getKey() + "-flat.vmdk";
                long cid = d.getKey().hashCode() & 0xffffffffL;
                String descriptor = VmdkWriter.flatDescriptor(flat, d.getValue().size(), Map.of(), cid);
                files.add(Nodes.bytes(d.getKey() + ".vmdk", started, descriptor.getBytes(StandardCharsets.UTF_8)));
                files.add(Nodes.image(flat, started, d.getValue()));
            }
            backups.add(Nodes.dir(backupKey, started, files));
        }
        return backups;
    }

    private void ensureMounted(Registered r) throws IOException {
        if (r.mounted) {
            return;
        }
        synchronized (r) {
            if (r.mounted) {
                return;
            }
            if (closing) {
                throw new IOException("the mount is closing");
            }
            if (r.failure != null && System.nanoTime() - r.failedAt < FAILURE_MEMORY.toNanos()) {
                throw new IOException(r.failure);
            }
            Path target = mountPoint.resolve(".cairn/mnt").resolve(r.key);
            Path source = mountPoint.resolve(".cairn/vol").resolve(r.key);
            if (MountTable.at(target) == null && r.request != null && mountedBy(r, target)) {
                return;
            }
            if (r.driver == null) {
                if (MountTable.at(target) == null) {
                    r.failedAt = System.nanoTime();
                    throw new IOException(r.failure);
                }
                r.mounted = true; // the mounter's, from before
                r.byMounter = true;
                return;
            }
            String what = r.driver.name() + " for " + r.volume.name() + " ("
                    + r.volume.fsType().displayName() + ")";
            long t0 = System.nanoTime();
            if (MountTable.at(target) == null) {
                makeRoom(r); // not remembered as the volume's failure: it passes once files are closed
                try {
                    start(r, source, target);
                } catch (IOException e) {
                    r.failure = what + " failed: " + e.getMessage();
                    r.failedAt = System.nanoTime();
                    log.accept(r.failure);
                    throw new IOException(r.failure, e);
                }
            }
            r.mounted = true;
            mountedOrder.add(r);
            log.accept("mounted " + r.volume.name() + " (" + r.volume.fsType().displayName() + ") with "
                    + r.driver.name() + " in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        }
    }

    /**
     * Mounts {@code r} with {@link #mounter} and binds its directory onto {@code target}; false (the
     * failure logged, and kept when no driver is left) when it cannot, so the open fallback is tried.
     */
    private boolean mountedBy(Registered r, Path target) {
        try {
            if (FuseMount.uid() != 0) {
                throw new IOException("binding its mount into the tree needs root");
            }
            Path files = mounter.mount(r.request);
            Path mount = Drivers.find("mount");
            if (mount == null) {
                throw new IOException("mount(8) is not installed");
            }
            bind(files, target, mount, "binding " + mounter.name() + "'s mount of " + r.volume.name());
            if (MountTable.at(target) == null) {
                throw new IOException("nothing is mounted on " + target + " after the bind");
            }
        } catch (IOException e) {
            r.failure = mounter.name() + " could not mount " + r.volume.name() + ": " + e.getMessage();
            log.accept(r.failure + (r.driver == null ? "" : "; the open fallback (" + r.driver.name() + ") mounts it"));
            return false;
        }
        r.byMounter = true;
        r.mounted = true;
        mountedOrder.add(r);
        log.accept("mounted " + r.volume.name() + " (" + r.volume.fsType().displayName() + ") with " + mounter.name());
        return true;
    }

    private static void bind(Path files, Path target, Path mount, String what) throws IOException {
        Process p = HostCommand.of(List.of(mount.toString(), "--bind", files.toString(), target.toString()))
                .redirectErrorStream(true)
                .start();
        p.getOutputStream().close();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(what + " did not finish in 60 s");
            }
            if (p.exitValue() != 0) {
                throw new IOException(what + " failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(what + " was interrupted");
        }
    }

    /**
     * A hostile backup may hold hundreds of volumes, and a micro-VM takes some 500 MB: at most
     * {@link Options#maxDrivers} drivers ({@link Options#maxMicroVms} micro-VMs) run at once. To
     * start one more, the oldest whose volume is not in use (its unmount succeeds) is stopped; its
     * link mounts it again when followed. When every one is in use, this fails with the reason.
     */
    private void makeRoom(Registered r) throws IOException {
        boolean vm = r.driver.kind() == Driver.Kind.MICRO_VM;
        int limit = vm ? options.maxMicroVms() : options.maxDrivers();
        synchronized (evictions) {
            while (true) {
                List<Registered> running;
                synchronized (mountedOrder) {
                    running = new ArrayList<>(mountedOrder);
                }
                running.removeIf(x -> x.byMounter);
                if (vm) {
                    running.removeIf(x -> x.driver.kind() != Driver.Kind.MICRO_VM);
                }
                if (running.size() < limit) {
                    return;
                }
                boolean freed = false;
                for (Registered old : running) {
                    if (evict(old, limit, vm)) {
                        freed = true;
                        break;
                    }
                }
                if (!freed) {
                    throw new IOException(limit + (vm ? " micro-VMs" : " guest volume drivers")
                            + " run already and their volumes are in use (open files or working directories):"
                            + " close some and try again");
                }
            }
        }
    }

    /** Stops the driver of {@code old} if its volume can be unmounted now (nothing open on it). */
    private boolean evict(Registered old, int limit, boolean vm) {
        Path target = mountPoint.resolve(".cairn/mnt").resolve(old.key);
        try {
            Path umount = Drivers.find("umount");
            if (umount == null) {
                return false;
            }
            Process p = HostCommand.of(List.of(umount.toString(), target.toString()))
                    .redirectErrorStream(true)
                    .start();
            p.getInputStream().readAllBytes();
            if (p.waitFor() != 0 || MountTable.at(target) != null) {
                return false; // busy: keep it
            }
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        old.mounted = false;
        mountedOrder.remove(old);
        DriverProcess p = old.process;
        old.process = null;
        if (p != null) {
            p.stop(STOP_GRACE);
        }
        log.accept("stopped " + old.driver.name() + " for " + old.volume.name() + " to make room (at most " + limit
                + (vm ? " micro-VMs" : " drivers") + " at once; it starts again when opened)");
        return true;
    }

    private void start(Registered r, Path source, Path target) throws IOException {
        Sandbox s;
        MicroVm vm;
        synchronized (this) {
            s = sandbox; // set whenever a driver was offered
            vm = microVm;
        }
        List<Path> readOnly = List.of();
        Path appliance = null;
        if (r.driver.kind() == Driver.Kind.MICRO_VM) {
            appliance = vm.appliance();
            readOnly = List.of(appliance);
        }
        DriverProcess p = s.start(new Sandbox.Launch(
                r.driver.name(),
                source,
                target,
                r.driver.command(),
                r.driver.environment(appliance),
                readOnly,
                options.allowOther()));
        try {
            p.awaitReady(r.driver.readyTimeout());
        } catch (IOException e) {
            unmount(target, log);
            p.stop(Duration.ZERO);
            throw e;
        }
        r.process = p;
    }

    /**
     * Unmounts every guest volume this mount mounted, newest first; a busy one is detached lazily
     * so the FUSE mount below it can go. Never throws: it runs on the way out.
     */
    public void unmountAll() {
        closing = true;
        if (mountPoint == null) {
            return;
        }
        List<Registered> order;
        synchronized (mountedOrder) {
            order = new ArrayList<>(mountedOrder);
        }
        Collections.reverse(order);
        for (Registered r : order) {
            Path target = mountPoint.resolve(".cairn/mnt").resolve(r.key);
            unmount(target, log);
            r.mounted = false;
            DriverProcess p = r.process;
            if (p != null) {
                p.stop(STOP_GRACE);
                r.process = null;
            }
        }
        // anything else below .cairn (mounted by hand, or left by an earlier crash of this same mount)
        try {
            for (MountTable.Entry e : MountTable.atOrBelow(mountPoint.resolve(".cairn"))) {
                unmount(e.mountPoint(), log);
            }
        } catch (IOException e) {
            log.accept("cannot read the mount table: " + e.getMessage());
        }
        if (mounter != null) {
            // its mounts read the disks under .cairn/disk: dismounted while the FUSE mount is still there
            mounter.close();
        }
        synchronized (this) {
            if (sandbox != null) {
                sandbox.close();
            }
        }
    }

    /** umount(8), then a lazy unmount if the filesystem is busy. */
    public static void unmount(Path target, Consumer<String> log) {
        try {
            if (MountTable.at(target) == null) {
                return;
            }
            Path umount = Drivers.find("umount");
            List<String> cmd = umount != null && FuseMount.uid() == 0
                    ? List.of(umount.toString(), target.toString())
                    : List.of(String.valueOf(Drivers.find("fusermount")), "-u", target.toString());
            Process p = HostCommand.of(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (p.waitFor() != 0 && MountTable.at(target) != null) {
                List<String> lazy = new ArrayList<>(cmd);
                lazy.add(1, umount != null && FuseMount.uid() == 0 ? "-l" : "-z");
                Process q = HostCommand.of(lazy).redirectErrorStream(true).start();
                q.getInputStream().readAllBytes();
                q.waitFor();
                log.accept("unmounted " + target + " lazily (" + out + ")");
            }
        } catch (IOException e) {
            log.accept("cannot unmount " + target + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
