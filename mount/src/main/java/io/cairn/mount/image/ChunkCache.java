package io.cairn.mount.image;

import io.cairn.repository.chunk.ChunkId;
import io.cairn.repository.chunk.ChunkStore;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Decompressed, verified chunks shared by every open image of a mount, bounded by bytes (LRU).
 *
 * <p>A chunk is fetched once however many readers want it at the same moment: the first request
 * starts the fetch on the pool, later ones wait for the same future. Read-ahead uses the same
 * path ({@link #prefetch}), so a sequential reader usually finds its next chunk already decoded;
 * this is what lets one FUSE reader (128 KiB requests, one at a time) approach the throughput of
 * the parallel restore.
 *
 * <p>Failed fetches are not cached: the next read tries again and reports the error again.
 */
public final class ChunkCache implements AutoCloseable {
    private final ChunkStore chunks;
    private final long capacityBytes;
    private final ExecutorService pool;
    private final LinkedHashMap<ChunkId, CompletableFuture<byte[]>> entries = new LinkedHashMap<>(256, 0.75f, true);
    private long cachedBytes;
    private final AtomicLong fetched = new AtomicLong();

    /**
     * @param capacityBytes decoded bytes kept; in-flight fetches are not counted until done
     * @param threads fetch/decompress workers (read-ahead parallelism)
     */
    public ChunkCache(ChunkStore chunks, long capacityBytes, int threads) {
        this.chunks = chunks;
        this.capacityBytes = capacityBytes;
        this.pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "cairn-chunk-fetch");
            t.setDaemon(true);
            return t;
        });
    }

    /** The chunk's plaintext, fetched and verified if not cached. Callers must not modify it. */
    public byte[] get(ChunkId id) throws IOException {
        CompletableFuture<byte[]> f = request(id);
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while reading chunk " + id);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof UncheckedIOException u) {
                throw u.getCause();
            }
            if (c instanceof IOException io) {
                throw io;
            }
            throw new IOException("reading chunk " + id + " failed: " + c, c);
        }
    }

    /** Starts fetching a chunk in the background unless it is cached or already on its way. */
    public void prefetch(ChunkId id) {
        request(id);
    }

    /** Chunks fetched from the store so far (for tests and statistics). */
    public long fetchedChunks() {
        return fetched.get();
    }

    private CompletableFuture<byte[]> request(ChunkId id) {
        CompletableFuture<byte[]> f;
        synchronized (this) {
            f = entries.get(id);
            if (f != null) {
                return f;
            }
            f = new CompletableFuture<>();
            entries.put(id, f);
        }
        CompletableFuture<byte[]> mine = f;
        try {
            pool.execute(() -> load(id, mine));
        } catch (RuntimeException rejected) {
            forget(id, mine);
            mine.completeExceptionally(new IOException("the mount is closing"));
        }
        return f;
    }

    private void load(ChunkId id, CompletableFuture<byte[]> f) {
        byte[] data;
        try {
            data = chunks.get(id);
            fetched.incrementAndGet();
        } catch (IOException e) {
            forget(id, f);
            f.completeExceptionally(e);
            return;
        } catch (RuntimeException | Error e) {
            forget(id, f);
            f.completeExceptionally(e);
            return;
        }
        synchronized (this) {
            if (entries.get(id) == f) {
                cachedBytes += data.length;
                evict();
            }
        }
        f.complete(data);
    }

    private synchronized void forget(ChunkId id, CompletableFuture<byte[]> f) {
        entries.remove(id, f);
    }

    private void evict() {
        // Oldest first; entries still loading are skipped (they are counted once they land).
        Iterator<Map.Entry<ChunkId, CompletableFuture<byte[]>>> it =
                entries.entrySet().iterator();
        while (cachedBytes > capacityBytes && it.hasNext()) {
            Map.Entry<ChunkId, CompletableFuture<byte[]>> e = it.next();
            CompletableFuture<byte[]> v = e.getValue();
            if (v.isDone() && !v.isCompletedExceptionally()) {
                cachedBytes -= v.join().length;
                it.remove();
            }
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
