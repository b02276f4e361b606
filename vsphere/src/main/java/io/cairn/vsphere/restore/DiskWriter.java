package io.cairn.vsphere.restore;

import com.vmware.vim25.ManagedObjectReference;
import java.io.Closeable;
import java.io.IOException;

/**
 * How a restore writes a disk back into an existing VM: the VDDK transports (nbd, nbdssl, hotadd,
 * san) open the disk through VixDiskLib, in the CLI where the native binding is loaded. Without
 * one the restore uses the https transport (datastore PUT).
 */
public interface DiskWriter extends Closeable {

    /** The transport's name: {@code nbd}, {@code nbdssl}, {@code hotadd} or {@code san}. */
    String name();

    /**
     * Opens disk {@code fileName} ({@code [ds] vm/disk.vmdk}) of the VM {@code vmMoRef} for writing,
     * through the restore snapshot {@code snapshot} when the transport requires one (else null).
     */
    Sink open(String vmMoRef, String esxHost, ManagedObjectReference snapshot, String fileName) throws IOException;

    /** One open disk: writes in increasing offsets (whole sectors), then finish. */
    interface Sink extends Closeable {
        void write(long offset, byte[] data, int off, int len) throws IOException;
    }

    @Override
    default void close() throws IOException {}
}
