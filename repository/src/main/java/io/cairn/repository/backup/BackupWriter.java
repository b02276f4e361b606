package io.cairn.repository.backup;

import io.cairn.repository.Repository;
import io.cairn.repository.chunk.ChunkId;
import io.cairn.repository.chunk.ChunkStore;
import io.cairn.repository.error.BackupNotFoundException;
import io.cairn.repository.error.ObjectNotFoundException;
import io.cairn.repository.format.FormatConstants;
import io.cairn.repository.index.Chunker;
import io.cairn.repository.index.DiskIndex;
import io.cairn.repository.index.FixedIndex;
import io.cairn.repository.index.VariableIndex;
import io.cairn.repository.lock.Lock;
import io.cairn.repository.manifest.BackupRef;
import io.cairn.repository.manifest.Manifest;
import io.cairn.repository.store.Store;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes one backup: chunks, then an index per disk, then the manifest (the commit point). Chunks are
 * read, hashed, compressed and stored by {@code threads} workers with positional reads, so memory is
 * bounded by a few chunk buffers per worker whatever the disk size.
 */
public final class BackupWriter {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Repository repo;
    private final int threads;
    private final Progress progress;
    private final Duration lockWait;

    public BackupWriter(Repository repo, int threads, Progress progress, Duration lockWait) {
        this.repo = repo;
        this.threads = Math.max(1, threads);
        this.progress = progress;
        this.lockWait = lockWait;
    }

    /** The committed backup. */
    public record Result(BackupRef ref, Manifest manifest) {}

    /** Writes one backup under a lock taken now; see {@link Session#write}. */
    public Result write(BackupRequest req) throws IOException {
        try (Session s = begin()) {
            return s.write(req);
        }
    }

    /**
     * Takes the shared lock now, before the caller chooses an incremental's base, so that no gc can
     * run between that choice and the commit (and a prune of the base cannot take its chunks away).
     */
    public Session begin() throws IOException {
        return new Session(repo.locks().acquire(false, "backup", lockWait));
    }

    /** A backup's hold on the repository, from choosing its base to its commit. */
    public final class Session implements AutoCloseable {
        private final Lock lock;

        private Session(Lock lock) {
            this.lock = lock;
        }

        /**
         * Writes the backup: chunks, then an index per disk, then the manifest (the commit point).
         * When the request names a parent, its manifest is read again under the lock: if it was
         * pruned meanwhile, every disk is read in full. Every chunk id an incremental copies from
         * its base without reading is checked to exist and renewed before the commit; ids that
         * are missing (damage that {@code check} quarantined, say) are read from the source again.
         */
        public Result write(BackupRequest req) throws IOException {
            Instant start = Instant.now();
            BackupRef ref = new BackupRef(BackupRef.vmKeyOf(req.vm().identity()), newId());
            boolean baseGone = req.parent() != null && !parentStillThere(ref, req.parent());
            List<String> written = new ArrayList<>();
            boolean committed = false;
            try {
                List<Manifest.DiskEntry> disks = new ArrayList<>();
                RecentChunks seen = new RecentChunks();
                // Chunks become durable together, before the commit (one fsync each, many at once).
                Store.Batch batch = repo.store().batch();
                for (int d = 0; d < req.disks().size(); d++) {
                    BackupRequest.DiskInput in = req.disks().get(d);
                    if (baseGone) {
                        in = new BackupRequest.DiskInput(in.source(), null, null, in.changeId());
                    }
                    String diskKey = FormatConstants.DISK_KEY_PREFIX + d;
                    DiskStatsCounter stats = new DiskStatsCounter();
                    DiskIndex idx = repo.chunker() == null
                            ? backupDisk(in, diskKey, stats, seen, batch)
                            : backupCut(in, diskKey, stats, seen, batch);
                    in.source().finish();
                    byte[] bytes = idx.toBytes();
                    String indexName = diskKey + idx.suffix();
                    written.add(ref.fileKey(indexName));
                    repo.store().put(ref.fileKey(indexName), bytes);
                    disks.add(new Manifest.DiskEntry(
                            diskKey,
                            in.source().name(),
                            idx.capacity(),
                            indexName,
                            Repository.sha256Hex(bytes),
                            in.source().metadata(),
                            in.changeId(),
                            stats.snapshot(idx.count())));
                }
                List<Manifest.FileEntry> files = new ArrayList<>();
                for (BackupRequest.FileInput f : req.files()) {
                    files.add(storeFile(f));
                }
                batch.finish();
                lock.checkHeld();
                repo.store().sync(); // every chunk and index name durable before the manifest exists
                Manifest m = new Manifest(
                        FormatConstants.MANIFEST_VERSION,
                        ref.id(),
                        start.toString(),
                        Instant.now().toString(),
                        req.vm(),
                        req.source(),
                        req.labels(),
                        repo.config().chunkSize(),
                        baseGone ? null : req.parent(),
                        req.config(),
                        req.encryption(),
                        disks,
                        files,
                        req.warnings());
                repo.writeManifest(ref, m);
                committed = true;
                return new Result(ref, m);
            } finally {
                if (!committed) {
                    // Best effort, manifest first (it may exist if only its sync failed): gc removes
                    // whatever remains (chunks, an incomplete directory).
                    written.add(0, ref.manifestKey());
                    for (String k : written) {
                        try {
                            repo.store().delete(k);
                        } catch (IOException ignored) {
                            // reported by check, removed by gc
                        }
                    }
                }
            }
        }

        private boolean parentStillThere(BackupRef ref, String parent) throws IOException {
            try {
                repo.readManifest(new BackupRef(ref.vmKey(), parent));
                return true;
            } catch (ObjectNotFoundException | BackupNotFoundException e) {
                return false;
            }
        }

        @Override
        public void close() throws IOException {
            lock.close();
        }
    }

    private FixedIndex backupDisk(
            BackupRequest.DiskInput in, String diskKey, DiskStatsCounter stats, RecentChunks seen, Store.Batch batch)
            throws IOException {
        DiskSource src = in.source();
        int cs = repo.config().chunkSize();
        long capacity = src.capacity();
        FixedIndex idx = FixedIndex.create(capacity, cs, repo.chunks().keyed());
        int n = idx.count();

        BitSet toRead = new BitSet(n);
        FixedIndex base = in.base() instanceof FixedIndex f ? f : null;
        boolean incremental =
                base != null && in.changedAreas() != null && base.capacity() == capacity && base.chunkSize() == cs;
        if (incremental) {
            mark(toRead, in.changedAreas(), cs, n);
            for (int i = toRead.nextClearBit(0); i < n; i = toRead.nextClearBit(i + 1)) {
                idx.set(i, base.id(i));
            }
        } else {
            toRead.set(0, n);
        }
        List<Extent> allocated = src.allocatedAreas();
        if (allocated != null) {
            BitSet alloc = new BitSet(n);
            mark(alloc, allocated, cs, n);
            toRead.and(alloc); // unallocated chunks stay all-zero entries without a read
        }
        int[] work = toRead.stream().toArray();
        stats.read.set(work.length);

        progress.begin(diskKey + " " + src.name(), capacity);
        long skipped = 0;
        for (int i = toRead.nextClearBit(0); i < n; i = toRead.nextClearBit(i + 1)) {
            skipped += idx.length(i);
        }
        progress.advance(skipped);

        try {
            readChunks(src, idx, work, stats, seen, batch);
        } finally {
            progress.end();
        }
        if (incremental) {
            int[] missing = missingCopies(idx, toRead);
            if (missing.length > 0) {
                // Copied ids whose chunk is gone (quarantined as damaged, or lost): the source
                // still has those bytes, so read them again instead of committing a hole.
                stats.read.addAndGet(missing.length);
                long bytes = 0;
                for (int e : missing) {
                    bytes += idx.length(e);
                }
                progress.begin(diskKey + " " + src.name() + " (chunks missing from the base)", bytes);
                try {
                    readChunks(src, idx, missing, stats, seen, batch);
                } finally {
                    progress.end();
                }
            }
        }
        long zeroEntries = 0;
        for (int i = 0; i < n; i++) {
            if (idx.isZero(i)) {
                zeroEntries++;
            }
        }
        stats.zero.set(zeroEntries);
        return idx;
    }

    private void readChunks(
            DiskSource src, FixedIndex idx, int[] work, DiskStatsCounter stats, RecentChunks seen, Store.Batch batch)
            throws IOException {
        try (ReadAhead reader = ReadAhead.ranges(src, work, idx::offset, idx::length, idx.chunkSize(), threads)) {
            store(reader.start(), idx.chunkSize(), idx::set, idx::clear, stats, seen, batch);
        }
    }

    /** Where workers put the id of each chunk they stored. */
    @FunctionalInterface
    private interface SetId {
        void set(int entry, ChunkId id);
    }

    /**
     * Hashes, compresses and stores what {@code reader} emits, on {@code threads} workers, until it
     * ends; records each id through {@code setId} (all-zero chunks through {@code clear}).
     */
    private void store(
            ReadAhead reader,
            int maxLength,
            SetId setId,
            java.util.function.IntConsumer clear,
            DiskStatsCounter stats,
            RecentChunks seen,
            Store.Batch batch)
            throws IOException {
        ChunkStore chunks = repo.chunks();
        Parallel.forEach(threads, threads, "backup", () -> {
            byte[] zeros = new byte[maxLength];
            return w -> {
                try {
                    ReadAhead.Chunk c;
                    while ((c = reader.take()) != null) {
                        try {
                            int len = c.length();
                            byte[] buf = c.data();
                            // All-zero chunks are never stored: their index entry stays the zero id.
                            if (Arrays.mismatch(buf, 0, len, zeros, 0, len) != -1) {
                                ChunkId id = chunks.id(buf, 0, len);
                                if (!seen.seen(id)) {
                                    ChunkStore.PutResult r = chunks.put(id, buf, 0, len, batch);
                                    if (r.stored()) {
                                        stats.fresh.incrementAndGet();
                                        stats.freshBytes.addAndGet(len);
                                        stats.stored.addAndGet(r.storedBytes());
                                    }
                                }
                                setId.set(c.entry(), id);
                            } else {
                                clear.accept(c.entry());
                            }
                            progress.advance(len);
                        } finally {
                            reader.release(c);
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    reader.abort(); // the reading thread stops, and the other workers with it
                    throw e;
                }
            };
        });
    }

    /**
     * A version 2 disk: content-defined chunks cut by a {@link DiskCutter} (all of the disk, or the
     * changed neighbourhoods of an incremental), then, for an incremental, every copied chunk
     * renewed and the missing ones read again over their same ranges.
     */
    private VariableIndex backupCut(
            BackupRequest.DiskInput in, String diskKey, DiskStatsCounter stats, RecentChunks seen, Store.Batch batch)
            throws IOException {
        DiskSource src = in.source();
        Chunker chunker = repo.chunker();
        int max = chunker.params().max();
        long capacity = src.capacity();
        VariableIndex base = in.base() instanceof VariableIndex v
                        && in.changedAreas() != null
                        && v.capacity() == capacity
                        && v.maxLength() == max
                ? v
                : null;
        VariableIndex.Builder b =
                VariableIndex.builder(capacity, max, repo.chunks().keyed());
        BitSet copied = new BitSet();
        DiskCutter cutter = new DiskCutter(
                src, capacity, chunker, base, in.changedAreas(), src.allocatedAreas(), b, copied, progress);
        progress.begin(diskKey + " " + src.name(), capacity);
        try (ReadAhead reader = new ReadAhead(src.name(), max, threads, cutter)) {
            store(reader.start(), max, b::set, b::clear, stats, seen, batch);
        } finally {
            progress.end();
        }
        stats.read.set(cutter.readChunks());
        if (base != null) {
            int[] missing = missingCopies(copied, b::id);
            if (missing.length > 0) {
                stats.read.addAndGet(missing.length);
                long bytes = 0;
                for (int e : missing) {
                    bytes += length(b, e);
                }
                progress.begin(diskKey + " " + src.name() + " (chunks missing from the base)", bytes);
                try (ReadAhead reader = ReadAhead.ranges(
                        src, missing, e -> e == 0 ? 0 : b.end(e - 1), e -> length(b, e), max, threads)) {
                    store(reader.start(), max, b::set, b::clear, stats, seen, batch);
                } finally {
                    progress.end();
                }
            }
        }
        VariableIndex idx = b.build();
        long zeroEntries = 0;
        for (int i = 0; i < idx.count(); i++) {
            if (idx.isZero(i)) {
                zeroEntries++;
            }
        }
        stats.zero.set(zeroEntries);
        return idx;
    }

    private static int length(VariableIndex.Builder b, int e) {
        return (int) (b.end(e) - (e == 0 ? 0 : b.end(e - 1)));
    }

    /**
     * Renews every distinct chunk an incremental copied from its base (entries not in {@code read})
     * and returns the entries whose chunk does not exist.
     */
    private int[] missingCopies(FixedIndex idx, BitSet read) throws IOException {
        BitSet copiedEntries = new BitSet(idx.count());
        for (int i = read.nextClearBit(0); i < idx.count(); i = read.nextClearBit(i + 1)) {
            if (!idx.isZero(i)) {
                copiedEntries.set(i);
            }
        }
        return missingCopies(copiedEntries, idx::id);
    }

    /**
     * Renews every distinct chunk of the entries in {@code copiedEntries} (ids taken from a base
     * without reading) and returns the entries whose chunk does not exist.
     */
    private int[] missingCopies(BitSet copiedEntries, java.util.function.IntFunction<ChunkId> idOf) throws IOException {
        Map<ChunkId, List<Integer>> copied = new LinkedHashMap<>();
        for (int i = copiedEntries.nextSetBit(0); i >= 0; i = copiedEntries.nextSetBit(i + 1)) {
            copied.computeIfAbsent(idOf.apply(i), k -> new ArrayList<>(1)).add(i);
        }
        List<ChunkId> ids = new ArrayList<>(copied.keySet());
        BitSet missing = new BitSet();
        ChunkStore chunks = repo.chunks();
        Parallel.forEach(ids.size(), threads, "backup", () -> k -> {
            ChunkId id = ids.get(k);
            if (!chunks.renew(id)) {
                synchronized (missing) {
                    for (int e : copied.get(id)) {
                        missing.set(e);
                    }
                }
            }
        });
        return missing.stream().toArray();
    }

    /** Sets the bit of every chunk that an extent touches. */
    static void mark(BitSet bits, List<Extent> extents, int chunkSize, int n) {
        for (Extent e : extents) {
            if (e.length() == 0) {
                continue;
            }
            long first = e.offset() / chunkSize;
            long last = (e.offset() + e.length() - 1) / chunkSize;
            if (first >= n) {
                continue;
            }
            bits.set((int) first, (int) Math.min(last, n - 1) + 1);
        }
    }

    private Manifest.FileEntry storeFile(BackupRequest.FileInput f) throws IOException {
        int cs = repo.config().chunkSize();
        List<String> ids = new ArrayList<>();
        byte[] c = f.content();
        for (int off = 0; off < c.length; off += cs) {
            int len = Math.min(cs, c.length - off);
            ChunkId id = repo.chunks().id(c, off, len);
            repo.chunks().put(id, c, off, len);
            ids.add(id.hex());
        }
        return new Manifest.FileEntry(f.role(), f.name(), c.length, Repository.sha256Hex(c), ids);
    }

    static String newId() {
        byte[] b = new byte[8];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private static final class DiskStatsCounter {
        final AtomicLong zero = new AtomicLong();
        final AtomicLong read = new AtomicLong();
        final AtomicLong fresh = new AtomicLong();
        final AtomicLong freshBytes = new AtomicLong();
        final AtomicLong stored = new AtomicLong();

        Manifest.DiskStats snapshot(int chunks) {
            return new Manifest.DiskStats(chunks, zero.get(), read.get(), fresh.get(), freshBytes.get(), stored.get());
        }
    }
}
