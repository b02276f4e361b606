package io.cairn.operations.disk;

import io.cairn.repository.backup.DiskSource;
import io.cairn.vsphere.inventory.VmInfo;
import java.io.IOException;

/**
 * How a vCenter backup reads one disk of its snapshot other than over {@code https}: a VDDK
 * transport (nbd, nbdssl, hotadd, san) opens the disk through VixDiskLib ({@link VddkOpener}).
 */
public interface DiskOpener {

    /** The transport's name, kept as the backup's {@code transport} label. */
    String name();

    /**
     * The disk {@code fileName} ({@code [ds] vm/disk.vmdk}, as the snapshot's configuration names it)
     * of {@code vm} as it is in the snapshot {@code snapshot} (its moRef), {@code capacity} bytes
     * large. The disk may be opened only when first read, and closed when the backup has read it
     * ({@link DiskSource#finish}), so that a VM holds one connection at a time.
     */
    DiskSource open(VmInfo vm, String snapshot, String fileName, long capacity) throws IOException;

    /**
     * Called after every disk of {@code vm} opened through this opener is closed, before its snapshot
     * is removed: VixDiskLib_Cleanup, which releases what the transport left (hot-added disks).
     */
    default void disksClosed(VmInfo vm) throws IOException {}
}
