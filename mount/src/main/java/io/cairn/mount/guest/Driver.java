package io.cairn.mount.guest;

import io.cairn.mount.sandbox.Sandbox;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A way to show one kind of guest file system: a user-space FUSE driver (fuse2fs, ntfs-3g), or the
 * micro-VM (guestmount) for file systems only a kernel reads. Every one runs in cairn's
 * {@link Sandbox}, read-only, without replaying a journal; none is ever the appliance's kernel.
 *
 * @param name shown in messages and as the FUSE subtype ("fuse2fs", "ntfs-3g", "micro-vm")
 * @param program absolute path of the program run in the sandbox
 */
record Driver(String name, Kind kind, Path program) {

    enum Kind {
        FUSE2FS,
        NTFS3G,
        MICRO_VM
    }

    /** The command inside the sandbox: it reads {@link Sandbox#VOLUME} and serves {@link Sandbox#MOUNT_POINT}. */
    List<String> command() {
        String p = program.toString();
        return switch (kind) {
            // -f: stay in the foreground (the sandbox ends with its first process);
            // norecovery: never replay a journal, a backup is read, not repaired
            case FUSE2FS -> List.of(p, Sandbox.VOLUME, Sandbox.MOUNT_POINT, "-f", "-o", "ro,norecovery");
            // no_detach: the foreground; the driver runs as the sandbox user, so ownership is shown as
            // root's and read-only, as a Windows volume has no Unix owners
            case NTFS3G ->
                List.of(p, "-o", "ro,no_detach,uid=0,gid=0,fmask=0333,dmask=0222", Sandbox.VOLUME, Sandbox.MOUNT_POINT);
            // --format=raw: qemu must never probe the guest's bytes for an image format (a qcow2 header
            // with a backing file would name a host file); the volume is the VM's only disk, /dev/sda.
            // norecovery: no log replay; nouuid: the same file system from two backups has one UUID.
            case MICRO_VM ->
                List.of(
                        p,
                        "--ro",
                        "--format=raw",
                        "-a",
                        Sandbox.VOLUME,
                        "-m",
                        "/dev/sda:/:ro,norecovery,nouuid",
                        "--no-fork",
                        Sandbox.MOUNT_POINT);
        };
    }

    /** Environment of the driver; the micro-VM's names its appliance and forces software emulation. */
    Map<String, String> environment(Path appliance) {
        if (kind != Kind.MICRO_VM) {
            return Map.of();
        }
        return Map.of(
                "LIBGUESTFS_PATH", appliance.toString(),
                "LIBGUESTFS_BACKEND", "direct",
                // no /dev/kvm in the sandbox, and nested virtualization is rarely there anyway
                "LIBGUESTFS_BACKEND_SETTINGS", "force_tcg",
                "LIBGUESTFS_MEMSIZE", "384",
                "LIBGUESTFS_CACHEDIR", "/tmp");
    }

    /** How long the driver may take to its first answer: a micro-VM boots a kernel in software. */
    Duration readyTimeout() {
        return kind == Kind.MICRO_VM ? Duration.ofSeconds(240) : Duration.ofSeconds(60);
    }
}
