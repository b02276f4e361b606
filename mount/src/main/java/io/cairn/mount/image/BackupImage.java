package io.cairn.mount.image;

import io.cairn.repository.index.DiskIndex;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * One backed-up disk as an {@link Image}: offset → index entry by division (v1's fixed-size chunks,
 * as PBS's {@code chunk_from_offset}) or by binary search (v2's content-defined chunks), chunks
 * through the shared {@link ChunkCache}, all-zero entries answered without touching the store.
 *
 * <p>Sequential access is detected per stream: a read that starts where an earlier read ended
 * continues that stream and schedules the next chunks ahead of it. Up to {@link #STREAMS} streams
 * are tracked so that a few concurrent copies (or the kernel's read-ahead running next to the
 * application's reads) each keep their read-ahead.
 */
public final class BackupImage implements Image {
    static final int STREAMS = 8;
    private static final byte[] ZEROS = new byte[64 * 1024];

    private final DiskIndex index;
    private final ChunkCache cache;
    private final int readAheadChunks;
    private final long[] streamEnds = new long[STREAMS];
    private final long[] streamAhead = new long[STREAMS];
    private int nextSlot;

    /**
     * @param readAheadChunks how many chunks a sequential stream keeps scheduled ahead of its
     *        position (0 disables read-ahead)
     */
    public BackupImage(DiskIndex index, ChunkCache cache, int readAheadChunks) {
        this.index = index;
        this.cache = cache;
        this.readAheadChunks = readAheadChunks;
        java.util.Arrays.fill(streamEnds, -1);
    }

    public DiskIndex index() {
        return index;
    }

    @Override
    public long size() {
        return index.capacity();
    }

    @Override
    public int read(long position, ByteBuffer dst) throws IOException {
        long size = index.capacity();
        if (position < 0) {
            throw new IllegalArgumentException("negative position " + position);
        }
        if (position >= size) {
            return -1;
        }
        int want = (int) Math.min(dst.remaining(), size - position);
        if (want == 0) {
            return 0;
        }
        readAhead(position, position + want);
        long pos = position;
        long end = position + want;
        int i = index.entryAt(pos);
        for (; pos < end; i++) {
            long chunkStart = index.offset(i);
            int within = (int) (pos - chunkStart);
            int n = (int) Math.min(end - pos, index.length(i) - within);
            if (index.isZero(i)) {
                for (int k = 0; k < n; k += ZEROS.length) {
                    dst.put(ZEROS, 0, Math.min(ZEROS.length, n - k));
                }
            } else {
                byte[] data = cache.get(index.id(i));
                if (data.length != index.length(i)) {
                    throw new io.cairn.repository.error.CorruptObjectException(
                            index.id(i).key(),
                            "chunk holds " + data.length + " bytes, the index expects " + index.length(i));
                }
                dst.put(data, within, n);
            }
            pos += n; // the next entry starts exactly here
        }
        return want;
    }

    private void readAhead(long start, long end) {
        if (readAheadChunks <= 0) {
            return;
        }
        int slot = -1;
        long ahead;
        synchronized (streamEnds) {
            for (int s = 0; s < STREAMS; s++) {
                // A read that starts at (or within one chunk after) where a stream ended continues it.
                if (streamEnds[s] >= 0 && start >= streamEnds[s] && start - streamEnds[s] <= index.maxLength()) {
                    slot = s;
                    break;
                }
            }
            if (slot < 0) {
                slot = nextSlot;
                nextSlot = (nextSlot + 1) % STREAMS;
                streamEnds[slot] = end;
                streamAhead[slot] = index.entryAt(end - 1);
                return; // a first read is not yet a stream: random 4 KiB reads must not fetch ahead
            }
            streamEnds[slot] = end;
            int current = index.entryAt(end - 1);
            long target = Math.min((long) current + readAheadChunks, index.count() - 1L);
            long from = Math.max(streamAhead[slot] + 1, current + 1L);
            ahead = from;
            streamAhead[slot] = Math.max(streamAhead[slot], target);
            if (from > target) {
                return;
            }
            for (long i = ahead; i <= target; i++) {
                if (!index.isZero((int) i)) {
                    cache.prefetch(index.id((int) i));
                }
            }
        }
    }
}
