package io.cairn.vsphere.datastore;

import io.cairn.vixmntbridge.vmdk.VmdkDescriptor;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A read-only VMDK on a datastore, read through the datastore HTTP interface (the {@code https}
 * transport: no VDDK needed). Only flat disks: the descriptor ({@code monolithicFlat},
 * {@code vmfs}, {@code twoGbMaxExtentFlat}, ...) is fetched and parsed, and each byte of the disk is a
 * byte of one of its {@code FLAT}/{@code VMFS} extent files (or of a {@code ZERO} extent), read with
 * ranged GETs. Hosted sparse disks, snapshot children and other extent kinds are refused with
 * {@link UnsupportedDiskException}: a backup reads the snapshot's base disk (the file the VM wrote
 * to before the backup's snapshot), which on VMFS is always flat.
 *
 * <p>Thread-safe: reads hold no state and may run in parallel, one request per extent piece.
 */
public final class HttpsDisk {
    /** A descriptor is a few hundred bytes; VMware caps embedded ones at 20 sectors. Anything bigger is not one. */
    static final int MAX_DESCRIPTOR_BYTES = 64 * 1024;

    private static final int SECTOR = 512;

    private final DatastoreClient client;
    private final DatastorePath descriptorPath;
    private final VmdkDescriptor descriptor;
    private final Piece[] pieces;
    private final long[] starts;
    private final long capacity;

    /** One extent: disk bytes [start, start+length) are file bytes [fileOffset, ...); file null for ZERO. */
    private record Piece(long start, long length, DatastorePath file, long fileOffset, long fileSize) {}

    private HttpsDisk(DatastoreClient client, DatastorePath descriptorPath, VmdkDescriptor descriptor, Piece[] pieces) {
        this.client = client;
        this.descriptorPath = descriptorPath;
        this.descriptor = descriptor;
        this.pieces = pieces;
        this.starts = new long[pieces.length];
        long c = 0;
        for (int i = 0; i < pieces.length; i++) {
            starts[i] = pieces[i].start();
            c += pieces[i].length();
        }
        this.capacity = c;
    }

    /**
     * Opens the disk whose descriptor is {@code descriptor} (the {@code .vmdk} a VM's
     * {@code backing.fileName} names): fetches and parses it, and checks that every extent file
     * exists and is long enough.
     *
     * @throws UnsupportedDiskException for a sparse disk, a snapshot child or a non-flat extent
     * @throws io.cairn.vixmntbridge.VixException when the descriptor cannot be parsed
     * @throws java.nio.file.NoSuchFileException when the descriptor or an extent file is missing
     * @throws IOException when an extent file is shorter than the descriptor says, or on HTTP errors
     */
    public static HttpsDisk open(DatastoreClient client, DatastorePath descriptor) throws IOException {
        Objects.requireNonNull(client, "client");
        byte[] head = new byte[MAX_DESCRIPTOR_BYTES];
        int n = Math.max(client.read(descriptor, 0, head, 0, head.length), 0);
        if (startsWith(head, n, "KDMV")) {
            throw new UnsupportedDiskException(
                    descriptor + " is a hosted sparse VMDK (monolithicSparse or streamOptimized):"
                            + " only flat disks can be read over https; use a VDDK transport (nbd, nbdssl, hotadd, san)");
        }
        if (startsWith(head, n, "COWD")) {
            throw new UnsupportedDiskException(descriptor + " is an ESX sparse (delta) extent, not a descriptor:"
                    + " only flat disks can be read over https; use a VDDK transport");
        }
        if (n == head.length) {
            throw new IOException(
                    descriptor + " is larger than " + MAX_DESCRIPTOR_BYTES + " bytes: not a VMDK descriptor"
                            + " (pass the disk's .vmdk descriptor, not its -flat.vmdk data file)");
        }
        if (n > 0 && head[0] == 0) {
            throw new IOException(descriptor + " starts with binary data: not a VMDK descriptor");
        }
        String text = new String(head, 0, n, StandardCharsets.UTF_8);
        VmdkDescriptor d = VmdkDescriptor.parse(text, descriptor.toString());
        if (d.hasParent()) {
            throw new UnsupportedDiskException(
                    descriptor + " is a snapshot child (parentCID " + Long.toHexString(d.parentCid())
                            + ", parent '" + d.parentFileNameHint() + "'): read the snapshot's base disk instead,"
                            + " which holds the VM's disk as of the snapshot");
        }
        List<Piece> pieces = new ArrayList<>();
        long start = 0;
        for (VmdkDescriptor.Extent e : d.extents()) {
            long length = Math.multiplyExact(e.sectors(), SECTOR);
            if (e.isZero()) {
                pieces.add(new Piece(start, length, null, 0, 0));
            } else if (e.isFlat()) {
                DatastorePath file;
                try {
                    file = descriptor.resolveSibling(e.file());
                } catch (IllegalArgumentException bad) {
                    throw new IOException(
                            "descriptor of " + descriptor + ": extent file '" + e.file() + "': " + bad.getMessage());
                }
                long fileOffset = Math.multiplyExact(e.offset(), SECTOR);
                long size = client.size(file);
                if (size < fileOffset + length) {
                    throw new IOException(
                            "extent " + file + " of " + descriptor + " is " + size + " bytes; its descriptor needs "
                                    + (fileOffset + length) + " (damaged or still being written)");
                }
                pieces.add(new Piece(start, length, file, fileOffset, size));
            } else {
                throw new UnsupportedDiskException(descriptor + " (" + d.createType() + ") has a " + e.type()
                        + " extent '" + e.file() + "': only flat disks can be read over https; use a VDDK transport");
            }
            start += length;
        }
        return new HttpsDisk(client, descriptor, d, pieces.toArray(new Piece[0]));
    }

    private static boolean startsWith(byte[] b, int n, String magic) {
        if (n < magic.length()) {
            return false;
        }
        for (int i = 0; i < magic.length(); i++) {
            if (b[i] != magic.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    public DatastorePath descriptorPath() {
        return descriptorPath;
    }

    public VmdkDescriptor descriptor() {
        return descriptor;
    }

    /** Capacity in bytes: the sum of the extents. */
    public long capacity() {
        return capacity;
    }

    /** The disk database keys as VixDiskLib names them ({@code adapterType}, {@code geometry.cylinders}, ...). */
    public Map<String, String> metadata() {
        return descriptor.metadata();
    }

    /** The extent files, in disk order. */
    public List<DatastorePath> extentFiles() {
        List<DatastorePath> out = new ArrayList<>();
        for (Piece p : pieces) {
            if (p.file() != null) {
                out.add(p.file());
            }
        }
        return out;
    }

    /**
     * Reads exactly {@code len} bytes at disk offset {@code offset}: one ranged GET per extent the
     * range touches.
     *
     * @throws EOFException when an extent file ends before the descriptor says it does (it shrank
     *     since {@link #open})
     */
    public void read(long offset, byte[] buf, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, buf.length);
        if (offset < 0 || offset > capacity - len) {
            throw new IllegalArgumentException(
                    "read " + offset + "+" + len + " outside the " + capacity + "-byte disk " + descriptorPath);
        }
        int i = Arrays.binarySearch(starts, offset);
        if (i < 0) {
            i = -i - 2;
        }
        long pos = offset;
        int done = 0;
        while (done < len) {
            Piece p = pieces[i];
            long within = pos - p.start();
            int n = (int) Math.min(len - done, p.length() - within);
            if (n <= 0) { // an empty extent cannot occur (sectors > 0), but never loop forever
                i++;
                continue;
            }
            if (p.file() == null) {
                Arrays.fill(buf, off + done, off + done + n, (byte) 0);
            } else {
                readExtent(p, p.fileOffset() + within, buf, off + done, n);
            }
            done += n;
            pos += n;
            i++;
        }
    }

    private void readExtent(Piece p, long fileOffset, byte[] buf, int off, int len) throws IOException {
        int done = 0;
        while (done < len) {
            int n = client.read(p.file(), fileOffset + done, buf, off + done, len - done);
            if (n <= 0) {
                throw new EOFException(
                        "extent " + p.file() + " of " + descriptorPath + " ended at byte " + (fileOffset + done)
                                + " but was " + p.fileSize() + " bytes when the disk was opened (it changed)");
            }
            done += n;
        }
    }

    /**
     * Checks that every extent file still has the size it had at {@link #open}.
     *
     * @return null when unchanged, else a sentence naming the first file that changed
     */
    public String changedExtent() throws IOException {
        for (Piece p : pieces) {
            if (p.file() != null) {
                long now = client.size(p.file());
                if (now != p.fileSize()) {
                    return "extent " + p.file() + " of " + descriptorPath + " was " + p.fileSize()
                            + " bytes when the backup started and is " + now + " now";
                }
            }
        }
        return null;
    }
}
