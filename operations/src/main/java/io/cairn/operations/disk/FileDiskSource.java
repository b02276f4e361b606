package io.cairn.operations.disk;

import io.cairn.operations.roots.SourceRoots;
import io.cairn.repository.backup.DiskSource;
import io.cairn.repository.backup.SourceChangedException;
import io.cairn.repository.error.RepositoryException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/** A raw disk image file (or block device) read with positional reads. */
public final class FileDiskSource implements DiskSource {
    private final Path path;
    private final FileChannel channel;
    private final long capacity;

    private FileDiskSource(Path path, FileChannel channel, long capacity) {
        this.path = path;
        this.channel = channel;
        this.capacity = capacity;
    }

    /**
     * Opens a raw image (or, unconfined, a block device) through {@code roots}.
     *
     * @throws RepositoryException with a one-line reason when the file cannot be read or is not allowed
     */
    public static FileDiskSource open(Path path, SourceRoots roots) throws IOException {
        FileChannel ch = roots.open(path);
        try {
            return new FileDiskSource(path, ch, ch.size());
        } catch (IOException e) {
            ch.close();
            throw new RepositoryException("source " + path + " cannot be read: " + e.getMessage(), e);
        }
    }

    @Override
    public String name() {
        return path.getFileName().toString();
    }

    @Override
    public long capacity() {
        return capacity;
    }

    @Override
    public void read(long offset, byte[] buf, int off, int len) throws IOException {
        ByteBuffer bb = ByteBuffer.wrap(buf, off, len);
        long pos = offset;
        try {
            while (bb.hasRemaining()) {
                int n = channel.read(bb, pos);
                if (n < 0) {
                    throw new SourceChangedException("source " + path + " ended at byte " + pos + " but was " + capacity
                            + " bytes when the backup started (it changed during the backup)");
                }
                pos += n;
            }
        } catch (SourceChangedException e) {
            throw e;
        } catch (IOException e) {
            throw new RepositoryException(
                    "reading source " + path + " at byte " + pos + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void finish() throws IOException {
        long now = channel.size();
        if (now != capacity) {
            throw new SourceChangedException("source " + path + " changed size during the backup: " + capacity
                    + " bytes at the start, " + now + " at the end; nothing was committed");
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
