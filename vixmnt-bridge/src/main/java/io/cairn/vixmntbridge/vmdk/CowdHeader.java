package io.cairn.vixmntbridge.vmdk;

import io.cairn.vixmntbridge.VixException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The header of an ESX Server sparse extent, magic {@code COWD} (VMware, Virtual Disk Format 5.0,
 * "ESX Server Sparse Extents"; qemu calls it VMDK3): the data file of an ESXi {@code vmfsSparse}
 * snapshot ({@code -delta.vmdk}, named by a {@code VMFSSPARSE} extent line), as VMFS 5 keeps
 * snapshots. 2048 bytes (4 sectors), little-endian {@code uint32}s:
 *
 * <pre>
 *  0 magicNumber  "COWD"          16 grainSize     sectors (ESXi: 1)
 *  4 version      1               20 gdOffset      sector of the grain directory (4)
 *  8 flags        3               24 numGDEntries  grain directory entries
 * 12 numSectors   capacity        28 freeSector    next free sector
 * </pre>
 *
 * then the parent/geometry union, generation, name, description and {@code uncleanShutdown},
 * which a reader does not need (the parent is named by the descriptor). The grain directory holds
 * {@code numGDEntries} sector numbers of grain tables of {@value #GTES_PER_GT} entries each, an
 * entry the sector of its grain in the file, 0 when the grain is not in this link: the layout of a
 * hosted sparse extent, which {@link SparseExtent} reads given {@link SparseHeader#ofCowd}.
 *
 * <p>Every field used is checked against the file here (hostile input): version, grain size,
 * capacity, the directory's place and size; the tables and grains are checked by
 * {@link SparseExtent} when a table is first read.
 *
 * <p>Persisted format constants: never change them.
 */
final class CowdHeader {
    /** The magic as the file's first 4 bytes read. */
    static final String MAGIC = "COWD";

    static final int VERSION = 1;
    /** Grain table entries per table, fixed by the format. */
    static final int GTES_PER_GT = 4096;
    /** The header's size in sectors: nothing else lies there. */
    static final int HEADER_SECTORS = 4;

    private CowdHeader() {}

    /**
     * Reads and checks the header of {@code file}, whose extent line gives {@code sectors}, and
     * returns its grain layout.
     */
    static SparseHeader read(ExtentFile file, long sectors) throws VixException {
        String where = "'" + file.path() + "' (COWD sparse extent)";
        if (file.size() < HEADER_SECTORS * SparseHeader.SECTOR) {
            throw SparseHeader.bad(
                    where + " is truncated: " + file.size() + " bytes, too short for its 2048-byte header");
        }
        ByteBuffer b = ByteBuffer.wrap(file.read(0, 32)).order(ByteOrder.LITTLE_ENDIAN);
        if (b.get(0) != 'C' || b.get(1) != 'O' || b.get(2) != 'W' || b.get(3) != 'D') {
            throw SparseHeader.bad(
                    where + " has wrong magic 0x" + Integer.toHexString(b.getInt(0)) + ", expected COWD");
        }
        long version = Integer.toUnsignedLong(b.getInt(4));
        long capacity = Integer.toUnsignedLong(b.getInt(12));
        long grainSize = Integer.toUnsignedLong(b.getInt(16));
        long gdOffset = Integer.toUnsignedLong(b.getInt(20));
        long gdEntries = Integer.toUnsignedLong(b.getInt(24));
        if (version != VERSION) {
            throw SparseHeader.unsupported(
                    where + " has version " + version + "; version " + VERSION + " is supported");
        }
        if (grainSize <= 0 || grainSize > SparseHeader.MAX_GRAIN_SECTORS || Long.bitCount(grainSize) != 1) {
            throw SparseHeader.bad(where + " has grain size " + grainSize + " sectors: not a power of two up to "
                    + SparseHeader.MAX_GRAIN_SECTORS);
        }
        if (capacity <= 0 || capacity < sectors) {
            throw SparseHeader.bad(where + " holds " + capacity + " sectors but its extent line says " + sectors);
        }
        long perTable = grainSize * GTES_PER_GT;
        long needed = (capacity + perTable - 1) / perTable;
        if (gdEntries < needed) {
            throw SparseHeader.bad(where + " has " + gdEntries + " grain directory entries; " + capacity
                    + " sectors in grains of " + grainSize + " need " + needed);
        }
        if (gdOffset < HEADER_SECTORS
                || gdOffset > file.size() / SparseHeader.SECTOR
                || gdOffset * SparseHeader.SECTOR > file.size() - needed * 4) {
            throw SparseHeader.bad(where + " grain directory (" + needed + " entries at sector " + gdOffset
                    + ") lies inside the header or past the end of the file (" + file.size() + " bytes)");
        }
        return SparseHeader.ofCowd(capacity, grainSize, gdOffset);
    }

    /** Whether {@code first} (the file's first bytes) starts with the COWD magic. */
    static boolean hasMagic(byte[] first, int len) {
        return len >= 4 && first[0] == 'C' && first[1] == 'O' && first[2] == 'W' && first[3] == 'D';
    }
}
