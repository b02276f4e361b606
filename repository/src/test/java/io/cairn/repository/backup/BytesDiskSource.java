package io.cairn.repository.backup;

import java.io.IOException;
import java.util.List;

/** A disk held in memory, for tests; can pretend to shrink or fail mid-backup. */
public final class BytesDiskSource implements DiskSource {
    private final String name;
    private final byte[] data;
    private volatile long failAt = -1;
    private volatile long sizeAtEnd = -1;
    private List<Extent> allocated;

    public BytesDiskSource(String name, byte[] data) {
        this.name = name;
        this.data = data;
    }

    /** Reads at or after {@code offset} fail with an I/O error. */
    public BytesDiskSource failAt(long offset) {
        this.failAt = offset;
        return this;
    }

    /** The source reports this size when the backup finishes. */
    public BytesDiskSource sizeAtEnd(long size) {
        this.sizeAtEnd = size;
        return this;
    }

    public BytesDiskSource allocated(List<Extent> areas) {
        this.allocated = areas;
        return this;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public long capacity() {
        return data.length;
    }

    @Override
    public void read(long offset, byte[] buf, int off, int len) throws IOException {
        if (failAt >= 0 && offset + len > failAt) {
            throw new IOException("injected read error at " + offset);
        }
        System.arraycopy(data, (int) offset, buf, off, len);
    }

    @Override
    public List<Extent> allocatedAreas() {
        return allocated;
    }

    @Override
    public void finish() throws IOException {
        if (sizeAtEnd >= 0 && sizeAtEnd != data.length) {
            throw new SourceChangedException("source " + name + " changed size during the backup");
        }
    }

    @Override
    public void close() {}
}
