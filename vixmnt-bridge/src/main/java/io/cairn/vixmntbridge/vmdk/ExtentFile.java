package io.cairn.vixmntbridge.vmdk;

import io.cairn.vixmntbridge.VixException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * One file opened read-only for positional reads. {@link FileChannel#read(ByteBuffer, long)} does not
 * move a shared position, so any number of threads may read at once. Its size is taken once at open:
 * the disk is read-only, and every bound check is against that size.
 */
final class ExtentFile implements AutoCloseable {
    private final Path path;
    private final FileChannel channel;
    private final long size;

    private ExtentFile(Path path, FileChannel channel, long size) {
        this.path = path;
        this.channel = channel;
        this.size = size;
    }

    static ExtentFile open(Path path, FileOpener opener) throws VixException {
        try {
            FileChannel ch = opener.open(path);
            try {
                return new ExtentFile(path, ch, ch.size());
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
        } catch (NoSuchFileException e) {
            throw new VixException(VixException.VIX_E_FILE_NOT_FOUND, "cannot open '" + path + "': no such file", e);
        } catch (IOException e) {
            throw new VixException(
                    VixException.VIX_E_FILE_ACCESS_ERROR,
                    "cannot open '" + path + "': " + (e.getMessage() != null ? e.getMessage() : e.toString()),
                    e);
        }
    }

    Path path() {
        return path;
    }

    long size() {
        return size;
    }

    /** Reads exactly {@code len} bytes at {@code pos}; a short file is damage, never zeros. */
    void readFully(long pos, byte[] buf, int off, int len) throws VixException {
        if (pos < 0 || pos > size - len) {
            throw new VixException(
                    VixException.VIX_E_DISK_INVAL,
                    "'" + path + "' is truncated: needs bytes " + pos + ".." + (pos + len) + " but has " + size);
        }
        ByteBuffer bb = ByteBuffer.wrap(buf, off, len);
        long at = pos;
        try {
            while (bb.hasRemaining()) {
                int n = channel.read(bb, at);
                if (n < 0) {
                    throw new VixException(
                            VixException.VIX_E_DISK_INVAL,
                            "'" + path + "' is truncated: ends at " + at + " while reading bytes " + pos + ".."
                                    + (pos + len));
                }
                at += n;
            }
        } catch (IOException e) {
            if (e instanceof VixException) {
                throw (VixException) e;
            }
            throw new VixException(
                    VixException.VIX_E_FILE_IO_ERROR, "reading '" + path + "' at " + pos + " failed: " + e, e);
        }
    }

    byte[] read(long pos, int len) throws VixException {
        byte[] b = new byte[len];
        readFully(pos, b, 0, len);
        return b;
    }

    @Override
    public void close() throws VixException {
        try {
            channel.close();
        } catch (IOException e) {
            throw new VixException(VixException.VIX_E_FILE_IO_ERROR, "closing '" + path + "' failed: " + e, e);
        }
    }
}
