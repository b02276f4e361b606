package io.cairn.vixmntbridge.vmdk;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A hosted sparse extent written front to back, laid out as qemu-img and VMware Workstation do
 * (VMDK 5.0 spec, "Hosted Sparse Extents"): header; the embedded descriptor at sector 1 (monolithic
 * sparse only, 20 sectors or more); the redundant grain directory and its grain tables; the grain
 * directory and its grain tables; grains from {@code overHead}, rounded up to a whole grain.
 *
 * <p>Every grain table is preallocated and both directories point at them (GDEs never 0), as
 * VMware's own writer does; a table is written (twice) only when the disk has moved past it and it
 * holds at least one grain, so the tables of an empty range stay file holes reading as zeros.
 * Grains are appended in disk order, so the file's data area is the allocated grains in order.
 */
final class SparseExtentWriter implements ExtentWriter {
    static final int VERSION = 1;
    /** Valid newline test + redundant grain directory: what qemu-img and VMware write. */
    static final int FLAGS = SparseHeader.FLAG_VALID_NEWLINE_TEST | SparseHeader.FLAG_REDUNDANT_GD;
    /** qemu-img's embedded descriptor size; a longer descriptor gets more. */
    static final int MIN_DESCRIPTOR_SECTORS = 20;

    private final Path path;
    private final RandomAccessFile file;
    private final FileChannel channel;
    private final long rgtStart;
    private final long gtStart;
    private final int[] table = new int[VmdkWriter.GTES_PER_GT];
    private final ByteBuffer tableBytes =
            ByteBuffer.allocate(VmdkWriter.GTES_PER_GT * 4).order(ByteOrder.LITTLE_ENDIAN);
    private long tableIndex = -1;
    private boolean tableUsed;
    private long nextGrain;

    /** @param descriptor the embedded descriptor, or null for one extent of a split disk */
    SparseExtentWriter(Path path, long sectors, String descriptor) throws IOException {
        this.path = path;
        long grains = ceilDiv(sectors, VmdkWriter.GRAIN_SECTORS);
        long gtCount = ceilDiv(grains, VmdkWriter.GTES_PER_GT);
        long gtSectors = VmdkWriter.GTES_PER_GT * 4 / SparseHeader.SECTOR;
        long gdSectors = ceilDiv(gtCount * 4, SparseHeader.SECTOR);
        byte[] desc = descriptor == null ? new byte[0] : descriptor.getBytes(StandardCharsets.UTF_8);
        long descOffset = descriptor == null ? 0 : 1;
        long descSectors =
                descriptor == null ? 0 : Math.max(MIN_DESCRIPTOR_SECTORS, ceilDiv(desc.length, SparseHeader.SECTOR));
        long rgdOffset = 1 + descSectors;
        rgtStart = rgdOffset + gdSectors;
        long gdOffset = rgtStart + gtCount * gtSectors;
        gtStart = gdOffset + gdSectors;
        long overHead = ceilDiv(gtStart + gtCount * gtSectors, VmdkWriter.GRAIN_SECTORS) * VmdkWriter.GRAIN_SECTORS;
        if (overHead + grains * VmdkWriter.GRAIN_SECTORS > 0xffffffffL) {
            throw new IllegalArgumentException(
                    "a sparse extent of " + sectors + " sectors would pass the 2 TiB a grain table"
                            + " entry can address; use a split (vmdk-2gbsparse) or flat format");
        }
        nextGrain = overHead;
        file = VmdkWriter.createNew(path);
        channel = file.getChannel();
        boolean ok = false;
        try {
            byte[] header = SparseHeader.encode(
                    VERSION,
                    FLAGS,
                    sectors,
                    VmdkWriter.GRAIN_SECTORS,
                    descOffset,
                    descSectors,
                    VmdkWriter.GTES_PER_GT,
                    rgdOffset,
                    gdOffset,
                    overHead,
                    SparseHeader.COMPRESSION_NONE);
            VmdkWriter.writeFully(channel, ByteBuffer.wrap(header), 0);
            if (desc.length > 0) {
                VmdkWriter.writeFully(channel, ByteBuffer.wrap(desc), SparseHeader.SECTOR);
            }
            // Both directories are known now: every table has its fixed place.
            ByteBuffer gd =
                    ByteBuffer.allocate((int) (gdSectors * SparseHeader.SECTOR)).order(ByteOrder.LITTLE_ENDIAN);
            ByteBuffer rgd = ByteBuffer.allocate(gd.capacity()).order(ByteOrder.LITTLE_ENDIAN);
            for (long i = 0; i < gtCount; i++) {
                gd.putInt((int) (gtStart + i * gtSectors));
                rgd.putInt((int) (rgtStart + i * gtSectors));
            }
            VmdkWriter.writeFully(channel, rgd.clear(), rgdOffset * SparseHeader.SECTOR);
            VmdkWriter.writeFully(channel, gd.clear(), gdOffset * SparseHeader.SECTOR);
            ok = true;
        } finally {
            if (!ok) {
                file.close();
                Files.deleteIfExists(path);
            }
        }
    }

    static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    @Override
    public void block(long index, byte[] buf, int off) throws IOException {
        long t = index / VmdkWriter.GTES_PER_GT;
        if (t != tableIndex) {
            flushTable();
            tableIndex = t;
        }
        VmdkWriter.writeFully(channel, ByteBuffer.wrap(buf, off, VmdkWriter.BLOCK), nextGrain * SparseHeader.SECTOR);
        table[(int) (index % VmdkWriter.GTES_PER_GT)] = (int) nextGrain;
        tableUsed = true;
        nextGrain += VmdkWriter.GRAIN_SECTORS;
    }

    private void flushTable() throws IOException {
        if (!tableUsed) {
            return;
        }
        tableBytes.clear();
        tableBytes.asIntBuffer().put(table);
        long at = tableIndex * VmdkWriter.GTES_PER_GT * 4;
        VmdkWriter.writeFully(channel, tableBytes, gtStart * SparseHeader.SECTOR + at);
        VmdkWriter.writeFully(channel, tableBytes.clear(), rgtStart * SparseHeader.SECTOR + at);
        Arrays.fill(table, 0);
        tableUsed = false;
    }

    @Override
    public void finish() throws IOException {
        try {
            flushTable();
            // A disk of zeros ends inside the metadata: the file must still hold all of it.
            if (file.length() < nextGrain * SparseHeader.SECTOR) {
                file.setLength(nextGrain * SparseHeader.SECTOR);
            }
            channel.force(true);
        } finally {
            file.close();
        }
    }

    @Override
    public void abort() {
        try {
            file.close();
        } catch (IOException e) {
            // already failing
        }
    }

    @Override
    public String toString() {
        return path.toString();
    }
}
