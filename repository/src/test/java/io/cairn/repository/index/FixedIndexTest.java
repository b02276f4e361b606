package io.cairn.repository.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.repository.chunk.ChunkId;
import io.cairn.repository.error.CorruptObjectException;
import java.util.Arrays;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class FixedIndexTest {
    static final int MB = 1 << 20;

    @Test
    @DisplayName("offsets map to entries by division, with a short last chunk")
    void arithmetic() {
        FixedIndex idx = FixedIndex.create(5L * MB + 4096, MB, false);
        assertEquals(6, idx.count());
        assertEquals(MB, idx.length(0));
        assertEquals(4096, idx.length(5));
        assertEquals(5L * MB, idx.offset(5));
        assertEquals(3, idx.entryAt(3L * MB + 17));
        assertEquals(0, FixedIndex.create(0, MB, false).count());
    }

    @Test
    @DisplayName("serializes and parses back, ids and header intact")
    void roundTrip() throws Exception {
        FixedIndex idx = FixedIndex.create(3L * MB, MB, true);
        byte[] raw = new byte[32];
        Arrays.fill(raw, (byte) 7);
        idx.set(1, ChunkId.of(raw));
        FixedIndex back = FixedIndex.parse(idx.toBytes(), "k");
        assertEquals(3L * MB, back.capacity());
        assertTrue(back.keyed());
        assertTrue(back.isZero(0));
        assertArrayEquals(raw, back.id(1).bytes());
        assertTrue(back.isZero(2));
    }

    @Test
    @DisplayName("wrong magic, a truncated entry table and an implausible header are rejected")
    void rejects() {
        byte[] good = FixedIndex.create(3L * MB, MB, false).toBytes();
        byte[] magic = good.clone();
        magic[1] = 'X';
        assertThrows(CorruptObjectException.class, () -> FixedIndex.parse(magic, "k"));
        assertThrows(CorruptObjectException.class, () -> FixedIndex.parse(Arrays.copyOf(good, good.length - 1), "k"));
        assertThrows(CorruptObjectException.class, () -> FixedIndex.parse(Arrays.copyOf(good, 10), "k"));
        byte[] chunk = good.clone();
        chunk[24] = 3; // chunk size no longer a power of two
        assertThrows(CorruptObjectException.class, () -> FixedIndex.parse(chunk, "k"));
    }
}
