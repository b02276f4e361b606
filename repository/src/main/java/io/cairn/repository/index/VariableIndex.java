package io.cairn.repository.index;

import io.cairn.repository.chunk.ChunkId;
import io.cairn.repository.error.CorruptObjectException;
import io.cairn.repository.format.FormatConstants;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A disk as content-defined chunks (repository format v2, {@code .vidx}): entry i covers
 * {@code [end(i-1), end(i))}. The end offsets are the prefix sums of the chunk lengths, so the entry
 * holding an offset is found by binary search. Every index this class returns has been checked:
 * ends strictly increasing and aligned (but the last, which is the capacity), no chunk longer than
 * the header's maximum — an index read from the store is untrusted input.
 */
public final class VariableIndex implements DiskIndex {
    private final long capacity;
    private final int align;
    private final int max;
    private final boolean keyed;
    private final long[] ends;
    private final byte[] ids;

    private VariableIndex(long capacity, int align, int max, boolean keyed, long[] ends, byte[] ids) {
        this.capacity = capacity;
        this.align = align;
        this.max = max;
        this.keyed = keyed;
        this.ends = ends;
        this.ids = ids;
    }

    /** Parses and validates a serialized index. @param key for messages */
    public static VariableIndex parse(byte[] b, String key) throws CorruptObjectException {
        if (b.length < FormatConstants.VIDX_HEADER_SIZE) {
            throw new CorruptObjectException(key, "truncated index header (" + b.length + " bytes)");
        }
        if (!Arrays.equals(b, 0, 8, FormatConstants.VIDX_MAGIC, 0, 8)) {
            throw new CorruptObjectException(key, "not a cairn variable index (wrong magic)");
        }
        ByteBuffer h = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        int version = h.getInt(8);
        if (version != FormatConstants.VIDX_VERSION) {
            throw new CorruptObjectException(key, "variable index format version " + version + " is not supported");
        }
        boolean keyed = (h.getInt(12) & FormatConstants.VIDX_FLAG_KEYED_IDS) != 0;
        long capacity = h.getLong(16);
        int align = h.getInt(24);
        int max = h.getInt(28);
        long n = h.getLong(32);
        if (capacity < 0
                || align != FormatConstants.CHUNKER_ALIGN
                || max < align
                || max > FormatConstants.CHUNKER_MAX_LIMIT
                || max % align != 0) {
            throw new CorruptObjectException(
                    key, "implausible header (capacity " + capacity + ", alignment " + align + ", max " + max + ")");
        }
        if (n < 0
                || n > capacity / align + 1
                || b.length != FormatConstants.VIDX_HEADER_SIZE + n * FormatConstants.VIDX_ENTRY_SIZE
                || (n == 0) != (capacity == 0)) {
            throw new CorruptObjectException(
                    key,
                    "holds " + b.length + " bytes, which does not match " + n + " entries for a disk of " + capacity
                            + " bytes");
        }
        int count = (int) n;
        long[] ends = new long[count];
        byte[] ids = new byte[count * FormatConstants.ID_SIZE];
        long prev = 0;
        for (int i = 0; i < count; i++) {
            int p = FormatConstants.VIDX_HEADER_SIZE + i * FormatConstants.VIDX_ENTRY_SIZE;
            long end = h.getLong(p);
            boolean last = i == count - 1;
            if (end <= prev || end - prev > max || (last ? end != capacity : end % align != 0)) {
                throw new CorruptObjectException(
                        key,
                        "entry " + i + " ends at " + end + " after " + prev
                                + " (entries must end in increasing, aligned offsets, at most " + max
                                + " bytes apart, the last at the capacity " + capacity + ")");
            }
            ends[i] = end;
            System.arraycopy(b, p + 8, ids, i * FormatConstants.ID_SIZE, FormatConstants.ID_SIZE);
            prev = end;
        }
        return new VariableIndex(capacity, align, max, keyed, ends, ids);
    }

    /** A builder for an index of a disk of {@code capacity} bytes cut in chunks of at most {@code max}. */
    public static Builder builder(long capacity, int max, boolean keyed) {
        return new Builder(capacity, max, keyed);
    }

    @Override
    public long capacity() {
        return capacity;
    }

    @Override
    public boolean keyed() {
        return keyed;
    }

    @Override
    public int count() {
        return ends.length;
    }

    @Override
    public ChunkId id(int i) {
        return ChunkId.of(ids, i * FormatConstants.ID_SIZE);
    }

    @Override
    public boolean isZero(int i) {
        int p = i * FormatConstants.ID_SIZE;
        for (int k = 0; k < FormatConstants.ID_SIZE; k++) {
            if (ids[p + k] != 0) {
                return false;
            }
        }
        return true;
    }

    @Override
    public long offset(int i) {
        return i == 0 ? 0 : ends[i - 1];
    }

    /** The first byte after entry i. */
    public long end(int i) {
        return ends[i];
    }

    @Override
    public int length(int i) {
        return (int) (ends[i] - offset(i));
    }

    /** The entry covering byte {@code offset}: the first whose end exceeds it (binary search). */
    @Override
    public int entryAt(long offset) {
        if (offset < 0 || offset >= capacity) {
            throw new IndexOutOfBoundsException("offset " + offset + " of a disk of " + capacity + " bytes");
        }
        int i = Arrays.binarySearch(ends, offset);
        return i >= 0 ? i + 1 : -i - 1;
    }

    /** True when a chunk of this index starts (or the disk ends) at {@code offset}. */
    public boolean isBoundary(long offset) {
        return offset == 0 || Arrays.binarySearch(ends, offset) >= 0;
    }

    @Override
    public int maxLength() {
        return max;
    }

    @Override
    public String suffix() {
        return FormatConstants.VIDX_SUFFIX;
    }

    @Override
    public byte[] toBytes() {
        int n = ends.length;
        byte[] b = new byte[FormatConstants.VIDX_HEADER_SIZE + n * FormatConstants.VIDX_ENTRY_SIZE];
        System.arraycopy(FormatConstants.VIDX_MAGIC, 0, b, 0, 8);
        ByteBuffer h = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(8, FormatConstants.VIDX_VERSION);
        h.putInt(12, keyed ? FormatConstants.VIDX_FLAG_KEYED_IDS : 0);
        h.putLong(16, capacity);
        h.putInt(24, align);
        h.putInt(28, max);
        h.putLong(32, n);
        for (int i = 0; i < n; i++) {
            int p = FormatConstants.VIDX_HEADER_SIZE + i * FormatConstants.VIDX_ENTRY_SIZE;
            h.putLong(p, ends[i]);
            System.arraycopy(ids, i * FormatConstants.ID_SIZE, b, p + 8, FormatConstants.ID_SIZE);
        }
        return b;
    }

    /**
     * Collects entries in disk order. One thread appends ({@link #add}); others may fill in the ids
     * of appended entries ({@link #set}) as long as they learnt of the entry after its append through
     * a happens-before edge (a queue hand-off). Storage grows in blocks, never moves, so a set never
     * races a growth.
     */
    public static final class Builder {
        private static final int BLOCK_BITS = 12;
        private static final int BLOCK = 1 << BLOCK_BITS;
        private final long capacity;
        private final int max;
        private final boolean keyed;
        private final long[][] ends;
        private final byte[][] ids;
        private int count;

        private Builder(long capacity, int max, boolean keyed) {
            if (capacity < 0) {
                throw new IllegalArgumentException("negative capacity");
            }
            long most = capacity / FormatConstants.CHUNKER_ALIGN + 1;
            if (most > Integer.MAX_VALUE / FormatConstants.VIDX_ENTRY_SIZE) {
                throw new IllegalArgumentException("disk of " + capacity + " bytes is too large for one index");
            }
            int blocks = (int) ((most + BLOCK - 1) >> BLOCK_BITS);
            this.capacity = capacity;
            this.max = max;
            this.keyed = keyed;
            this.ends = new long[blocks][];
            this.ids = new byte[blocks][];
        }

        /** Appends an entry ending at {@code end}, id zero until {@link #set}. @return its number */
        public int add(long end) {
            int i = count;
            long prev = i == 0 ? 0 : end(i - 1);
            if (end <= prev
                    || end > capacity
                    || end - prev > max
                    || (end != capacity && end % FormatConstants.CHUNKER_ALIGN != 0)) {
                throw new IllegalArgumentException("entry " + i + " would end at " + end + " after " + prev);
            }
            int b = i >> BLOCK_BITS;
            if (ends[b] == null) {
                ends[b] = new long[BLOCK];
                ids[b] = new byte[BLOCK * FormatConstants.ID_SIZE];
            }
            ends[b][i & (BLOCK - 1)] = end;
            count = i + 1;
            return i;
        }

        /** Appends an entry ending at {@code end} whose id is known. */
        public int add(long end, ChunkId id) {
            int i = add(end);
            set(i, id);
            return i;
        }

        public void set(int i, ChunkId id) {
            id.copyTo(ids[i >> BLOCK_BITS], (i & (BLOCK - 1)) * FormatConstants.ID_SIZE);
        }

        public ChunkId id(int i) {
            return ChunkId.of(ids[i >> BLOCK_BITS], (i & (BLOCK - 1)) * FormatConstants.ID_SIZE);
        }

        /** Makes entry i the all-zero entry. */
        public void clear(int i) {
            int p = (i & (BLOCK - 1)) * FormatConstants.ID_SIZE;
            Arrays.fill(ids[i >> BLOCK_BITS], p, p + FormatConstants.ID_SIZE, (byte) 0);
        }

        public int count() {
            return count;
        }

        public long end(int i) {
            return ends[i >> BLOCK_BITS][i & (BLOCK - 1)];
        }

        /** The first byte not yet covered. */
        public long covered() {
            return count == 0 ? 0 : end(count - 1);
        }

        /** The finished index. @throws IllegalStateException unless the entries reach the capacity */
        public VariableIndex build() {
            if (covered() != capacity) {
                throw new IllegalStateException("entries cover " + covered() + " of " + capacity + " bytes");
            }
            long[] e = new long[count];
            byte[] d = new byte[count * FormatConstants.ID_SIZE];
            for (int i = 0; i < count; i++) {
                e[i] = end(i);
                System.arraycopy(
                        ids[i >> BLOCK_BITS],
                        (i & (BLOCK - 1)) * FormatConstants.ID_SIZE,
                        d,
                        i * FormatConstants.ID_SIZE,
                        FormatConstants.ID_SIZE);
            }
            return new VariableIndex(capacity, FormatConstants.CHUNKER_ALIGN, max, keyed, e, d);
        }
    }
}
