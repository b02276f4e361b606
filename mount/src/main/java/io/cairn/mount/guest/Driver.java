package io.cairn.mount.guest;

import java.nio.file.Path;
import java.util.List;

/**
 * A way to mount one kind of guest filesystem read-only, without replaying its journal, with
 * {@code noexec,nodev,nosuid}: a userspace FUSE driver where one exists (a hostile image then
 * crashes a process, not the kernel), the kernel otherwise.
 *
 * @param name shown in messages ("fuse2fs", "ntfs-3g", "kernel xfs")
 * @param program absolute path of the program run
 */
record Driver(String name, Path program, Kind kind) {

    enum Kind {
        FUSE2FS,
        NTFS3G,
        KERNEL_EXT4,
        KERNEL_XFS
    }

    /** The command that mounts {@code volume} (a file holding exactly the volume) on {@code target}. */
    List<String> command(Path volume, Path target, boolean root) {
        String v = volume.toString();
        String t = target.toString();
        String other = root ? ",allow_other" : "";
        return switch (kind) {
            // norecovery: never replay a journal; a backup is read, not repaired
            case FUSE2FS ->
                List.of(program.toString(), v, t, "-o", "ro,norecovery,noexec,nodev,nosuid,fsname=cairn-guest" + other);
            // ntfs-3g: ro also keeps it from touching $LogFile or a hibernated volume
            case NTFS3G -> List.of(program.toString(), "-o", "ro,noexec,nodev,nosuid" + other, v, t);
            // noload: ext3/4 without journal replay
            case KERNEL_EXT4 ->
                List.of(program.toString(), "-t", "ext4", "-o", "ro,loop,noload,noexec,nodev,nosuid", v, t);
            // nouuid: the same filesystem from two backups has the same UUID, XFS refuses that otherwise
            case KERNEL_XFS ->
                List.of(program.toString(), "-t", "xfs", "-o", "ro,loop,norecovery,nouuid,noexec,nodev,nosuid", v, t);
        };
    }
}
