package io.cairn.repository.backup;

import io.cairn.repository.error.RepositoryException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.IntToLongFunction;
import java.util.function.IntUnaryOperator;

/**
 * One thread reads the chunks a backup needs, in disk order, into a small pool of buffers; workers
 * take them in the same order. The source sees one sequential stream (what disks, kernel read-ahead,
 * NBD and HTTPS transports do best) while hashing and compression run in parallel, and memory stays
 * at a few chunk buffers. What the thread reads is its {@link Producer}: given ranges (fixed
 * chunks, or chunks whose range is known), or a {@link DiskCutter} finding content-defined ones.
 */
final class ReadAhead implements AutoCloseable {
    /**
     * A chunk to store: the bytes of index entry {@code entry}, disk range {@code [offset, offset +
     * length)}, in {@code data} from index 0; {@code data} returns to the pool on {@link #release}.
     */
    record Chunk(int entry, long offset, int length, byte[] data) {}

    /** The reading thread's work: {@link #emit}s chunks in disk order into {@link #buffer}s. */
    @FunctionalInterface
    interface Producer {
        void run(ReadAhead out) throws IOException, InterruptedException;
    }

    private static final Chunk END = new Chunk(-1, 0, 0, new byte[0]);

    private final BlockingQueue<byte[]> free;
    private final BlockingQueue<Chunk> ready;
    private final Thread thread;
    private volatile IOException failure;

    ReadAhead(String name, int bufferSize, int workers, Producer producer) {
        int buffers = 2 * workers + 2;
        this.free = new ArrayBlockingQueue<>(buffers);
        this.ready = new ArrayBlockingQueue<>(buffers + 1);
        for (int i = 0; i < buffers; i++) {
            free.add(new byte[bufferSize]);
        }
        this.thread = new Thread(
                () -> {
                    try {
                        producer.run(this);
                    } catch (IOException e) {
                        failure = e;
                    } catch (InterruptedException e) {
                        failure = new InterruptedIOException("reading " + name + " interrupted");
                    } catch (RuntimeException e) {
                        failure = new RepositoryException("reading " + name + " failed: " + e, e);
                    } finally {
                        ready.offer(END); // wakes a waiting worker, which then sees the end or the failure
                    }
                },
                "cairn-read-" + name);
        thread.setDaemon(true);
    }

    /** Reads the given entries, each one chunk of a known range. */
    static ReadAhead ranges(
            DiskSource src,
            int[] entries,
            IntToLongFunction offset,
            IntUnaryOperator length,
            int bufferSize,
            int workers) {
        return new ReadAhead(src.name(), bufferSize, workers, out -> {
            for (int entry : entries) {
                byte[] buf = out.buffer();
                long off = offset.applyAsLong(entry);
                int len = length.applyAsInt(entry);
                src.read(off, buf, 0, len);
                out.emit(new Chunk(entry, off, len, buf));
            }
        });
    }

    /** Starts the reading thread. */
    ReadAhead start() {
        thread.start();
        return this;
    }

    /** A free buffer (the producer's side); waits while workers hold them all. */
    byte[] buffer() throws InterruptedException {
        return free.take();
    }

    /** Hands a chunk to the workers (the producer's side). */
    void emit(Chunk c) throws InterruptedException {
        ready.put(c);
    }

    /**
     * The next chunk in disk order, or null when every chunk was handed out.
     * @throws IOException if reading the source failed
     */
    Chunk take() throws IOException {
        try {
            Chunk c = ready.take();
            if (c == END) {
                ready.offer(END);
                if (failure != null) {
                    throw failure;
                }
                return null;
            }
            return c;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("backup interrupted");
        }
    }

    void release(Chunk c) {
        free.offer(c.data());
    }

    /** Stops the reading thread (a worker failed): waiting workers then fail too. */
    void abort() {
        thread.interrupt();
    }

    @Override
    public void close() {
        thread.interrupt();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
