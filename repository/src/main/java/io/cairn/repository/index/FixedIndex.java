package io.cairn.repository.index;

import io.cairn.repository.chunk.ChunkId;
import io.cairn.repository.error.CorruptObjectException;
import io.cairn.repository.format.FormatConstants;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A disk as a fixed-size chunk index: entry i covers bytes {@code [i × chunkSize, …)}, so any offset
 * maps to its chunk by division (as Proxmox Backup Server's {@code fixed_index.rs}). The in-memory
 * form is the serialized form, so loading and saving are copies.
 */
public final class FixedIndex implements DiskIndex {
    private final long capacity;
    private final int chunkSize;
    private final boolean keyed;
    private final byte[] bytes;
    private final int count;

    private FixedIndex(long capacity, int chunkSize, boolean keyed, byte[] bytes) {
        this.capacity = capacity;
        this.chunkSize = chunkSize;
        this.keyed = keyed;
        this.bytes = bytes;
        this.count = entries(capacity, chunkSize);
    }

    static int entries(long capacity, int chunkSize) {
        long n = (capacity + chunkSize - 1) / chunkSize;
        if (n > (Integer.MAX_VALUE - FormatConstants.FIDX_HEADER_SIZE) / FormatConstants.ID_SIZE) {
            throw new IllegalArgumentException("disk of " + capacity + " bytes has too many chunks of " + chunkSize);
        }
        return (int) n;
    }

    /** A new index with every entry zero (an all-zero disk), to be filled with {@link #set}. */
    public static FixedIndex create(long capacity, int chunkSize, boolean keyed) {
        if (capacity < 0) {
            throw new IllegalArgumentException("negative capacity");
        }
        int n = entries(capacity, chunkSize);
        byte[] b = new byte[FormatConstants.FIDX_HEADER_SIZE + n * FormatConstants.ID_SIZE];
        System.arraycopy(FormatConstants.FIDX_MAGIC, 0, b, 0, 8);
        ByteBuffer h = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(8, FormatConstants.FIDX_VERSION);
        h.putInt(12, keyed ? FormatConstants.FIDX_FLAG_KEYED_IDS : 0);
        h.putLong(16, capacity);
        h.putInt(24, chunkSize);
        h.putLong(32, n);
        return new FixedIndex(capacity, chunkSize, keyed, b);
    }

    /** Parses and validates a serialized index. @param key for messages */
    public static FixedIndex parse(byte[] b, String key) throws CorruptObjectException {
        if (b.length < FormatConstants.FIDX_HEADER_SIZE) {
            throw new CorruptObjectException(key, "truncated index header (" + b.length + " bytes)");
        }
        if (!Arrays.equals(b, 0, 8, FormatConstants.FIDX_MAGIC, 0, 8)) {
            throw new CorruptObjectException(key, "not a cairn index (wrong magic)");
        }
        ByteBuffer h = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        int version = h.getInt(8);
        if (version != FormatConstants.FIDX_VERSION) {
            throw new CorruptObjectException(key, "index format version " + version + " is not supported");
        }
        long capacity = h.getLong(16);
        int chunkSize = h.getInt(24);
        long n = h.getLong(32);
        if (capacity < 0
                || chunkSize < FormatConstants.MIN_CHUNK_SIZE
                || chunkSize > FormatConstants.MAX_CHUNK_SIZE
                || Integer.bitCount(chunkSize) != 1) {
            throw new CorruptObjectException(
                    key, "implausible header (capacity " + capacity + ", chunk size " + chunkSize + ")");
        }
        if (n != (capacity + chunkSize - 1) / chunkSize
                || b.length != FormatConstants.FIDX_HEADER_SIZE + n * FormatConstants.ID_SIZE) {
            throw new CorruptObjectException(
                    key,
                    "holds " + b.length + " bytes, which does not match " + n + " entries for a disk of " + capacity
                            + " bytes");
        }
        return new FixedIndex(capacity, chunkSize, (h.getInt(12) & FormatConstants.FIDX_FLAG_KEYED_IDS) != 0, b);
    }

    @Override
    public long capacity() {
        return capacity;
    }

    public int chunkSize() {
        return chunkSize;
    }

    @Override
    public boolean keyed() {
        return keyed;
    }

    @Override
    public int count() {
        return count;
    }

    @Override
    public ChunkId id(int i) {
        return ChunkId.of(bytes, position(i));
    }

    @Override
    public boolean isZero(int i) {
        int p = position(i);
        for (int k = 0; k < FormatConstants.ID_SIZE; k++) {
            if (bytes[p + k] != 0) {
                return false;
            }
        }
        return true;
    }

    public void set(int i, ChunkId id) {
        id.copyTo(bytes, position(i));
    }

    /** Makes entry i the all-zero entry (a chunk of zeros, never stored). */
    public void clear(int i) {
        java.util.Arrays.fill(bytes, position(i), position(i) + FormatConstants.ID_SIZE, (byte) 0);
    }

    @Override
    public long offset(int i) {
        return (long) i * chunkSize;
    }

    /** Bytes covered by entry i: the chunk size, except for a short last chunk. */
    @Override
    public int length(int i) {
        return (int) Math.min(chunkSize, capacity - offset(i));
    }

    /** The entry covering byte {@code offset}. */
    @Override
    public int entryAt(long offset) {
        return (int) (offset / chunkSize);
    }

    @Override
    public int maxLength() {
        return chunkSize;
    }

    @Override
    public String suffix() {
        return FormatConstants.INDEX_SUFFIX;
    }

    private int position(int i) {
        if (i < 0 || i >= count) {
            throw new IndexOutOfBoundsException("entry " + i + " of " + count);
        }
        return FormatConstants.FIDX_HEADER_SIZE + i * FormatConstants.ID_SIZE;
    }

    /** The serialized form (a copy). */
    @Override
    public byte[] toBytes() {
        return bytes.clone();
    }
}
