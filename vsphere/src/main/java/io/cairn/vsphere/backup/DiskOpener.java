package io.cairn.vsphere.backup;

import com.vmware.vim25.ManagedObjectReference;
import io.cairn.repository.backup.DiskSource;
import io.cairn.vsphere.inventory.VmInfo;
import java.io.Closeable;
import java.io.IOException;

/**
 * How a backup reads one disk of a snapshot: the transport. {@code https} (datastore file GET) is
 * built in; the VDDK transports (nbd, nbdssl, hotadd, san) open the same disk through VixDiskLib
 * and live where the VDDK binding is loaded (the CLI), so this module needs no native code.
 */
public interface DiskOpener extends Closeable {

    /** The transport's name, kept as the backup's {@code transport} label. */
    String name();

    /**
     * Opens the disk {@code fileName} ({@code [ds] vm/disk.vmdk}, as the snapshot's configuration
     * names it) of {@code vm} as it is in {@code snapshot}.
     */
    DiskSource open(VmInfo vm, ManagedObjectReference snapshot, String fileName) throws IOException;

    @Override
    default void close() throws IOException {}
}
