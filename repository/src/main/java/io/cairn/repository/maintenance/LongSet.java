package io.cairn.repository.maintenance;

import java.util.Arrays;

/**
 * An open-addressing set of longs: 8 bytes per chunk where a {@code HashSet<ChunkId>} needs ~100,
 * so gc can mark tens of millions of chunks. Holds 64-bit id prefixes; a collision can only keep a
 * garbage chunk, never delete a live one.
 */
final class LongSet {
    private static final long EMPTY = 0;
    private long[] table = new long[1024];
    private int size;
    private boolean hasZero;

    void add(long v) {
        if (v == EMPTY) {
            hasZero = true;
            return;
        }
        if ((size + 1) * 2 > table.length) {
            grow();
        }
        if (insert(table, v)) {
            size++;
        }
    }

    boolean contains(long v) {
        if (v == EMPTY) {
            return hasZero;
        }
        int mask = table.length - 1;
        for (int i = mix(v) & mask; ; i = (i + 1) & mask) {
            long t = table[i];
            if (t == v) {
                return true;
            }
            if (t == EMPTY) {
                return false;
            }
        }
    }

    int size() {
        return size + (hasZero ? 1 : 0);
    }

    private static boolean insert(long[] t, long v) {
        int mask = t.length - 1;
        for (int i = mix(v) & mask; ; i = (i + 1) & mask) {
            if (t[i] == v) {
                return false;
            }
            if (t[i] == EMPTY) {
                t[i] = v;
                return true;
            }
        }
    }

    private void grow() {
        long[] bigger = new long[table.length * 2];
        for (long v : table) {
            if (v != EMPTY) {
                insert(bigger, v);
            }
        }
        Arrays.fill(table, 0);
        table = bigger;
    }

    private static int mix(long v) {
        long h = v * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }
}
