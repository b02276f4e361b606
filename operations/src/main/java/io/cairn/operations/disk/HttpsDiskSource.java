package io.cairn.operations.disk;

import io.cairn.repository.backup.DiskSource;
import io.cairn.repository.backup.Extent;
import io.cairn.repository.backup.SourceChangedException;
import io.cairn.vsphere.datastore.DatastoreClient;
import io.cairn.vsphere.datastore.DatastorePath;
import io.cairn.vsphere.datastore.HttpsDisk;
import java.io.EOFException;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * A disk read over vSphere's https transport ({@link HttpsDisk}) as a backup source for the repository's {@code BackupWriter}. Reads are
 * parallel-safe (each is its own ranged GET). The datastore HTTP interface knows nothing of
 * allocation, so {@link #allocatedAreas()} is unknown (null) and every byte is read; changed areas
 * (CBT, {@code QueryChangedDiskAreas}) come from the caller in {@code BackupRequest.DiskInput}.
 */
public final class HttpsDiskSource implements DiskSource {
    private final HttpsDisk disk;

    public HttpsDiskSource(HttpsDisk disk) {
        this.disk = disk;
    }

    /** Opens the flat disk whose descriptor is {@code descriptor}; see {@link HttpsDisk#open}. */
    public static HttpsDiskSource open(DatastoreClient client, DatastorePath descriptor) throws IOException {
        return new HttpsDiskSource(HttpsDisk.open(client, descriptor));
    }

    public HttpsDisk disk() {
        return disk;
    }

    /** The descriptor's file name, e.g. {@code vm1.vmdk}. */
    @Override
    public String name() {
        return disk.descriptorPath().fileName();
    }

    @Override
    public long capacity() {
        return disk.capacity();
    }

    @Override
    public void read(long offset, byte[] buf, int off, int len) throws IOException {
        try {
            disk.read(offset, buf, off, len);
        } catch (EOFException e) {
            throw new SourceChangedException(e.getMessage());
        }
    }

    @Override
    public Map<String, String> metadata() {
        return disk.metadata();
    }

    /** Unknown over https: null (everything is read). */
    @Override
    public List<Extent> allocatedAreas() {
        return null;
    }

    /** Fails when an extent file changed size during the backup. */
    @Override
    public void finish() throws IOException {
        String changed = disk.changedExtent();
        if (changed != null) {
            throw new SourceChangedException(changed + "; nothing was committed");
        }
    }

    /** Nothing to release: connections are pooled by the JDK's keep-alive cache. */
    @Override
    public void close() {}
}
