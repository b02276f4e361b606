package io.cairn.repository.backup;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.repository.Repository;
import io.cairn.repository.TestRepos;
import io.cairn.repository.chunk.ChunkId;
import io.cairn.repository.format.FormatConstants;
import io.cairn.repository.index.DiskIndex;
import io.cairn.repository.manifest.Manifest;
import io.cairn.repository.store.FaultyStore;
import io.cairn.repository.store.LocalStore;
import io.cairn.repository.store.MemoryStore;
import io.cairn.repository.store.Store;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackupRestoreTest {
    static final int C = TestRepos.CHUNK;

    @TempDir
    Path tmp;

    static int countChunks(Store s) throws IOException {
        AtomicInteger n = new AtomicInteger();
        s.list(FormatConstants.DIR_CHUNKS + "/", i -> n.incrementAndGet());
        return n.get();
    }

    @Test
    @DisplayName("a full backup restores bit for bit, including an odd-sized last chunk")
    void fullRoundTrip() throws IOException {
        Repository repo = TestRepos.init(new LocalStore(tmp.resolve("repo")));
        byte[] disk = TestRepos.disk(9 * C + 12345, 1);
        BackupWriterResultCheck.check(repo, TestRepos.backup(repo, "vm1", disk), disk, tmp);
    }

    @Test
    @DisplayName("zero chunks are not stored and identical chunks are stored once")
    void zerosAndDedup() throws IOException {
        MemoryStore s = new MemoryStore();
        Repository repo = TestRepos.init(s);
        byte[] disk = TestRepos.disk(8 * C, 2); // pattern: random, text, zero, copy-of-0 (x2)
        var res = TestRepos.backup(repo, "vm1", disk);
        Manifest.DiskStats st = res.manifest().disks().get(0).stats();
        assertEquals(8, st.chunks());
        assertEquals(2, st.zeroChunks());
        // chunk 0 == chunk 3 == chunk 7? chunks 3 and 7 copy chunk 0; 4 is new random; 1 and 5 differ by offset text.
        int distinctNonZero = distinct(disk);
        assertEquals(distinctNonZero + 1, countChunks(s)); // +1: the .vmx file's chunk
        assertEquals(distinctNonZero, st.newChunks());
        // A second identical backup stores nothing new.
        var again = TestRepos.backup(repo, "vm1", disk);
        assertEquals(0, again.manifest().disks().get(0).stats().newChunks());
        assertEquals(distinctNonZero + 1, countChunks(s));
    }

    static int distinct(byte[] disk) {
        java.util.Set<String> seen = new java.util.HashSet<>();
        byte[] zero = new byte[C];
        for (int off = 0; off < disk.length; off += C) {
            byte[] c = java.util.Arrays.copyOfRange(disk, off, Math.min(disk.length, off + C));
            if (!java.util.Arrays.equals(c, java.util.Arrays.copyOf(zero, c.length))) {
                seen.add(java.util.Arrays.toString(c));
            }
        }
        return seen.size();
    }

    @Test
    @DisplayName("an incremental backup reads only changed areas and still restores the whole disk")
    void incremental() throws IOException {
        Repository repo = TestRepos.init(new MemoryStore());
        byte[] v1 = TestRepos.disk(16 * C, 3);
        var first = TestRepos.backup(repo, "vm1", v1);
        byte[] v2 = v1.clone();
        byte[] noise = new byte[1000];
        new Random(9).nextBytes(noise);
        System.arraycopy(noise, 0, v2, 5 * C + 100, noise.length); // inside chunk 5
        System.arraycopy(noise, 0, v2, 9 * C - 500, noise.length); // across chunks 8 and 9
        List<Extent> changed = List.of(new Extent(5 * C + 100, 1000), new Extent(9 * C - 500, 1000));
        DiskIndex base = repo.readIndex(first.ref(), first.manifest().disks().get(0));
        var second = TestRepos.backup(repo, "vm1", new BytesDiskSource("vm1.img", v2), base, changed);
        assertEquals(3, second.manifest().disks().get(0).stats().readChunks());
        BackupWriterResultCheck.check(repo, second, v2, tmp);
        BackupWriterResultCheck.check(repo, first, v1, tmp); // the earlier backup is untouched
    }

    @Test
    @DisplayName("a base of another size is ignored: the disk is read in full")
    void incrementalResized() throws IOException {
        Repository repo = TestRepos.init(new MemoryStore());
        byte[] v1 = TestRepos.disk(4 * C, 4);
        var first = TestRepos.backup(repo, "vm1", v1);
        byte[] v2 = TestRepos.disk(6 * C, 5);
        DiskIndex base = repo.readIndex(first.ref(), first.manifest().disks().get(0));
        var second = TestRepos.backup(repo, "vm1", new BytesDiskSource("vm1.img", v2), base, List.of());
        assertEquals(6, second.manifest().disks().get(0).stats().readChunks());
        BackupWriterResultCheck.check(repo, second, v2, tmp);
    }

    @Test
    @DisplayName("unallocated areas are not read and restore as zeros")
    void allocatedAreas() throws IOException {
        Repository repo = TestRepos.init(new MemoryStore());
        byte[] disk = TestRepos.disk(8 * C, 6);
        // Pretend only the first two chunks are allocated: the rest must come back as zeros.
        var res = TestRepos.backup(
                repo, "vm1", new BytesDiskSource("vm1.img", disk).allocated(List.of(new Extent(0, 2 * C))), null, null);
        assertEquals(2, res.manifest().disks().get(0).stats().readChunks());
        byte[] expected = new byte[disk.length];
        System.arraycopy(disk, 0, expected, 0, 2 * C);
        BackupWriterResultCheck.check(repo, res, expected, tmp);
    }

    @Test
    @DisplayName("an encrypted repository round-trips, and its chunk ids are keyed")
    void encrypted() throws IOException {
        MemoryStore s = new MemoryStore();
        Repository repo = Repository.init(s, TestRepos.CHUNK, 3, "secret".toCharArray());
        byte[] disk = TestRepos.disk(6 * C, 7);
        var res = TestRepos.backup(repo, "vm1", disk);
        Repository reopened = Repository.open(s, () -> "secret".toCharArray());
        BackupWriterResultCheck.check(reopened, res, disk, tmp);
        DiskIndex idx = reopened.readIndex(res.ref(), res.manifest().disks().get(0));
        assertTrue(idx.keyed());
        // The unkeyed SHA-256 of chunk 0 must not be its id.
        ChunkId plain = TestRepos.init(new MemoryStore()).chunks().id(disk, 0, C);
        assertNotEquals(plain, idx.id(0));
    }

    @Test
    @DisplayName("a failing source read leaves no backup and no index behind; earlier backups restore")
    void failingSource() throws IOException {
        MemoryStore s = new MemoryStore();
        Repository repo = TestRepos.init(s);
        byte[] disk = TestRepos.disk(8 * C, 8);
        var good = TestRepos.backup(repo, "vm1", disk);
        IOException e = assertThrows(
                IOException.class,
                () -> TestRepos.backup(
                        repo,
                        "vm1",
                        new BytesDiskSource("vm1.img", TestRepos.disk(8 * C, 9)).failAt(5L * C),
                        null,
                        null));
        assertTrue(e.getMessage().contains("injected read error"));
        assertEquals(1, repo.backups().size());
        assertTrue(repo.scan().incompleteDirs().isEmpty());
        BackupWriterResultCheck.check(repo, good, disk, tmp);
    }

    @Test
    @DisplayName("a source that changes size during the backup is refused and nothing is committed")
    void sourceChanged() throws IOException {
        Repository repo = TestRepos.init(new MemoryStore());
        assertThrows(
                SourceChangedException.class,
                () -> TestRepos.backup(
                        repo,
                        "vm1",
                        new BytesDiskSource("vm1.img", TestRepos.disk(4 * C, 10)).sizeAtEnd(5L * C),
                        null,
                        null));
        assertEquals(0, repo.backups().size());
    }

    @Test
    @DisplayName("a full disk fails the backup with the reason, and earlier backups still restore bit for bit")
    void diskFull() throws IOException {
        FaultyStore s = new FaultyStore(new MemoryStore());
        Repository repo = TestRepos.init(s);
        byte[] disk = TestRepos.disk(8 * C, 11);
        var good = TestRepos.backup(repo, "vm1", disk);
        s.diskFullAfter(3L * C);
        IOException e =
                assertThrows(IOException.class, () -> TestRepos.backup(repo, "vm2", TestRepos.disk(16 * C, 12)));
        assertTrue(e.getMessage().contains("No space left on device"), e.getMessage());
        s.diskFullAfter(Long.MAX_VALUE);
        assertEquals(
                List.of(good.ref()),
                repo.backups().stream().map(Repository.Listed::ref).toList());
        BackupWriterResultCheck.check(repo, good, disk, tmp);
    }

    @Test
    @DisplayName("a failure writing the manifest leaves the backup invisible")
    void manifestWriteFails() throws IOException {
        FaultyStore s = new FaultyStore(new MemoryStore());
        Repository repo = TestRepos.init(s);
        s.failPutsWhere(k -> k.endsWith("/manifest"));
        assertThrows(IOException.class, () -> TestRepos.backup(repo, "vm1", TestRepos.disk(4 * C, 13)));
        s.failPutsWhere(k -> false);
        assertEquals(0, repo.backups().size());
    }

    @Test
    @DisplayName("two backups writing to one repository at the same time both succeed")
    void concurrentWriters() throws Exception {
        Repository repo = TestRepos.init(new LocalStore(tmp.resolve("repo")));
        byte[] a = TestRepos.disk(24 * C, 14);
        byte[] b = TestRepos.disk(24 * C, 15);
        List<Throwable> errors = new ArrayList<>();
        List<Thread> ts = new ArrayList<>();
        List<Object> results = java.util.Collections.synchronizedList(new ArrayList<>());
        for (byte[] d : new byte[][] {a, b}) {
            Thread t = new Thread(() -> {
                try {
                    results.add(TestRepos.backup(repo, d == a ? "vmA" : "vmB", d));
                } catch (Throwable e) {
                    synchronized (errors) {
                        errors.add(e);
                    }
                }
            });
            t.start();
            ts.add(t);
        }
        for (Thread t : ts) {
            t.join();
        }
        assertEquals(List.of(), errors);
        assertEquals(2, repo.backups().size());
        for (Object o : results) {
            BackupWriter.Result r = (BackupWriter.Result) o;
            BackupWriterResultCheck.check(repo, r, r.manifest().vm().name().equals("vmA") ? a : b, tmp);
        }
    }

    @Test
    @DisplayName("restore writes a sparse raw image and refuses to overwrite unless asked")
    void restoreToDirectory() throws IOException {
        Repository repo = TestRepos.init(new LocalStore(tmp.resolve("repo")));
        byte[] disk = new byte[64 * C]; // mostly zeros
        new Random(1).nextBytes(disk);
        java.util.Arrays.fill(disk, C, disk.length, (byte) 0);
        var res = TestRepos.backup(repo, "sparse", disk);
        Path out = tmp.resolve("out");
        Repository.Listed b = repo.resolve("sparse@latest");
        new Restorer(repo, 2, Progress.NONE).restore(b.ref(), b.manifest(), out, Restorer.Conflict.ABORT);
        Path img = out.resolve("sparse.img");
        assertArrayEquals(disk, Files.readAllBytes(img));
        assertEquals("displayName = \"sparse\"\n", Files.readString(out.resolve("sparse.vmx")));
        long allocated = allocatedBytes(img);
        assertTrue(allocated < 4L * C, "restored image should be sparse, allocates " + allocated);
        Files.write(img, new byte[] {1, 2, 3});
        assertThrows(
                IOException.class,
                () -> new Restorer(repo, 2, Progress.NONE)
                        .restore(b.ref(), b.manifest(), out, Restorer.Conflict.ABORT));
        assertEquals(3, Files.size(img));
        new Restorer(repo, 2, Progress.NONE).restore(b.ref(), b.manifest(), out, Restorer.Conflict.KEEP);
        assertEquals(3, Files.size(img));
        new Restorer(repo, 2, Progress.NONE).restore(b.ref(), b.manifest(), out, Restorer.Conflict.OVERWRITE);
        assertArrayEquals(disk, Files.readAllBytes(img));
        try (var files = Files.list(out)) {
            assertEquals(2, files.count(), "no temporary files left behind");
        }
        assertEquals(res.ref(), b.ref());
    }

    /** Bytes the filesystem allocated to a file, as du reports them (Java has no portable way). */
    static long allocatedBytes(Path f) throws IOException {
        try {
            Process p = new ProcessBuilder("du", "--block-size=1", f.toString())
                    .redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            if (p.waitFor() != 0) {
                throw new IOException("du failed: " + out);
            }
            return Long.parseLong(out.split("\\s+")[0]);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    @Test
    @DisplayName("an ordered restore hands chunks over in disk order, and a failing sink fails it without a hang")
    void orderedSink() throws IOException {
        Repository repo = TestRepos.init(new MemoryStore());
        byte[] disk = TestRepos.disk(24 * C + 512, 16);
        var res = TestRepos.backup(repo, "vm1", disk);
        DiskIndex idx = repo.readIndex(res.ref(), res.manifest().disks().get(0));
        byte[] out = new byte[disk.length];
        long[] last = {-1};
        new Restorer(repo, 4, Progress.NONE).restoreDisk(idx, "d", new DiskOutput.Sink() {
            @Override
            public void write(long offset, byte[] data, int off, int len) {
                assertTrue(offset > last[0], "out of order: " + offset + " after " + last[0]);
                last[0] = offset;
                System.arraycopy(data, off, out, (int) offset, len);
            }

            @Override
            public List<Path> files() {
                return List.of();
            }

            @Override
            public void close() {}
        });
        assertArrayEquals(disk, out);
        IOException e = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
                java.time.Duration.ofSeconds(20),
                () -> assertThrows(
                        IOException.class,
                        () -> new Restorer(repo, 4, Progress.NONE).restoreDisk(idx, "d", new DiskOutput.Sink() {
                            @Override
                            public void write(long offset, byte[] data, int off, int len) throws IOException {
                                if (offset >= 3L * C) {
                                    throw new IOException("sink full");
                                }
                            }

                            @Override
                            public List<Path> files() {
                                return List.of();
                            }

                            @Override
                            public void close() {}
                        })));
        assertEquals("sink full", e.getMessage());
    }

    @Test
    @DisplayName(
            "a sink that overwrites an existing disk receives the backup's zero ranges in disk order, others never do")
    void overwritingSinkGetsZeros() throws IOException {
        Repository repo = TestRepos.init(new MemoryStore());
        byte[] disk = TestRepos.disk(8 * C + 512, 2); // chunks 2 and 6 are zeros
        var res = TestRepos.backup(repo, "vm1", disk);
        DiskIndex idx = repo.readIndex(res.ref(), res.manifest().disks().get(0));
        for (boolean overwrites : new boolean[] {true, false}) {
            // an "existing disk" full of 0x5A: what the restore does not reach keeps it
            byte[] target = new byte[disk.length];
            java.util.Arrays.fill(target, (byte) 0x5A);
            List<long[]> zeroCalls = new ArrayList<>();
            long[] last = {-1};
            new Restorer(repo, 4, Progress.NONE).restoreDisk(idx, "d", new DiskOutput.Sink() {
                @Override
                public void write(long offset, byte[] data, int off, int len) {
                    assertTrue(offset > last[0], "out of order: " + offset + " after " + last[0]);
                    last[0] = offset;
                    System.arraycopy(data, off, target, (int) offset, len);
                }

                @Override
                public boolean overwrites() {
                    return overwrites;
                }

                @Override
                public void zeros(long offset, long len) {
                    assertTrue(offset > last[0], "out of order: " + offset + " after " + last[0]);
                    last[0] = offset;
                    zeroCalls.add(new long[] {offset, len});
                    java.util.Arrays.fill(target, (int) offset, (int) (offset + len), (byte) 0);
                }

                @Override
                public List<Path> files() {
                    return List.of();
                }

                @Override
                public void close() {}
            });
            if (overwrites) {
                assertArrayEquals(disk, target, "the old bytes are gone where the backup holds zeros");
                assertEquals(
                        List.of(List.of(2L * C, (long) C), List.of(6L * C, (long) C)),
                        zeroCalls.stream().map(z -> List.of(z[0], z[1])).toList());
            } else {
                assertTrue(zeroCalls.isEmpty());
                assertEquals((byte) 0x5A, target[2 * C], "a new disk's zero ranges are not written");
            }
        }
    }
}
