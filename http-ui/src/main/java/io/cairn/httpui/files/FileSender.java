package io.cairn.httpui.files;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.eclipse.jetty.server.HttpOutput;

/**
 * Copies one file of a backup into a download response, telling a read error (the backup's data)
 * from a write error (the client went away).
 *
 * <p>The bytes go from the FUSE mount to the TLS encrypter through a direct buffer: a heap array
 * would cost two extra copies of every byte, one from the JDK's temporary direct buffer after the
 * read and one into another before the socket write, which on the 2-core appliance is CPU the
 * encryption and the mounts below need. The buffers are pooled (a direct buffer is freed only
 * when the collector gets to it), at most {@link #POOLED} of them; more concurrent downloads
 * allocate their own.
 */
public final class FileSender {
    static final int BUFFER_SIZE = 1 << 20;
    static final int POOLED = 8;
    private static final BlockingQueue<ByteBuffer> POOL = new ArrayBlockingQueue<>(POOLED);

    /** What happened: {@code sent} bytes went out; {@code error} is null when all {@code size} did. */
    public record Result(long sent, Failure failure, IOException error) {}

    /** Which side failed. */
    public enum Failure {
        NONE,
        READ,
        WRITE,
        SHORT
    }

    private FileSender() {}

    /** Sends the first {@code size} bytes of {@code file} to {@code out}, then flushes it. */
    public static Result send(Path file, long size, OutputStream out) throws IOException {
        long sent = 0;
        ByteBuffer buf = acquire();
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            while (sent < size) {
                buf.clear().limit((int) Math.min(buf.capacity(), size - sent));
                int n;
                try {
                    n = in.read(buf, sent);
                } catch (IOException e) {
                    return new Result(sent, Failure.READ, e);
                }
                if (n < 0) {
                    return new Result(sent, Failure.SHORT, null);
                }
                buf.flip();
                try {
                    write(out, buf);
                } catch (IOException e) {
                    return new Result(sent, Failure.WRITE, e);
                }
                sent += n;
            }
            try {
                out.flush();
            } catch (IOException e) {
                return new Result(sent, Failure.WRITE, e);
            }
            return new Result(sent, Failure.NONE, null);
        } finally {
            release(buf);
        }
    }

    private static void write(OutputStream out, ByteBuffer buf) throws IOException {
        if (out instanceof HttpOutput h) {
            h.write(buf); // blocking: returns once Jetty has taken (encrypted) all of it
            return;
        }
        byte[] a = new byte[Math.min(buf.remaining(), 64 << 10)]; // not Jetty (tests): plain copies
        while (buf.hasRemaining()) {
            int n = Math.min(a.length, buf.remaining());
            buf.get(a, 0, n);
            out.write(a, 0, n);
        }
    }

    private static ByteBuffer acquire() {
        ByteBuffer b = POOL.poll();
        return b != null ? b : ByteBuffer.allocateDirect(BUFFER_SIZE);
    }

    private static void release(ByteBuffer b) {
        POOL.offer(b);
    }
}
