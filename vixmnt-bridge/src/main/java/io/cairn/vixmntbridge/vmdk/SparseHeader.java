package io.cairn.vixmntbridge.vmdk;

import io.cairn.vixmntbridge.VixException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The 512-byte {@code SparseExtentHeader} of a hosted sparse extent (VMDK 5.0 spec, "Hosted Sparse
 * Extent Header"), little-endian and packed. Every field is validated here so the readers can trust it.
 *
 * <p>Persisted format constants: never change them.
 */
final class SparseHeader {
    static final int SECTOR = 512;
    /** "KDMV" read as a little-endian uint32. */
    static final int MAGIC = 0x564d444b;
    /** Only in the first header of a streamOptimized file: the real header is the footer at the end. */
    static final long GD_AT_END = 0xffffffffffffffffL;
    /** Header bytes 73..76 must read "\n \r\n"; FTP in ASCII mode rewrites them (flag bit 0). */
    static final int FLAG_VALID_NEWLINE_TEST = 1;

    static final int FLAG_REDUNDANT_GD = 1 << 1;
    /** GTE value 1 means "a grain of zeros" (also implied by version 2 and later). */
    static final int FLAG_ZERO_GRAIN = 1 << 2;

    static final int FLAG_COMPRESSED = 1 << 16;
    static final int FLAG_MARKERS = 1 << 17;
    static final int COMPRESSION_NONE = 0;
    static final int COMPRESSION_DEFLATE = 1;
    /** The spec's largest grain is far below this; a bigger value is damage, not a disk. */
    static final long MAX_GRAIN_SECTORS = 1 << 16;

    static final int MAX_GTES_PER_GT = 1 << 16;
    /** 2^40 sectors = 512 TiB, well above VMDK's 62 TB limit. */
    static final long MAX_CAPACITY = 1L << 40;

    final int version;
    final int flags;
    final long capacity;
    final long grainSize;
    final long descriptorOffset;
    final long descriptorSize;
    final int numGTEsPerGT;
    final long rgdOffset;
    final long gdOffset;
    final long overHead;
    final int compressAlgorithm;

    /** A header with these fields, for extents whose own header says the same in another layout (COWD). */
    private SparseHeader(
            int version, int flags, long capacity, long grainSize, int numGTEsPerGT, long gdOffset, long overHead) {
        this.version = version;
        this.flags = flags;
        this.capacity = capacity;
        this.grainSize = grainSize;
        this.descriptorOffset = 0;
        this.descriptorSize = 0;
        this.numGTEsPerGT = numGTEsPerGT;
        this.rgdOffset = 0;
        this.gdOffset = gdOffset;
        this.overHead = overHead;
        this.compressAlgorithm = COMPRESSION_NONE;
    }

    private SparseHeader(ByteBuffer b) {
        version = b.getInt(4);
        flags = b.getInt(8);
        capacity = b.getLong(12);
        grainSize = b.getLong(20);
        descriptorOffset = b.getLong(28);
        descriptorSize = b.getLong(36);
        numGTEsPerGT = b.getInt(44);
        rgdOffset = b.getLong(48);
        gdOffset = b.getLong(56);
        overHead = b.getLong(64);
        compressAlgorithm = Short.toUnsignedInt(b.getShort(77));
    }

    static boolean hasMagic(byte[] first, int len) {
        return len >= 4 && ByteBuffer.wrap(first).order(ByteOrder.LITTLE_ENDIAN).getInt(0) == MAGIC;
    }

    /**
     * Parses and checks a header read at {@code at} of {@code file}. {@code footer} marks the copy at
     * the end of a streamOptimized file, which must not itself say "at end".
     */
    static SparseHeader read(ExtentFile file, long at, boolean footer) throws VixException {
        String where = "'" + file.path() + "'" + (footer ? " (footer header at byte " + at + ")" : "");
        if (file.size() < at + SECTOR) {
            throw bad(where + " is truncated: " + file.size() + " bytes, too short for a sparse header");
        }
        ByteBuffer b = ByteBuffer.wrap(file.read(at, SECTOR)).order(ByteOrder.LITTLE_ENDIAN);
        int magic = b.getInt(0);
        if (magic != MAGIC) {
            throw bad(where + " has wrong magic 0x" + Integer.toHexString(magic) + ", expected 0x564d444b (KDMV)");
        }
        SparseHeader h = new SparseHeader(b);
        if (h.version < 1 || h.version > 3) {
            throw unsupported(where + " has sparse format version " + h.version + "; versions 1 to 3 are supported");
        }
        if ((h.flags & FLAG_VALID_NEWLINE_TEST) != 0
                && (b.get(73) != '\n' || b.get(74) != ' ' || b.get(75) != '\r' || b.get(76) != '\n')) {
            throw bad(where + " has damaged newline check bytes: the file was probably copied in text mode");
        }
        if (h.grainSize <= 0 || h.grainSize > MAX_GRAIN_SECTORS || Long.bitCount(h.grainSize) != 1) {
            throw bad(where + " has grain size " + h.grainSize + " sectors: not a power of two up to "
                    + MAX_GRAIN_SECTORS);
        }
        if (h.numGTEsPerGT <= 0 || h.numGTEsPerGT > MAX_GTES_PER_GT) {
            throw bad(where + " has " + h.numGTEsPerGT + " entries per grain table");
        }
        if (h.capacity < 0 || h.capacity > MAX_CAPACITY) {
            throw bad(where + " has capacity " + h.capacity + " sectors");
        }
        boolean compressed = (h.flags & FLAG_COMPRESSED) != 0;
        if (compressed && h.compressAlgorithm != COMPRESSION_DEFLATE) {
            throw unsupported(
                    where + " uses compression algorithm " + h.compressAlgorithm + "; only deflate (1) is supported");
        }
        if (!compressed && h.compressAlgorithm != COMPRESSION_NONE) {
            throw bad(where + " names compression algorithm " + h.compressAlgorithm
                    + " without the compressed-grains flag");
        }
        if (compressed && (h.flags & FLAG_MARKERS) == 0) {
            throw unsupported(where + " has compressed grains without markers");
        }
        if (h.gdOffset == GD_AT_END && footer) {
            throw bad(where + " footer says its grain directory is at the end too");
        }
        return h;
    }

    /**
     * The grain layout of a COWD extent (see {@link CowdHeader}) in this class's terms: version 1
     * without flags (no zeroed-grain entries, no compression), its grain directory, and as overhead
     * the header's 4 sectors, below which no grain may lie.
     */
    static SparseHeader ofCowd(long capacity, long grainSize, long gdOffset) {
        return new SparseHeader(1, 0, capacity, grainSize, CowdHeader.GTES_PER_GT, gdOffset, CowdHeader.HEADER_SECTORS);
    }

    boolean compressed() {
        return (flags & FLAG_COMPRESSED) != 0;
    }

    /** Version 2 introduced the zeroed-grain GTE; version 1 files opt in with flag bit 2. */
    boolean zeroGrains() {
        return version >= 2 || (flags & FLAG_ZERO_GRAIN) != 0;
    }

    static VixException bad(String text) {
        return new VixException(VixException.VIX_E_DISK_INVAL, text);
    }

    static VixException unsupported(String text) {
        return new VixException(VixException.VIX_E_NOT_SUPPORTED, text);
    }

    /**
     * Encodes a header sector with the given fields (VMDK 5.0 layout), the newline check bytes always
     * set and everything else zero: what {@link #read} parses.
     */
    static byte[] encode(
            int version,
            int flags,
            long capacity,
            long grainSize,
            long descriptorOffset,
            long descriptorSize,
            int numGTEsPerGT,
            long rgdOffset,
            long gdOffset,
            long overHead,
            int compressAlgorithm) {
        ByteBuffer b = ByteBuffer.allocate(SECTOR).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, MAGIC);
        b.putInt(4, version);
        b.putInt(8, flags);
        b.putLong(12, capacity);
        b.putLong(20, grainSize);
        b.putLong(28, descriptorOffset);
        b.putLong(36, descriptorSize);
        b.putInt(44, numGTEsPerGT);
        b.putLong(48, rgdOffset);
        b.putLong(56, gdOffset);
        b.putLong(64, overHead);
        b.put(72, (byte) 0); // uncleanShutdown
        b.put(73, (byte) '\n');
        b.put(74, (byte) ' ');
        b.put(75, (byte) '\r');
        b.put(76, (byte) '\n');
        b.putShort(77, (short) compressAlgorithm);
        return b.array();
    }
}
