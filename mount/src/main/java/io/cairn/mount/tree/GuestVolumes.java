package io.cairn.mount.tree;

import io.cairn.mount.image.Image;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * What a backup's {@code volumes/} directory holds: the guest volumes found on its disks, each as
 * a directory (a filesystem cairn reads itself) or a link to where another driver mounted it, and
 * an {@code UNSUPPORTED.txt} naming every volume that cannot be shown and why.
 */
public interface GuestVolumes {

    /**
     * The entries of one backup's {@code volumes/} directory.
     *
     * @param backupKey a stable name for the backup, usable in file names ({@code <vmKey>-<id>})
     * @param disks the backup's disks by name, in disk order
     * @param depth how many path components {@code volumes/} lies below the mount's root (for relative links)
     */
    List<Node> entries(String backupKey, LinkedHashMap<String, Image> disks, int depth) throws IOException;

    /** Entries of the mount's hidden {@code .cairn/} directory (volume slices, mount points); may be empty. */
    List<Node> internals() throws IOException;

    /** No guest volumes at all (a mount with {@code --no-volumes}). */
    GuestVolumes NONE = new GuestVolumes() {
        @Override
        public List<Node> entries(String backupKey, LinkedHashMap<String, Image> disks, int depth) {
            return List.of();
        }

        @Override
        public List<Node> internals() {
            return List.of();
        }
    };
}
