package io.cairn.repository.backup;

import io.cairn.repository.error.RepositoryException;
import io.cairn.repository.index.FixedIndex;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * One thread reads the chunks a backup needs, in disk order, into a small pool of buffers; workers
 * take them in the same order. The source sees one sequential stream (what disks, kernel read-ahead,
 * NBD and HTTPS transports do best) while hashing and compression run in parallel, and memory stays
 * at a few chunk buffers.
 */
final class ReadAhead implements AutoCloseable {
    /** A chunk read from the source; {@code data} returns to the pool on {@link #release}. */
    record Chunk(int entry, byte[] data) {}

    private static final Chunk END = new Chunk(-1, new byte[0]);

    private final BlockingQueue<byte[]> free;
    private final BlockingQueue<Chunk> ready;
    private final Thread thread;
    private volatile IOException failure;

    ReadAhead(DiskSource src, FixedIndex idx, int[] entries, int workers) {
        int buffers = 2 * workers + 2;
        this.free = new ArrayBlockingQueue<>(buffers);
        this.ready = new ArrayBlockingQueue<>(buffers + 1);
        for (int i = 0; i < buffers; i++) {
            free.add(new byte[idx.chunkSize()]);
        }
        this.thread = new Thread(
                () -> {
                    try {
                        for (int entry : entries) {
                            byte[] buf = free.take();
                            src.read(idx.offset(entry), buf, 0, idx.length(entry));
                            ready.put(new Chunk(entry, buf));
                        }
                    } catch (IOException e) {
                        failure = e;
                    } catch (InterruptedException e) {
                        failure = new InterruptedIOException("reading " + src.name() + " interrupted");
                    } catch (RuntimeException e) {
                        failure = new RepositoryException("reading " + src.name() + " failed: " + e, e);
                    } finally {
                        ready.offer(END); // wakes a waiting worker, which then sees the failure
                    }
                },
                "cairn-read-" + src.name());
        thread.setDaemon(true);
        thread.start();
    }

    /** The next chunk in disk order. @throws IOException if reading the source failed */
    Chunk take() throws IOException {
        try {
            Chunk c = ready.take();
            if (c == END) {
                ready.offer(END);
                throw failure != null ? failure : new RepositoryException("source ended before all chunks were read");
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
