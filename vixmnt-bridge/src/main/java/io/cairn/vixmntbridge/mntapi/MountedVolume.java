package io.cairn.vixmntbridge.mntapi;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * A volume that {@link DiskSet#mount} mounted: its files are under {@link #path()} (the
 * {@code symbolicLink} of {@code VixVolumeInfo}) until {@link DiskSet#dismount} or
 * {@link DiskSet#close()}.
 *
 * @param index position in the set's volume list
 * @param type partition or volume kind
 * @param path where the volume's files appear on this machine (a FUSE mount on Linux)
 * @param readOnly whether it was mounted read-only
 * @param guestMountPoints where the guest mounts it (VMware: unimplemented on Linux, so usually empty)
 */
public record MountedVolume(
        int index, GuestVolume.Type type, Path path, boolean readOnly, List<String> guestMountPoints) {

    public MountedVolume {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(path, "path");
        guestMountPoints = List.copyOf(guestMountPoints);
    }
}
