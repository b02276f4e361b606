package io.cairn.repository.backup;

import java.io.Closeable;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * A virtual disk being backed up, as the backup engine sees it. Implementations: a raw image file
 * here; VMDK files and VixDiskLib handles in {@code vixmnt-bridge}; datastore HTTPS in {@code vsphere}.
 * {@link #read} must be safe to call from several threads at once (positional reads).
 */
public interface DiskSource extends Closeable {

    /** Display name, normally the disk's file name. */
    String name();

    long capacity() throws IOException;

    /**
     * Reads exactly {@code len} bytes at {@code offset}.
     * @throws SourceChangedException if the source ends early
     */
    void read(long offset, byte[] buf, int off, int len) throws IOException;

    /** The disk's metadata keys (VixDiskLib {@code ddb.*}); empty for a raw image. */
    default Map<String, String> metadata() throws IOException {
        return Map.of();
    }

    /** Areas that may hold data, or null when unknown (everything is read). */
    default List<Extent> allocatedAreas() throws IOException {
        return null;
    }

    /** Called after the last read: fails if the source changed under the backup. */
    default void finish() throws IOException {}
}
