package io.cairn.operations.disk;

import io.cairn.vixmntbridge.vddk.Placement;
import io.cairn.vixmntbridge.vddk.Transport;
import java.io.Closeable;
import java.io.IOException;
import java.util.Map;

/**
 * How a restore writes a VM's disks other than over {@code https}: a VDDK transport (nbd, nbdssl,
 * hotadd, san) opens each disk through VixDiskLib ({@link VddkDiskWriter}), by the VM's moRef.
 */
public interface DiskWriter {

    /** The transport asked for: {@code nbd}, {@code nbdssl}, {@code hotadd} or {@code san}. */
    String name();

    /**
     * One disk to write.
     *
     * @param vmMoRef the VM it belongs to ({@code vm-42})
     * @param esxHost the host that runs the VM (SAN streams are counted per host)
     * @param fileName its descriptor's datastore path ({@code [ds] vm/disk.vmdk})
     * @param placement its datastore's kind and whether it is thin: what VMware's rules choose its
     *     transport by
     */
    record Disk(String vmMoRef, String esxHost, String fileName, Placement placement) {}

    /**
     * The transport writing {@code disk} will use: the one asked for, or nbdssl where VMware's rules
     * forbid it (thin disks and VVol datastores over SAN, local datastores); it decides whether a
     * restore snapshot is needed.
     */
    Transport transportFor(Disk disk);

    /**
     * Opens {@code disk} for writing, through the restore snapshot {@code snapshot} (its moRef) when
     * one was taken, else null.
     */
    Sink open(Disk disk, String snapshot) throws IOException;

    /**
     * Called after every disk of {@code vmMoRef} opened through this writer is closed, before a
     * restore snapshot is reverted to and removed: {@code VixDiskLib_Cleanup}.
     */
    default void disksClosed(String vmMoRef) throws IOException {}

    /** One open disk: metadata first, then data in increasing offsets (whole sectors), then close. */
    interface Sink extends Closeable {
        /** The disk database keys ({@code ddb.*} without the prefix), written before any data. */
        void writeMetadata(Map<String, String> keys) throws IOException;

        void write(long offset, byte[] data, int off, int len) throws IOException;

        /**
         * {@code len} bytes at {@code offset} are zeros in the backup and must read as zeros after
         * the restore (the disk may hold old data there).
         */
        void zeros(long offset, long len) throws IOException;
    }
}
