package io.cairn.repository.backup;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.repository.Repository;
import io.cairn.repository.TestRepos;
import io.cairn.repository.chunk.ChunkId;
import io.cairn.repository.index.DiskIndex;
import io.cairn.repository.index.VariableIndex;
import io.cairn.repository.maintenance.Checker;
import io.cairn.repository.maintenance.GarbageCollector;
import io.cairn.repository.maintenance.Pruner;
import io.cairn.repository.maintenance.RetentionPolicy;
import io.cairn.repository.manifest.Manifest;
import io.cairn.repository.store.MemoryStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Version 2 backups: content-defined chunks through the whole engine (backup, restore, maintenance). */
class CutBackupTest {
    static final int KB = 1024;
    static final int MB = 1024 * KB;

    @TempDir
    Path tmp;

    final MemoryStore store = new MemoryStore();

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** A guest-like disk: text, a 3 MiB "file", free space (zeros), the same file again, more text. */
    static byte[] disk(long seed) {
        byte[] d = new byte[12 * MB + 512];
        byte[] file = random(3 * MB, seed);
        byte[] text = text(d.length, seed + 1);
        System.arraycopy(text, 0, d, 0, 5 * 4096);
        System.arraycopy(file, 0, d, 5 * 4096, file.length); // at 20 KiB
        System.arraycopy(file, 0, d, 7 * MB + 9 * 4096, file.length); // at 7 MiB + 36 KiB
        System.arraycopy(text, 0, d, 11 * MB, MB);
        return d;
    }

    static byte[] text(int n, long seed) {
        StringBuilder sb = new StringBuilder();
        Random r = new Random(seed);
        while (sb.length() < n) {
            sb.append("line ").append(r.nextInt(1 << 30)).append(" of a log file\n");
        }
        return java.util.Arrays.copyOf(sb.toString().getBytes(StandardCharsets.US_ASCII), n);
    }

    static BackupWriter.Result backup(Repository repo, String vm, DiskSource src, DiskIndex base, List<Extent> changed)
            throws IOException {
        BackupRequest req = new BackupRequest(
                new Manifest.VmIdentity("id-" + vm, vm, null, null),
                "test:" + vm,
                Map.of(),
                null,
                null,
                List.of(new BackupRequest.DiskInput(src, base, changed, null)),
                List.of(),
                null);
        return new BackupWriter(repo, 2, Progress.NONE, Duration.ZERO).write(req);
    }

    static VariableIndex index(Repository repo, BackupWriter.Result r) throws IOException {
        return assertInstanceOf(
                VariableIndex.class,
                repo.readIndex(r.ref(), r.manifest().disks().get(0)));
    }

    @ParameterizedTest(name = "encrypted: {0}")
    @ValueSource(booleans = {false, true})
    @DisplayName("a v2 backup restores bit for bit, and the file's second copy at another offset is stored once")
    void restoresAndDeduplicatesUnalignedCopies(boolean encrypted) throws IOException {
        Repository repo = Repository.init(store, TestRepos.CHUNK, 3, encrypted ? "pw".toCharArray() : null);
        byte[] d = disk(1);
        BackupWriter.Result r = backup(repo, "vm1", new BytesDiskSource("vm1.img", d), null, null);
        assertArrayEquals(d, TestRepos.restoreDisk(repo, repo.resolve(r.ref().id()), tmp));
        Manifest.DiskStats s = r.manifest().disks().get(0).stats();
        // 3 MiB of random data twice, 1 MiB + 20 KiB of text (counted before compression): fixed
        // chunks would store both copies (7 MiB); content-defined ones lose at most a chunk (1 MiB at
        // most here) where each copy's chunks find the other's.
        assertTrue(s.newBytes() <= 4 * MB + 20 * KB + 2 * MB, "stored " + s.newBytes() + " bytes");
        VariableIndex idx = index(repo, r);
        for (int i = 0; i < idx.count() - 1; i++) {
            assertEquals(0, idx.end(i) % 4096);
        }
        assertTrue(idx.count() > 10);
        assertTrue(new Checker(repo, 2, Progress.NONE, Duration.ZERO).run(true).ok());
    }

    /** Changed areas at unaligned places: inside a chunk, across boundaries, the disk's last bytes. */
    static List<Extent> areas() {
        return List.of(
                new Extent(100, 10),
                new Extent(2 * MB + 333, 70 * KB),
                new Extent(5 * MB - 10, 20),
                new Extent(7 * MB + 9 * 4096 + 1, 4096 * 3),
                new Extent(9 * MB, 1),
                new Extent(12 * MB + 500, 12));
    }

    static byte[] apply(byte[] d, List<Extent> areas, long seed) {
        byte[] n = d.clone();
        Random r = new Random(seed);
        for (Extent e : areas) {
            for (long i = e.offset(); i < e.offset() + e.length(); i++) {
                n[(int) i] = (byte) r.nextInt();
            }
        }
        return n;
    }

    @Test
    @DisplayName("an incremental re-chunks only the changed neighbourhoods, and its index is the full cut's")
    void incrementalEqualsFullCut() throws IOException {
        Repository repo = TestRepos.initV2(store);
        byte[] a = disk(2);
        BackupWriter.Result ra = backup(repo, "vm1", new BytesDiskSource("vm1.img", a), null, null);
        VariableIndex base = index(repo, ra);
        List<Extent> changed = areas();
        byte[] b = apply(a, changed, 3);
        BackupWriter.Result inc = backup(repo, "vm1", new BytesDiskSource("vm1.img", b), base, changed);
        BackupWriter.Result full = backup(repo, "vm2", new BytesDiskSource("vm2.img", b), null, null);
        VariableIndex vi = index(repo, inc);
        VariableIndex vf = index(repo, full);
        assertEquals(vf.count(), vi.count());
        for (int i = 0; i < vf.count(); i++) {
            assertEquals(vf.end(i), vi.end(i), "end of entry " + i);
            assertEquals(vf.id(i), vi.id(i), "id of entry " + i);
        }
        long read = inc.manifest().disks().get(0).stats().readChunks();
        assertTrue(read < vf.count() / 2, "read " + read + " of " + vf.count() + " chunks");
        assertTrue(read >= changed.size() - 1, "read " + read);
        assertArrayEquals(b, TestRepos.restoreDisk(repo, repo.resolve(inc.ref().id()), tmp));
    }

    @Test
    @DisplayName("an incremental over many random changes still equals the full cut (random disks, seeds 1-20)")
    void incrementalEqualsFullCutRandomly() throws IOException {
        Repository repo = TestRepos.initV2(store);
        for (long seed = 1; seed <= 20; seed++) {
            Random r = new Random(seed);
            byte[] a = random(2 * MB + r.nextInt(MB), seed);
            if (seed % 2 == 0) { // long zero runs, where max-size cuts lock in phase
                java.util.Arrays.fill(a, MB / 2, MB + MB / 3, (byte) 0);
            }
            BackupWriter.Result ra = backup(repo, "a" + seed, new BytesDiskSource("a.img", a), null, null);
            List<Extent> changed = new ArrayList<>();
            for (int k = r.nextInt(6); k >= 0; k--) {
                long off = r.nextInt(a.length);
                changed.add(new Extent(off, Math.min(a.length - off, 1 + r.nextInt(200 * KB))));
            }
            byte[] b = apply(a, changed, seed + 100);
            BackupWriter.Result inc =
                    backup(repo, "a" + seed, new BytesDiskSource("a.img", b), index(repo, ra), changed);
            BackupWriter.Result full = backup(repo, "b" + seed, new BytesDiskSource("b.img", b), null, null);
            assertArrayEquals(index(repo, full).toBytes(), index(repo, inc).toBytes(), "seed " + seed);
        }
    }

    @Test
    @DisplayName("unallocated areas are cut as zeros without a single read")
    void unallocatedNeverRead() throws IOException {
        Repository repo = TestRepos.initV2(store);
        byte[] d = disk(4);
        java.util.Arrays.fill(d, 5 * MB, 7 * MB, (byte) 0);
        List<Extent> alloc = List.of(new Extent(0, 5 * MB), new Extent(7 * MB, d.length - 7 * MB));
        BytesDiskSource inner = new BytesDiskSource("vm1.img", d).allocated(alloc);
        DiskSource guarded = new DiskSource() {
            @Override
            public String name() {
                return inner.name();
            }

            @Override
            public long capacity() {
                return inner.capacity();
            }

            @Override
            public void read(long offset, byte[] buf, int off, int len) throws IOException {
                assertTrue(offset >= 7 * MB || offset + len <= 5 * MB, "read " + offset + "+" + len);
                inner.read(offset, buf, off, len);
            }

            @Override
            public List<Extent> allocatedAreas() {
                return inner.allocatedAreas();
            }

            @Override
            public void close() {}
        };
        BackupWriter.Result r = backup(repo, "vm1", guarded, null, null);
        assertArrayEquals(d, TestRepos.restoreDisk(repo, repo.resolve(r.ref().id()), tmp));
        BackupWriter.Result all = backup(repo, "vm2", new BytesDiskSource("vm2.img", d), null, null);
        assertArrayEquals(index(repo, all).toBytes(), index(repo, r).toBytes(), "the same cut either way");
    }

    @Test
    @DisplayName("a copied chunk found missing is read again over its own range")
    void missingCopiedChunkIsReadAgain() throws IOException {
        Repository repo = TestRepos.initV2(store);
        byte[] a = disk(5);
        BackupWriter.Result ra = backup(repo, "vm1", new BytesDiskSource("vm1.img", a), null, null);
        VariableIndex base = index(repo, ra);
        int victim = base.entryAt(10L * MB);
        ChunkId lost = base.id(victim);
        store.delete(lost.key());
        List<Extent> changed = List.of(new Extent(MB, 10));
        byte[] b = apply(a, changed, 6);
        BackupWriter.Result inc = backup(repo, "vm1", new BytesDiskSource("vm1.img", b), base, changed);
        assertTrue(repo.chunks().exists(lost), "the missing chunk was written again");
        assertArrayEquals(b, TestRepos.restoreDisk(repo, repo.resolve(inc.ref().id()), tmp));
        assertArrayEquals(a, TestRepos.restoreDisk(repo, repo.resolve(ra.ref().id()), tmp), "A is whole again");
    }

    @Test
    @DisplayName("check, prune and gc work over variable indexes: the kept backup restores, garbage goes")
    void maintenance() throws IOException {
        Repository repo = TestRepos.initV2(store);
        byte[] a = disk(7);
        byte[] b = disk(8);
        backup(repo, "vm1", new BytesDiskSource("vm1.img", a), null, null);
        BackupWriter.Result rb = backup(repo, "vm1", new BytesDiskSource("vm1.img", b), null, null);
        long before = chunkCount();
        new Pruner(repo, Duration.ZERO).run(new RetentionPolicy(1, 0, 0, 0), java.time.ZoneOffset.UTC, false);
        GarbageCollector.Report g = new GarbageCollector(repo, Duration.ZERO, Duration.ZERO).run();
        assertTrue(g.chunksDeleted() > 0 && chunkCount() == before - g.chunksDeleted(), g.toString());
        Checker.Report c = new Checker(repo, 2, Progress.NONE, Duration.ZERO).run(true);
        assertTrue(c.ok(), c.errors().toString());
        assertArrayEquals(b, TestRepos.restoreDisk(repo, repo.resolve(rb.ref().id()), tmp));
    }

    private long chunkCount() throws IOException {
        long[] n = {0};
        store.list("chunks/", i -> n[0]++);
        return n[0];
    }
}
