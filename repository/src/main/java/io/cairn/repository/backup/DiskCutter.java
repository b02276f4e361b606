package io.cairn.repository.backup;

import io.cairn.repository.format.FormatConstants;
import io.cairn.repository.index.Chunker;
import io.cairn.repository.index.VariableIndex;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;

/**
 * The reading side of a version 2 backup: cuts a disk into content-defined chunks, appending every
 * entry to the new index in disk order and emitting the chunks that need storing.
 *
 * <p>A full backup cuts the whole disk. An incremental (a base index and the changed areas) copies
 * the base's entries without reading, except around each changed area: from the start of the base
 * chunk holding the byte 4 KiB before the area — a cut depends only on the bytes before it and the
 * 4 KiB after it, none of which changed, so it is a boundary of the new disk too — it cuts the new bytes until a new boundary at or after the area's end coincides with a
 * base boundary. From there both cut the same unchanged bytes from the same place, so the base's
 * entries are exactly what a full cut would give (docs/repository-format.md, "Incrementals").
 *
 * <p>All-zero chunks become zero entries here, without a copy or a worker. Areas the source says
 * are unallocated are zeros and are never read.
 */
final class DiskCutter implements ReadAhead.Producer {
    private final DiskSource src;
    private final long capacity;
    private final Chunker chunker;
    private final VariableIndex base;
    private final List<Extent> areas;
    private final List<Extent> allocated;
    private final VariableIndex.Builder out;
    private final BitSet copied;
    private final Progress progress;
    private final int max;
    private final byte[] zeros;
    private final byte[] window;
    private long winStart;
    private int winLen;
    private int allocCursor;
    private long readBytes;
    private long readChunks;

    /**
     * @param base the previous backup's index, or null for a full cut
     * @param changed the changed areas (with {@code base}); ignored without a base
     * @param allocated areas that may hold data, or null when unknown
     * @param copied receives the numbers of the entries copied from the base
     */
    DiskCutter(
            DiskSource src,
            long capacity,
            Chunker chunker,
            VariableIndex base,
            List<Extent> changed,
            List<Extent> allocated,
            VariableIndex.Builder out,
            BitSet copied,
            Progress progress) {
        this.src = src;
        this.capacity = capacity;
        this.chunker = chunker;
        this.base = base;
        this.areas = base == null ? List.of(new Extent(0, capacity)) : merged(changed, capacity);
        this.allocated = allocated == null ? null : merged(allocated, capacity);
        this.out = out;
        this.copied = copied;
        this.progress = progress;
        this.max = chunker.params().max();
        this.zeros = new byte[max];
        // Room for a chunk plus 16 MiB (at least 3 chunks) read ahead of it: the unconsumed tail is
        // moved to the front at most once per (window - max) bytes.
        this.window = new byte[max + Math.max(3 * max, 16 << 20)];
    }

    /** Sorted, merged, clipped to the disk; empty areas dropped. */
    static List<Extent> merged(List<Extent> in, long capacity) {
        List<Extent> sorted = new ArrayList<>();
        for (Extent e : in) {
            long end = Math.min(capacity, e.offset() + e.length());
            if (e.length() > 0 && e.offset() < capacity && end > e.offset()) {
                sorted.add(new Extent(e.offset(), end - e.offset()));
            }
        }
        sorted.sort(Comparator.comparingLong(Extent::offset));
        List<Extent> m = new ArrayList<>();
        for (Extent e : sorted) {
            Extent last = m.isEmpty() ? null : m.get(m.size() - 1);
            if (last != null && e.offset() <= last.offset() + last.length()) {
                long end = Math.max(last.offset() + last.length(), e.offset() + e.length());
                m.set(m.size() - 1, new Extent(last.offset(), end - last.offset()));
            } else {
                m.add(e);
            }
        }
        return m;
    }

    /** Chunks cut so far that hold bytes read from the source. */
    long readChunks() {
        return readChunks;
    }

    /** True unless the source says {@code [start, end)} holds no data (then it was not read). */
    private boolean touchesAllocated(long start, long end) {
        if (allocated == null) {
            return true;
        }
        int lo = 0;
        int hi = allocated.size() - 1;
        while (lo <= hi) { // the first extent ending after start
            int mid = (lo + hi) >>> 1;
            Extent e = allocated.get(mid);
            if (e.offset() + e.length() <= start) {
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return lo < allocated.size() && allocated.get(lo).offset() < end;
    }

    /** Source bytes of the chunks cut so far that were read (unallocated ones not). */
    long readBytes() {
        return readBytes;
    }

    @Override
    public void run(ReadAhead feed) throws IOException, InterruptedException {
        long pos = 0; // everything before pos is in the new index; pos is a boundary of base and new
        int next = 0;
        while (next < areas.size()) {
            Extent a = areas.get(next);
            long areaEnd = a.offset() + a.length();
            if (areaEnd <= pos) {
                next++;
                continue;
            }
            long start = pos;
            if (base != null) {
                // A cut also depends on the 4 KiB after it (a zero block ends a chunk): start at a base
                // boundary at least one block before the change, so that it is a new boundary too.
                long before = Math.max(0, a.offset() - FormatConstants.CHUNKER_ALIGN);
                start = Math.max(pos, base.offset(base.entryAt(before)));
                copy(pos, start);
            }
            long mustReach = areaEnd;
            next++;
            while (true) {
                long p = cutOne(start, feed);
                start = p;
                while (next < areas.size() && areas.get(next).offset() < p) {
                    Extent e = areas.get(next++);
                    mustReach = Math.max(mustReach, e.offset() + e.length());
                }
                if (p == capacity || (base != null && p >= mustReach && base.isBoundary(p))) {
                    break;
                }
            }
            pos = start;
        }
        if (base != null) {
            copy(pos, capacity);
        }
    }

    /** Appends the base's entries covering {@code [from, to)}; both are base boundaries. */
    private void copy(long from, long to) {
        if (from >= to) {
            return;
        }
        long skipped = 0;
        for (int k = base.entryAt(from); k < base.count() && base.offset(k) < to; k++) {
            int e = out.add(base.end(k), base.id(k));
            if (!base.isZero(k)) {
                copied.set(e);
            }
            skipped += base.length(k);
        }
        progress.advance(skipped);
    }

    /** Cuts one chunk starting at {@code start}, appends it, emits it unless all zero. @return its end */
    private long cutOne(long start, ReadAhead feed) throws IOException, InterruptedException {
        int off = fill(start);
        long left = capacity - start;
        int avail = (int) Math.min(winLen - off, left);
        int len = chunker.cut(window, off, avail, avail == left);
        long end = start + len;
        int entry = out.add(end);
        if (touchesAllocated(start, end)) {
            readChunks++;
            readBytes += len;
        }
        if (Arrays.mismatch(window, off, off + len, zeros, 0, len) == -1) {
            progress.advance(len); // a zero entry: never stored
        } else {
            byte[] buf = feed.buffer();
            System.arraycopy(window, off, buf, 0, len);
            feed.emit(new ReadAhead.Chunk(entry, start, len, buf));
        }
        return end;
    }

    /**
     * Makes the window hold the disk bytes from {@code start} on, {@code max} of them or up to the
     * end. @return where {@code start} is in the window
     */
    private int fill(long start) throws IOException {
        if (start < winStart || start > winStart + winLen) {
            winStart = start;
            winLen = 0;
        }
        int off = (int) (start - winStart);
        if (off + max > window.length) {
            System.arraycopy(window, off, window, 0, winLen - off);
            winLen -= off;
            winStart = start;
            off = 0;
        }
        long want = Math.min(max, capacity - start);
        while (winLen - off < want) {
            long at = winStart + winLen;
            // Read ahead in large pieces when cutting on (a full backup), but not far past what an
            // incremental's neighbourhood needs.
            long n = Math.min(window.length - winLen, capacity - at);
            n = Math.min(n, Math.max(want - (winLen - off), 1 << 20));
            readRange(at, (int) n);
            winLen += (int) n;
        }
        return off;
    }

    /** Reads disk bytes {@code [at, at + n)} to the window's end; unallocated ones are zeros. */
    private void readRange(long at, int n) throws IOException {
        if (allocated == null) {
            src.read(at, window, winLen, n);
            return;
        }
        long end = at + n;
        long pos = at;
        while (allocCursor > 0
                && allocated.get(allocCursor - 1).offset()
                                + allocated.get(allocCursor - 1).length()
                        > at) {
            allocCursor--; // an incremental may go back to an earlier boundary
        }
        while (allocCursor < allocated.size()
                && allocated.get(allocCursor).offset()
                                + allocated.get(allocCursor).length()
                        <= at) {
            allocCursor++;
        }
        for (int i = allocCursor; pos < end && i < allocated.size(); i++) {
            Extent e = allocated.get(i);
            if (e.offset() >= end) {
                break;
            }
            long s = Math.max(pos, e.offset());
            long t = Math.min(end, e.offset() + e.length());
            if (s > pos) {
                Arrays.fill(window, winLen + (int) (pos - at), winLen + (int) (s - at), (byte) 0);
            }
            if (t > s) {
                src.read(s, window, winLen + (int) (s - at), (int) (t - s));
                pos = t;
            }
        }
        if (pos < end) {
            Arrays.fill(window, winLen + (int) (pos - at), winLen + n, (byte) 0);
        }
    }
}
