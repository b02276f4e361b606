package io.cairn.repository.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.repository.chunk.ChunkId;
import io.cairn.repository.error.CorruptObjectException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class VariableIndexTest {
    static final int MAX = 256 * 1024;

    /** An index of random aligned chunk lengths (4 KiB to MAX) over a disk with an unaligned end. */
    static VariableIndex sample(long seed) {
        Random r = new Random(seed);
        long capacity = 50L * 1024 * 1024 + 1234;
        VariableIndex.Builder b = VariableIndex.builder(capacity, MAX, false);
        long pos = 0;
        while (pos < capacity) {
            long end = Math.min(capacity, pos + 4096L * (1 + r.nextInt(MAX / 4096)));
            byte[] id = new byte[32];
            if (r.nextInt(5) > 0) {
                r.nextBytes(id);
            }
            b.add(end, ChunkId.of(id));
            pos = end;
        }
        return b.build();
    }

    @Test
    @DisplayName("binary search finds the entry of every boundary, of every chunk's last byte and in between")
    void lookupAtEveryBoundary() {
        VariableIndex idx = sample(1);
        assertTrue(idx.count() > 300);
        for (int i = 0; i < idx.count(); i++) {
            assertEquals(i, idx.entryAt(idx.offset(i)), "first byte of entry " + i);
            assertEquals(i, idx.entryAt(idx.end(i) - 1), "last byte of entry " + i);
            assertEquals(i, idx.entryAt(idx.offset(i) + idx.length(i) / 2), "middle of entry " + i);
            assertTrue(idx.isBoundary(idx.offset(i)));
            if (idx.length(i) > 4096) {
                assertFalse(idx.isBoundary(idx.offset(i) + 4096));
            }
        }
        assertEquals(idx.capacity(), idx.end(idx.count() - 1));
        assertThrows(IndexOutOfBoundsException.class, () -> idx.entryAt(idx.capacity()));
    }

    @Test
    @DisplayName("serializes and parses back (as either kind), entries and header intact")
    void roundTrip() throws CorruptObjectException {
        VariableIndex idx = sample(2);
        byte[] bytes = idx.toBytes();
        DiskIndex back = DiskIndex.parse(bytes, "k");
        VariableIndex v = assertInstanceOf(VariableIndex.class, back);
        assertEquals(idx.capacity(), v.capacity());
        assertEquals(idx.count(), v.count());
        assertEquals(MAX, v.maxLength());
        for (int i = 0; i < idx.count(); i++) {
            assertEquals(idx.end(i), v.end(i));
            assertEquals(idx.id(i), v.id(i));
            assertEquals(idx.isZero(i), v.isZero(i));
        }
        assertArrayEquals(bytes, v.toBytes());
        assertEquals(".vidx", v.suffix());
        VariableIndex empty = VariableIndex.builder(0, MAX, true).build();
        assertEquals(0, VariableIndex.parse(empty.toBytes(), "e").count());
    }

    @Test
    @DisplayName("a damaged index is refused before use: unaligned, overlong, unordered, short or mis-sized")
    void damagedRefused() {
        byte[] good = sample(3).toBytes();
        int e1 = 64 + 40; // second entry's end offset
        assertThrows(CorruptObjectException.class, () -> VariableIndex.parse(patchLong(good, 64, 4097), "k"));
        assertThrows(CorruptObjectException.class, () -> VariableIndex.parse(patchLong(good, 64, MAX + 4096), "k"));
        assertThrows(CorruptObjectException.class, () -> VariableIndex.parse(patchLong(good, e1, 0), "k"));
        int last = good.length - 40;
        assertThrows(CorruptObjectException.class, () -> VariableIndex.parse(patchLong(good, last, 1L << 40), "k"));
        assertThrows(
                CorruptObjectException.class,
                () -> VariableIndex.parse(java.util.Arrays.copyOf(good, good.length - 40), "k"));
        assertThrows(CorruptObjectException.class, () -> VariableIndex.parse(patchInt(good, 28, 64 << 20), "k"));
        assertThrows(CorruptObjectException.class, () -> VariableIndex.parse(patchInt(good, 24, 512), "k"));
        assertThrows(CorruptObjectException.class, () -> VariableIndex.parse(patchInt(good, 8, 2), "k"));
        byte[] wrongMagic = good.clone();
        wrongMagic[3] = 'Z';
        assertThrows(CorruptObjectException.class, () -> VariableIndex.parse(wrongMagic, "k"));
    }

    @Test
    @DisplayName("the builder refuses entries that would break the index's rules")
    void builderRules() {
        VariableIndex.Builder b = VariableIndex.builder(1 << 20, MAX, false);
        assertThrows(IllegalArgumentException.class, () -> b.add(5000));
        assertThrows(IllegalArgumentException.class, () -> b.add(MAX + 4096));
        b.add(4096);
        assertThrows(IllegalArgumentException.class, () -> b.add(4096));
        assertThrows(IllegalStateException.class, b::build);
    }

    static byte[] patchLong(byte[] b, int at, long v) {
        byte[] c = b.clone();
        ByteBuffer.wrap(c).order(ByteOrder.LITTLE_ENDIAN).putLong(at, v);
        return c;
    }

    static byte[] patchInt(byte[] b, int at, int v) {
        byte[] c = b.clone();
        ByteBuffer.wrap(c).order(ByteOrder.LITTLE_ENDIAN).putInt(at, v);
        return c;
    }
}
