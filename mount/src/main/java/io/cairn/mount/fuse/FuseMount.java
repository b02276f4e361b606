package io.cairn.mount.fuse;

import io.cairn.mount.tree.BackupTree;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A mounted {@link BackupTree}: checks what a mount needs before trying (a directory to mount on,
 * {@code /dev/fuse}, libfuse2, the right to mount), mounts through jnr-fuse, and then checks
 * {@code /proc/self/mountinfo} that the mount is really there.
 */
public final class FuseMount implements AutoCloseable {
    /** The filesystem type the kernel shows: {@code fuse.cairn}. */
    public static final String FS_TYPE = "fuse.cairn";

    private final Path mountPoint;
    private final CairnFuse fs;
    private final Runnable beforeUnmount;
    private volatile boolean closed;

    private FuseMount(Path mountPoint, CairnFuse fs, Runnable beforeUnmount) {
        this.mountPoint = mountPoint;
        this.fs = fs;
        this.beforeUnmount = beforeUnmount;
    }

    /**
     * Mounts {@code tree} read-only at {@code mountPoint}, readable only by this process's user
     * (see {@link #mount(BackupTree, Path, String, Consumer, Runnable, boolean)}).
     */
    public static FuseMount mount(
            BackupTree tree, Path mountPoint, String fsName, Consumer<String> log, Runnable beforeUnmount)
            throws MountException {
        return mount(tree, mountPoint, fsName, log, beforeUnmount, false);
    }

    /**
     * Mounts {@code tree} read-only at {@code mountPoint}.
     *
     * <p>Who may read it: with {@code allowOther}, every local user, as the file modes allow (the
     * kernel's {@code allow_other} and {@code default_permissions}; cairn mount --allow-other).
     * Without it, the kernel lets only this process's user in: a root user's mount of decrypted
     * backups is root's alone unless asked otherwise.
     *
     * @param fsName shown as the mount's source (e.g. {@code cairn:/srv/repo})
     * @param beforeUnmount runs before the FUSE mount goes away (unmounts guest volumes)
     * @throws MountException naming what is missing or wrong
     */
    public static FuseMount mount(
            BackupTree tree,
            Path mountPoint,
            String fsName,
            Consumer<String> log,
            Runnable beforeUnmount,
            boolean allowOther)
            throws MountException {
        Path mp = mountPoint.toAbsolutePath().normalize();
        preflight(mp);
        int uid = ids("-u");
        int gid = ids("-g");
        CairnFuse fs;
        try {
            fs = new CairnFuse(tree, uid, gid, log, beforeUnmount);
        } catch (LinkageError | RuntimeException e) {
            throw new MountException(
                    "cannot load libfuse2 (" + e.getMessage() + "): install the Debian package libfuse2");
        }
        List<String> opts = new ArrayList<>(List.of(
                "ro",
                "nosuid",
                "nodev",
                "fsname=" + fsName.replace(",", "_"),
                "subtype=cairn",
                "kernel_cache",
                "entry_timeout=2",
                "attr_timeout=2",
                "negative_timeout=1",
                "max_read=131072"));
        if (allowOther) {
            // only when asked: every local user, as the file modes (0444/0555) allow
            opts.add("allow_other");
            opts.add("default_permissions");
        }
        try {
            fs.mount(mp, false, false, new String[] {"-o", String.join(",", opts)});
        } catch (RuntimeException e) {
            throw new MountException("mounting " + mp + " failed: " + e.getMessage(), e);
        }
        FuseMount m = new FuseMount(mp, fs, beforeUnmount);
        try {
            MountTable.Entry e = waitForMount(mp, 5000);
            if (e == null || !FS_TYPE.equals(e.fsType())) {
                throw new MountException("mounting " + mp + " failed: the kernel shows no cairn mount there"
                        + " (see the FUSE messages above; is another filesystem mounted on it?)");
            }
        } catch (IOException e) {
            try {
                fs.umount();
            } catch (RuntimeException ignored) {
                // nothing was mounted
            }
            throw e instanceof MountException me
                    ? me
                    : new MountException("mounting " + mp + " failed: " + e.getMessage(), e);
        }
        return m;
    }

    private static void preflight(Path mp) throws MountException {
        if (!Files.exists(mp)) {
            throw new MountException("mount point " + mp + " does not exist: create it with mkdir");
        }
        if (!Files.isDirectory(mp)) {
            throw new MountException("mount point " + mp + " is not a directory");
        }
        try {
            MountTable.Entry e = MountTable.at(mp);
            if (e != null) {
                throw new MountException("mount point " + mp + " is busy: " + e.fsType() + " from " + e.source()
                        + " is mounted there"
                        + (FS_TYPE.equals(e.fsType())
                                ? " (unmount it with 'cairn umount " + mp + "', or 'cairn mount --cleanup " + mp
                                        + "' if its process is gone)"
                                : ""));
            }
            try (var s = Files.list(mp)) {
                if (s.findAny().isPresent()) {
                    throw new MountException("mount point " + mp + " is not empty: use an empty directory");
                }
            }
        } catch (MountException e) {
            throw e;
        } catch (IOException e) {
            throw new MountException("cannot inspect mount point " + mp + ": " + e.getMessage(), e);
        }
        Path dev = Path.of("/dev/fuse");
        if (!Files.exists(dev)) {
            throw new MountException("/dev/fuse does not exist: load the fuse kernel module (modprobe fuse),"
                    + " or give the container the device (--device /dev/fuse)");
        }
        if (!Files.isReadable(dev) || !Files.isWritable(dev)) {
            throw new MountException("/dev/fuse is not readable and writable for this user: run cairn mount as root"
                    + " or add the user to the group owning /dev/fuse");
        }
        if (ids("-u") != 0
                && !Files.isExecutable(Path.of("/usr/bin/fusermount"))
                && !Files.isExecutable(Path.of("/bin/fusermount"))) {
            throw new MountException(
                    "mounting as a normal user needs fusermount (Debian package fuse3): run cairn mount as root");
        }
    }

    private static MountTable.Entry waitForMount(Path mp, long millis) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (true) {
            MountTable.Entry e = MountTable.at(mp);
            if (e != null && FS_TYPE.equals(e.fsType())) {
                return e;
            }
            if (System.nanoTime() > deadline) {
                return e;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while waiting for the mount");
            }
        }
    }

    public Path mountPoint() {
        return mountPoint;
    }

    /** Blocks until the filesystem is unmounted (by {@code cairn umount}, umount(8) or {@link #close}). */
    public void awaitUnmount() throws InterruptedException {
        while (!fs.destroyed.await(1, TimeUnit.SECONDS)) {
            try {
                MountTable.Entry e = MountTable.at(mountPoint);
                if (e == null || !FS_TYPE.equals(e.fsType())) {
                    return;
                }
            } catch (IOException ignored) {
                // keep waiting on the latch
            }
        }
    }

    /** Unmounts guest volumes, then the FUSE filesystem. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        fs.umount();
    }

    /** The numeric user id of this process (id -u); -1 when unknown. */
    public static int uid() {
        return ids("-u");
    }

    /** The numeric user or group id of this process (id -u / id -g). */
    static int ids(String flag) {
        try {
            Object v = Files.getAttribute(Path.of("/proc/self"), flag.equals("-u") ? "unix:uid" : "unix:gid");
            return ((Number) v).intValue();
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return -1;
        }
    }
}
