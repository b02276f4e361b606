package io.cairn.vixmntbridge.vmdk;

import io.cairn.vixmntbridge.VixException;

/**
 * A contiguous run of a disk's sectors, addressed from 0 within the extent. Implementations are
 * thread-safe for reads.
 */
sealed interface Extent extends AutoCloseable permits FlatExtent, ZeroExtent, SparseExtent, SeSparseExtent {

    /** Sectors this extent contributes to the disk (its descriptor line's size). */
    long sectors();

    /**
     * Reads a run starting at {@code sector}, at most {@code max} sectors, into {@code buf}. Returns
     * {@code n > 0} when {@code n} sectors were filled (data or zeros), or {@code -n} when the next
     * {@code n} sectors are unallocated here: the caller reads them from the parent link, or zeros.
     */
    long readRun(long sector, int max, byte[] buf, int off) throws VixException;

    /** Reports the sector ranges within {@code [start, end)} that may hold data, in ascending order. */
    void allocated(long start, long end, RangeSink sink) throws VixException;

    @Override
    void close() throws VixException;

    /** Receives {@code [start, end)} sector ranges. */
    @FunctionalInterface
    interface RangeSink {
        void range(long start, long end);
    }

    /** Passes ascending ranges on to a sink, each joined to the one before when they touch. */
    final class Runs {
        private final RangeSink sink;
        private long start = -1;
        private long end = -1;

        Runs(RangeSink sink) {
            this.sink = sink;
        }

        void add(long s, long e) {
            if (s == end) {
                end = e;
                return;
            }
            flush();
            start = s;
            end = e;
        }

        /** Passes on the range being joined, if any: call once after the last {@link #add}. */
        void flush() {
            if (start >= 0) {
                sink.range(start, end);
            }
            start = -1;
            end = -1;
        }
    }
}
