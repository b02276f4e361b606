package io.cairn.mount.fat;

import io.cairn.mount.image.Image;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The active File Allocation Table of a volume: cluster number to next cluster number.
 *
 * <p>Entry encoding: FAT32 File System Specification 1.03, section "FAT Data Structure". FAT12
 * entries are 12 bits packed two in three bytes, FAT16 entries 16 bits, FAT32 entries 32 bits of
 * which only the low 28 are the cluster number.
 *
 * <p>The table is read in blocks of {@value #BLOCK_SIZE} bytes kept in a small LRU cache, never as
 * a whole: a FAT32 table can be up to 1 GiB. Thread-safe.
 */
final class FatTable {

    /** Value of {@link #next} for a last cluster (any end-of-chain mark). */
    static final long END_OF_CHAIN = -1;

    /** 64 KiB: a multiple of every sector size, large enough that chain walks rarely miss. */
    static final int BLOCK_SIZE = 64 * 1024;

    private static final int CACHED_BLOCKS = 32; // 2 MiB

    private final Image volume;
    private final BootSector boot;
    private final long offset;
    private final long length;
    private final Lru<Long, byte[]> blocks = new Lru<>(CACHED_BLOCKS);

    FatTable(Image volume, BootSector boot) {
        this.volume = volume;
        this.boot = boot;
        this.length = boot.fatSectors * boot.bytesPerSector;
        this.offset = boot.fatOffset + boot.activeFat * length;
    }

    /**
     * The cluster following {@code cluster} in its chain, or {@link #END_OF_CHAIN}.
     *
     * @param cluster a valid data cluster, 2 .. maxCluster
     * @throws FatFormatException when the entry is free, bad, reserved or out of range: each a
     *         broken chain
     */
    long next(long cluster) throws IOException {
        long v = raw(cluster);
        if (v >= 2 && v <= boot.maxCluster()) {
            return v;
        }
        if (v >= endOfChainMin()) {
            return END_OF_CHAIN;
        }
        String why;
        if (v == 0) {
            why = "is marked free";
        } else if (v == badCluster()) {
            why = "is marked bad";
        } else {
            why = "points to cluster " + v + ", outside the valid range 2 to " + boot.maxCluster();
        }
        throw new FatFormatException("broken cluster chain: FAT entry of cluster " + cluster + " " + why);
    }

    /** Raw entry value of {@code cluster}, masked to the entry width (28 bits on FAT32). */
    long raw(long cluster) throws IOException {
        switch (boot.type) {
            case FAT12: {
                long pos = cluster + cluster / 2; // 1.5 bytes per entry
                int v = byteAt(pos) | byteAt(pos + 1) << 8;
                // Even clusters use the low 12 bits of the 16-bit word, odd ones the high 12.
                return (cluster & 1) == 0 ? v & 0xFFF : v >>> 4;
            }
            case FAT16:
                return byteAt(cluster * 2) | byteAt(cluster * 2 + 1) << 8;
            default: {
                long pos = cluster * 4;
                long v = byteAt(pos) | byteAt(pos + 1) << 8 | byteAt(pos + 2) << 16 | (long) byteAt(pos + 3) << 24;
                return v & 0x0FFFFFFFL; // the high 4 bits are reserved ("FAT Data Structure")
            }
        }
    }

    /**
     * Counts free (zero) entries of clusters 2 .. maxCluster. FAT16/32 tables are streamed in
     * blocks that bypass the cache (a scan would only evict the blocks chain walks need).
     */
    long countFree() throws IOException {
        long max = boot.maxCluster();
        long free = 0;
        if (boot.type == BootSector.Type.FAT12) {
            for (long c = 2; c <= max; c++) { // at most 4084 clusters, a 6 KiB table
                if (raw(c) == 0) {
                    free++;
                }
            }
            return free;
        }
        int width = boot.type.bits / 8;
        long end = (max + 1) * width;
        for (long pos = 2L * width; pos < end; ) {
            int n = (int) Math.min(BLOCK_SIZE, end - pos); // a multiple of width, as pos is
            ByteBuffer buf = ByteBuffer.wrap(readTable(pos, n)).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < n; i += width) {
                long v = width == 2 ? buf.getShort(i) & 0xFFFF : buf.getInt(i) & 0x0FFFFFFF;
                if (v == 0) {
                    free++;
                }
            }
            pos += n;
        }
        return free;
    }

    private long endOfChainMin() {
        // The spec: any value >= 0x?FF8 is end of chain (0x?FFF is what formatters write).
        switch (boot.type) {
            case FAT12:
                return 0xFF8;
            case FAT16:
                return 0xFFF8;
            default:
                return 0x0FFFFFF8L;
        }
    }

    private long badCluster() {
        switch (boot.type) {
            case FAT12:
                return 0xFF7;
            case FAT16:
                return 0xFFF7;
            default:
                return 0x0FFFFFF7L;
        }
    }

    private int byteAt(long pos) throws IOException {
        if (pos < 0 || pos >= length) {
            // BootSector checked that the FAT is large enough for every cluster; this is a bug guard.
            throw new FatFormatException("FAT offset " + pos + " is outside the " + length + "-byte FAT");
        }
        long index = pos / BLOCK_SIZE;
        byte[] block = blocks.get(index);
        if (block == null) {
            int n = (int) Math.min(BLOCK_SIZE, length - index * BLOCK_SIZE);
            block = readTable(index * BLOCK_SIZE, n);
            blocks.put(index, block);
        }
        return block[(int) (pos - index * BLOCK_SIZE)] & 0xFF;
    }

    private byte[] readTable(long pos, int n) throws IOException {
        try {
            return volume.readFully(offset + pos, n);
        } catch (java.io.EOFException e) {
            throw new FatFormatException(
                    "truncated FAT volume: FAT bytes at " + (offset + pos) + " are past the end of the image", e);
        }
    }
}
