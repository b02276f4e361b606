package io.cairn.repository.index;

import io.cairn.repository.chunk.ChunkId;
import io.cairn.repository.error.CorruptObjectException;
import io.cairn.repository.format.FormatConstants;
import java.util.Arrays;

/**
 * A disk as a sequence of chunks: entry i covers the bytes {@code [offset(i), offset(i) + length(i))},
 * the entries tile the disk in order, and each names its chunk by id (the zero id for all-zero
 * bytes, never stored). Two kinds, one per repository format version: the {@link FixedIndex} (v1:
 * fixed-size chunks, offset → entry by division) and the {@link VariableIndex} (v2: content-defined
 * chunks, offset → entry by binary search). Readers see only this interface.
 */
public sealed interface DiskIndex permits FixedIndex, VariableIndex {

    long capacity();

    /** True when ids are keyed (HMAC-SHA-256, an encrypted repository). */
    boolean keyed();

    int count();

    ChunkId id(int i);

    boolean isZero(int i);

    /** The first disk byte entry i covers. */
    long offset(int i);

    /** Bytes entry i covers (at least 1). */
    int length(int i);

    /** The entry covering byte {@code offset} ({@code 0 ≤ offset < capacity}). */
    int entryAt(long offset);

    /** No entry is longer than this: what a reader sizes its buffers for. */
    int maxLength();

    /** The file name suffix of this kind ({@code .fidx}, {@code .vidx}). */
    String suffix();

    /** The serialized form (a copy). */
    byte[] toBytes();

    /**
     * Parses either kind, told by its magic.
     * @param key the store key, for messages
     * @throws CorruptObjectException if the bytes are neither kind or break its rules
     */
    static DiskIndex parse(byte[] b, String key) throws CorruptObjectException {
        if (b.length >= 8 && Arrays.equals(b, 0, 8, FormatConstants.VIDX_MAGIC, 0, 8)) {
            return VariableIndex.parse(b, key);
        }
        return FixedIndex.parse(b, key);
    }
}
