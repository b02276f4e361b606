package io.cairn.vixmntbridge.vmdk;

import io.cairn.vixmntbridge.VixException;

/**
 * A {@code FLAT} (or {@code VMFS}) extent, and a raw image: the sectors are stored in order in a file,
 * starting at a sector offset (the optional last field of the extent line, 0 for what qemu-img and
 * VMware write).
 */
final class FlatExtent implements Extent {
    private final ExtentFile file;
    private final long byteOffset;
    private final long sectors;

    private FlatExtent(ExtentFile file, long byteOffset, long sectors) {
        this.file = file;
        this.byteOffset = byteOffset;
        this.sectors = sectors;
    }

    /** Takes ownership of {@code file}; refuses a file too short for the extent. */
    static FlatExtent of(ExtentFile file, long offsetSectors, long sectors) throws VixException {
        long need = (offsetSectors + sectors) * SparseHeader.SECTOR;
        if (offsetSectors < 0 || sectors < 0 || need < 0 || file.size() < need) {
            file.close();
            throw new VixException(
                    VixException.VIX_E_DISK_INVAL,
                    "flat extent '" + file.path() + "' is truncated: "
                            + sectors + " sectors at sector " + offsetSectors + " need " + need
                            + " bytes, the file has "
                            + file.size());
        }
        return new FlatExtent(file, offsetSectors * SparseHeader.SECTOR, sectors);
    }

    @Override
    public long sectors() {
        return sectors;
    }

    @Override
    public long readRun(long sector, int max, byte[] buf, int off) throws VixException {
        file.readFully(byteOffset + sector * SparseHeader.SECTOR, buf, off, max * SparseHeader.SECTOR);
        return max;
    }

    @Override
    public void allocated(long start, long end, RangeSink sink) {
        // Java cannot ask the file system for holes (no SEEK_DATA), so all of it may hold data.
        if (end > start) {
            sink.range(start, end);
        }
    }

    @Override
    public void close() throws VixException {
        file.close();
    }
}
