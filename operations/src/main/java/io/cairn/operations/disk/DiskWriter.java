package io.cairn.operations.disk;

import java.io.Closeable;
import java.io.IOException;

/**
 * How an in-place restore writes a disk back into an existing VM other than over {@code https}: a
 * VDDK transport (nbd, nbdssl, hotadd, san) opens the disk through VixDiskLib
 * ({@link VddkDiskWriter}).
 */
public interface DiskWriter extends Closeable {

    /** The transport's name: {@code nbd}, {@code nbdssl}, {@code hotadd} or {@code san}. */
    String name();

    /**
     * Opens disk {@code fileName} ({@code [ds] vm/disk.vmdk}) of the VM {@code vmMoRef} for writing,
     * through the restore snapshot {@code snapshot} (its moRef) when the transport requires one,
     * else null.
     */
    Sink open(String vmMoRef, String esxHost, String snapshot, String fileName) throws IOException;

    /** One open disk: writes in increasing offsets (whole sectors), then close. */
    interface Sink extends Closeable {
        void write(long offset, byte[] data, int off, int len) throws IOException;
    }

    @Override
    default void close() throws IOException {}
}
