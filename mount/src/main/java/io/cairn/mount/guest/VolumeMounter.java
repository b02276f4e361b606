package io.cairn.mount.guest;

import io.cairn.mount.volume.FsType;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Mounts a backup's guest volumes by whole disk, ahead of the open fallback's drivers: VMware's
 * VixMntapi ({@code cairn mount --vddk DIR}; the operations layer implements it), which opens the
 * backup's disk as a VMDK, lists its volumes and mounts one where it chooses. The
 * {@link GuestVolumeManager} offers it each volume of a kind it {@linkplain #takes takes} and binds
 * the directory it returns onto the volume's usual place ({@code .cairn/mnt/<key>}), so the tree and
 * every path in it stay as they are; a volume it does not take, or fails to mount, goes to the open
 * fallback's driver.
 */
public interface VolumeMounter extends AutoCloseable {

    /** How messages name it ("VixMntapi"). */
    String name();

    /** Whether it mounts volumes of this file system (VixMntapi on Linux: Linux file systems only). */
    boolean takes(FsType type);

    /**
     * One volume to mount.
     *
     * @param key the volume's name in this mount, unique
     * @param disk the flat VMDK descriptor of the disk holding it, inside the mount ({@code .cairn/disk})
     * @param index the volume's place among the disk's volumes as VixMntapi lists them ({@link
     *     io.cairn.mount.volume.PartitionOrder}); 0 for a file system on the whole disk
     * @param count how many volumes VixMntapi should list on that disk (a different count: the volume
     *     cannot be named safely, and the open fallback takes it)
     * @param type its file system, as cairn read it
     */
    record Request(String key, Path disk, int index, int count, FsType type) {}

    /**
     * Mounts the volume read-only.
     *
     * @return the directory that holds its files
     * @throws IOException when it cannot (the open fallback is tried next)
     */
    Path mount(Request r) throws IOException;

    /** Dismounts everything it mounted and releases the library. Never throws: it runs on the way out. */
    @Override
    void close();
}
