package io.cairn.repository.backup;

import io.cairn.repository.chunk.ChunkId;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A fixed-size, direct-mapped memory of chunk ids this backup already stored or found: saves a store
 * round trip for repeated chunks (zero-like patterns, cloned blocks) without growing with the disk,
 * as a set of every id would (~100 bytes per chunk: 400 MB for a 4 TiB disk). A miss only costs the
 * store lookup that dedup would make anyway.
 */
final class RecentChunks {
    private static final int SLOTS = 1 << 16;
    private final AtomicReferenceArray<ChunkId> slots = new AtomicReferenceArray<>(SLOTS);

    /** @return true if {@code id} was remembered; remembers it either way */
    boolean seen(ChunkId id) {
        int slot = id.hashCode() & (SLOTS - 1);
        return id.equals(slots.getAndSet(slot, id));
    }
}
