package io.cairn.operations.disk;

import io.cairn.repository.backup.DiskSource;
import io.cairn.vsphere.inventory.VmInfo;
import java.io.Closeable;
import java.io.IOException;

/**
 * How a vCenter backup reads one disk of its snapshot other than over {@code https}: a VDDK
 * transport (nbd, nbdssl, hotadd, san) opens the disk through VixDiskLib ({@link VddkOpener}).
 */
public interface DiskOpener extends Closeable {

    /** The transport's name, kept as the backup's {@code transport} label. */
    String name();

    /**
     * Opens the disk {@code fileName} ({@code [ds] vm/disk.vmdk}, as the snapshot's configuration
     * names it) of {@code vm} as it is in the snapshot {@code snapshot} (its moRef).
     */
    DiskSource open(VmInfo vm, String snapshot, String fileName) throws IOException;

    @Override
    default void close() throws IOException {}
}
