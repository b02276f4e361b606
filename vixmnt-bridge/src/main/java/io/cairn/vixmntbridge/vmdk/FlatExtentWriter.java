package io.cairn.vixmntbridge.vmdk;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A raw image or a monolithicFlat {@code -flat.vmdk}: the sectors in order. Zero runs of
 * {@link #HOLE} bytes or more are skipped, so they stay holes of a sparse file; {@link #finish} sets
 * the final length, which also covers a zero tail.
 */
final class FlatExtentWriter implements ExtentWriter {
    /** Zero detection granularity: the usual filesystem block. */
    static final int HOLE = 4096;

    private static final byte[] ZEROS = new byte[VmdkWriter.BLOCK];

    private final Path path;
    private final long bytes;
    private final RandomAccessFile file;
    private final FileChannel channel;

    FlatExtentWriter(Path path, long bytes) throws IOException {
        this.path = path;
        this.bytes = bytes;
        this.file = VmdkWriter.createNew(path);
        this.channel = file.getChannel();
    }

    @Override
    public void block(long index, byte[] buf, int off) throws IOException {
        long base = index * VmdkWriter.BLOCK;
        int len = (int) Math.min(VmdkWriter.BLOCK, bytes - base);
        int i = 0;
        while (i < len) {
            // skip zero pieces, then write the run of non-zero pieces as one write
            while (i < len && isZero(buf, off + i, Math.min(HOLE, len - i))) {
                i += HOLE;
            }
            int start = i;
            while (i < len && !isZero(buf, off + i, Math.min(HOLE, len - i))) {
                i += HOLE;
            }
            int end = Math.min(i, len);
            if (end > start) {
                VmdkWriter.writeFully(channel, ByteBuffer.wrap(buf, off + start, end - start), base + start);
            }
        }
    }

    /** Whether {@code len} bytes (at most a block) are all zero; vectorized by the JIT. */
    static boolean isZero(byte[] b, int off, int len) {
        return Arrays.mismatch(b, off, off + len, ZEROS, 0, len) < 0;
    }

    @Override
    public void finish() throws IOException {
        try {
            file.setLength(bytes);
            channel.force(true);
        } finally {
            file.close();
        }
    }

    @Override
    public void abort() {
        try {
            file.close();
        } catch (IOException e) {
            // already failing
        }
    }

    @Override
    public String toString() {
        return path.toString();
    }
}
