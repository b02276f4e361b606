package io.cairn.vixmntbridge.mntapi;

import io.cairn.vixmntbridge.VixException;
import io.cairn.vixmntbridge.vddk.VddkDisk;
import io.cairn.vixmntbridge.vddk.VddkLibrary;
import java.nio.file.Path;
import java.util.Objects;

/**
 * What the mount layer calls to mount guest volumes with VMware's VixMntapi, and to decide first
 * whether it can: {@link #probe} answers without loading anything, so the caller picks VixMntapi or
 * its open fallback without touching JNA.
 *
 * <pre>
 * GuestMounter.Availability a = GuestMounter.probe(vddkDir);
 * if (a.available()) {
 *     try (GuestMounter m = GuestMounter.load(vddkDir, vddk, workDir);
 *          DiskSet set = m.open(vddk.open(target), true)) {
 *         MountedVolume v = set.mount(set.volumes().get(0)); // files under v.path()
 *     }
 * } else {
 *     log(a.reason()); // use the open fallback
 * }
 * </pre>
 *
 * <p>VMware's restrictions (VDDK Programming Guide, "Virtual Disk Mount API"): on Linux VixMntapi
 * mounts only Linux guest volumes that the host kernel can mount itself (ext2/3/4, XFS, …; not NTFS,
 * not LVM, swap or extended partitions) through FUSE; {@code VixMntapi_Init} runs once per process;
 * and only one program using VixMntapi may run at a time per host. cairn enforces the last rule
 * among its own processes and mounts with a lock file ({@link MntapiLibrary#DEFAULT_LOCK_FILE}): a
 * second {@link #load} while one is loaded fails, and {@link #probe} reports the lock as held.
 */
public interface GuestMounter extends AutoCloseable {

    /**
     * Whether VixMntapi can be used here.
     *
     * @param available the library files are there and the lock is free (loading may still fail)
     * @param reason why not, in one line naming what is missing; empty when available
     */
    record Availability(boolean available, String reason) {
        public Availability {
            Objects.requireNonNull(reason, "reason");
        }

        static Availability yes() {
            return new Availability(true, "");
        }

        static Availability no(String reason) {
            return new Availability(false, reason);
        }
    }

    /**
     * Whether VixMntapi is usable with the VDDK in {@code vddkDir} (null: {@code VDDK_HOME}): 64-bit
     * Linux, {@code lib64/libvixMntapi.so} beside {@code libvixDiskLib.so}, and cairn's VixMntapi lock
     * free. Loads nothing.
     */
    static Availability probe(Path vddkDir) {
        return MntapiLibrary.probe(vddkDir, System.getenv(), MntapiLibrary.DEFAULT_LOCK_FILE);
    }

    /**
     * Takes cairn's VixMntapi lock, loads {@code libvixMntapi.so} and calls {@code VixMntapi_Init};
     * {@code vddk} must be the process's initialised VixDiskLib (VixMntapi runs on top of it).
     * {@code VixMntapi_Init} may run only once per process (VMware), so a second load after a
     * {@link #close()} fails: keep one instance for the life of the process.
     *
     * @throws VixException when the library is absent or cannot be loaded, the lock is held, or Init fails
     */
    static GuestMounter load(Path vddkDir, VddkLibrary vddk, Path workDir) throws VixException {
        return MntapiLibrary.load(vddkDir, vddk, workDir);
    }

    /**
     * Opens {@code disk} for mounting and lists its volumes. The set owns {@code disk} from now on and
     * closes it after {@code VixMntapi_CloseDiskSet}, also when this call fails.
     */
    DiskSet open(VddkDisk disk, boolean readOnly) throws VixException;

    /** Closes the disk sets still open, {@code VixMntapi_Exit}, releases the lock. */
    @Override
    void close() throws VixException;
}
