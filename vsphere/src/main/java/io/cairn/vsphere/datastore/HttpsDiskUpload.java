package io.cairn.vsphere.datastore;

import io.cairn.vixmntbridge.vmdk.VmdkWriter;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes a disk to a datastore for a restore over https: a {@code monolithicFlat} descriptor
 * ({@link VmdkWriter#flatDescriptor}), uploaded first (metadata before data), then its
 * {@code -flat.vmdk} streamed in one PUT while the restore hands the disk over in increasing offset
 * order. Gaps between writes (zero chunks the restorer skips) and the tail are sent as zeros.
 *
 * <p>Why the whole disk, zeros included: the datastore HTTP interface's PUT creates or replaces the
 * whole file from the request body; it has no ranged or partial writes (no {@code Content-Range} on
 * PUT, no PATCH), so a file cannot be written sparsely or in parts, and the bytes must arrive in
 * order in one request. Writing only the allocated areas needs a VDDK transport (or an NFC import
 * lease with a streamOptimized disk, which vcsim does not offer). On VMFS the uploaded flat file is
 * thick; the zeros cost network time but no more space than the disk's capacity.
 *
 * <p>Not thread-safe; a failed upload is broken for good (the PUT cannot resume) and must be
 * started again.
 */
public final class HttpsDiskUpload implements Closeable {
    private static final int ZERO_BLOCK = 1 << 20;
    private static final byte[] ZEROS = new byte[ZERO_BLOCK];

    private final DatastorePath descriptorPath;
    private final DatastorePath flatPath;
    private final long capacity;
    private final DatastoreClient.Upload flat;
    private long position;
    private boolean broken;
    private boolean finished;

    private HttpsDiskUpload(
            DatastorePath descriptorPath, DatastorePath flatPath, long capacity, DatastoreClient.Upload flat) {
        this.descriptorPath = descriptorPath;
        this.flatPath = flatPath;
        this.capacity = capacity;
        this.flat = flat;
    }

    /**
     * Uploads the descriptor {@code descriptor} (a {@code .vmdk} name) and starts the PUT of its
     * flat file {@code <name>-flat.vmdk} next to it. Existing files of those names are replaced.
     *
     * @param capacityBytes the disk's size, a positive multiple of 512
     * @param metadata disk database keys without the {@code ddb.} prefix (as backed up)
     */
    public static HttpsDiskUpload create(
            DatastoreClient client, DatastorePath descriptor, long capacityBytes, Map<String, String> metadata)
            throws IOException {
        Objects.requireNonNull(client, "client");
        String name = descriptor.fileName();
        if (!name.endsWith(".vmdk") || name.length() == ".vmdk".length()) {
            throw new IllegalArgumentException("disk descriptor " + descriptor + " must be named <name>.vmdk");
        }
        String flatName = name.substring(0, name.length() - ".vmdk".length()) + "-flat.vmdk";
        DatastorePath flatPath = descriptor.resolveSibling(flatName);
        String text = VmdkWriter.flatDescriptor(
                flatName,
                capacityBytes,
                metadata,
                Integer.toUnsignedLong(ThreadLocalRandom.current().nextInt()));
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        client.upload(descriptor, new java.io.ByteArrayInputStream(bytes), bytes.length);
        return new HttpsDiskUpload(descriptor, flatPath, capacityBytes, client.openUpload(flatPath, capacityBytes));
    }

    public DatastorePath descriptorPath() {
        return descriptorPath;
    }

    public DatastorePath flatPath() {
        return flatPath;
    }

    public long capacity() {
        return capacity;
    }

    /**
     * Writes {@code len} bytes at {@code offset}, which must not be before the end of the previous
     * write; the bytes in between are sent as zeros.
     */
    public void write(long offset, byte[] data, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, data.length);
        check();
        if (offset < position) {
            broken = true;
            flat.close();
            throw new IOException("restore to " + descriptorPath + ": write at " + offset + " goes back before "
                    + position + " (a datastore upload is one sequential stream)");
        }
        if (offset > capacity - len) {
            broken = true;
            flat.close();
            throw new IOException("restore to " + descriptorPath + ": write " + offset + "+" + len + " beyond the "
                    + capacity + "-byte disk");
        }
        try {
            zerosTo(offset);
            flat.write(data, off, len);
            position += len;
        } catch (IOException | RuntimeException e) {
            broken = true;
            flat.close();
            throw e;
        }
    }

    /** Sends zeros up to the capacity, ends the PUT and checks the server's answer. */
    public void finish() throws IOException {
        check();
        try {
            zerosTo(capacity);
            flat.complete();
            finished = true;
        } catch (IOException | RuntimeException e) {
            broken = true;
            flat.close();
            throw e;
        }
    }

    private void zerosTo(long offset) throws IOException {
        while (position < offset) {
            int n = (int) Math.min(ZERO_BLOCK, offset - position);
            flat.write(ZEROS, 0, n);
            position += n;
        }
    }

    private void check() throws IOException {
        if (broken) {
            throw new IOException(
                    "upload of " + flatPath + " failed earlier; the restore of this disk has to start again");
        }
        if (finished) {
            throw new IOException("upload of " + flatPath + " is already finished");
        }
    }

    /** Aborts the upload if {@link #finish()} did not complete it; the flat file is then incomplete. */
    @Override
    public void close() {
        if (!finished) {
            broken = true;
            flat.close();
        }
    }
}
