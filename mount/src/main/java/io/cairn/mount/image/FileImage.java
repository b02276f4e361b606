package io.cairn.mount.image;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** A file on a local filesystem as an {@link Image} (raw images, fixtures in tests). */
public final class FileImage implements Image, AutoCloseable {
    private final FileChannel channel;
    private final long size;

    private FileImage(FileChannel channel, long size) {
        this.channel = channel;
        this.size = size;
    }

    public static FileImage open(Path file) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        return new FileImage(ch, ch.size());
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public int read(long position, ByteBuffer dst) throws IOException {
        if (position >= size) {
            return -1;
        }
        int want = (int) Math.min(dst.remaining(), size - position);
        ByteBuffer view = dst.slice().limit(want);
        int total = 0;
        while (view.hasRemaining()) {
            int n = channel.read(view, position + total);
            if (n < 0) {
                throw new java.io.EOFException("file shrank below " + size + " bytes");
            }
            total += n;
        }
        dst.position(dst.position() + total);
        return total;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
