package io.cairn.vixmntbridge.vmdk;

import java.util.Arrays;

/** A {@code ZERO} extent line: sectors that read as zeros and have no file. */
final class ZeroExtent implements Extent {
    private final long sectors;

    ZeroExtent(long sectors) {
        this.sectors = sectors;
    }

    @Override
    public long sectors() {
        return sectors;
    }

    @Override
    public long readRun(long sector, int max, byte[] buf, int off) {
        Arrays.fill(buf, off, off + max * SparseHeader.SECTOR, (byte) 0);
        return max;
    }

    @Override
    public void allocated(long start, long end, RangeSink sink) {
        // nothing here may hold data
    }

    @Override
    public void close() {}
}
