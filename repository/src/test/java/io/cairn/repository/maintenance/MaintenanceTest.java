package io.cairn.repository.maintenance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.repository.Repository;
import io.cairn.repository.TestRepos;
import io.cairn.repository.backup.BackupWriter;
import io.cairn.repository.backup.Progress;
import io.cairn.repository.chunk.ChunkId;
import io.cairn.repository.format.FormatConstants;
import io.cairn.repository.index.DiskIndex;
import io.cairn.repository.lock.Lock;
import io.cairn.repository.lock.LockConflictException;
import io.cairn.repository.store.MemoryStore;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MaintenanceTest {
    static final int C = TestRepos.CHUNK;

    @TempDir
    Path tmp;

    final MemoryStore store = new MemoryStore();

    Checker.Report check(Repository repo, boolean read) throws IOException {
        return new Checker(repo, 2, Progress.NONE, Duration.ZERO).run(read);
    }

    GarbageCollector.Report gc(Repository repo, Duration margin) throws IOException {
        return new GarbageCollector(repo, margin, Duration.ZERO).run();
    }

    void ageEverything() throws IOException {
        List<String> keys = new ArrayList<>();
        store.list("", i -> keys.add(i.key()));
        for (String k : keys) {
            store.setModified(k, Instant.now().minus(Duration.ofDays(2)));
        }
    }

    @Nested
    @DisplayName("check")
    class Check {
        @Test
        @DisplayName("a healthy repository passes, with and without reading data")
        void healthy() throws IOException {
            Repository repo = TestRepos.init(store);
            TestRepos.backup(repo, "vm1", TestRepos.disk(8 * C, 1));
            assertTrue(check(repo, false).ok());
            Checker.Report r = check(repo, true);
            assertTrue(r.ok(), r.errors().toString());
            assertTrue(r.chunksChecked() > 0);
        }

        @Test
        @DisplayName("a damaged chunk is named with every backup, disk and byte range it affects")
        void damagedChunk() throws IOException {
            Repository repo = TestRepos.init(store);
            byte[] disk = TestRepos.disk(8 * C, 2);
            BackupWriter.Result a = TestRepos.backup(repo, "vm1", disk);
            BackupWriter.Result b = TestRepos.backup(repo, "vm2", disk);
            DiskIndex idx = repo.readIndex(a.ref(), a.manifest().disks().get(0));
            ChunkId victim = idx.id(1); // the text chunk at bytes C..2C-1
            byte[] blob = store.get(victim.key());
            blob[blob.length - 5] ^= 1;
            store.put(victim.key(), blob);

            assertTrue(check(repo, false).ok(), "structure alone cannot see a flipped byte");
            Checker.Report r = check(repo, true);
            assertFalse(r.ok());
            assertEquals(1, r.damaged().size());
            Checker.Damage d = r.damaged().get(0);
            assertEquals(victim.hex(), d.chunk());
            String all = String.join("\n", d.affects());
            assertTrue(all.contains("backup " + a.ref().id()), all);
            assertTrue(all.contains("backup " + b.ref().id()), all);
            assertTrue(all.contains("bytes " + C + "-" + (2 * C - 1)), all);
            // Restoring through the damage fails; it never yields wrong bytes.
            assertThrows(
                    IOException.class,
                    () -> TestRepos.restoreDisk(repo, repo.resolve(a.ref().id()), tmp));
        }

        @Test
        @DisplayName("missing and truncated chunks, a damaged index and a damaged manifest are errors")
        void structuralDamage() throws IOException {
            Repository repo = TestRepos.init(store);
            BackupWriter.Result a = TestRepos.backup(repo, "vm1", TestRepos.disk(8 * C, 3));
            BackupWriter.Result b = TestRepos.backup(repo, "vm2", TestRepos.disk(8 * C, 4));
            BackupWriter.Result c = TestRepos.backup(repo, "vm3", TestRepos.disk(8 * C, 5));
            DiskIndex idx = repo.readIndex(a.ref(), a.manifest().disks().get(0));
            store.delete(idx.id(0).key());
            store.put(idx.id(1).key(), new byte[5]);
            byte[] fidx = store.get(b.ref().fileKey("disk0.fidx"));
            fidx[FormatConstants.FIDX_HEADER_SIZE + 3] ^= 1;
            store.put(b.ref().fileKey("disk0.fidx"), fidx);
            byte[] m = store.get(c.ref().manifestKey());
            store.put(c.ref().manifestKey(), java.util.Arrays.copyOf(m, m.length / 2));

            Checker.Report r = check(repo, false);
            String errors = String.join("\n", r.errors());
            assertTrue(errors.contains(idx.id(0).hex() + " is missing"), errors);
            assertTrue(errors.contains(idx.id(1).hex() + " is truncated"), errors);
            assertTrue(errors.contains("index checksum does not match"), errors);
            assertTrue(errors.contains(c.ref().dir()), errors);
        }

        @Test
        @DisplayName("an incomplete backup directory is a note, not an error")
        void incomplete() throws IOException {
            Repository repo = TestRepos.init(store);
            TestRepos.backup(repo, "vm1", TestRepos.disk(4 * C, 6));
            store.put("backups/x/0123456789abcdef/disk0.fidx", new byte[64]);
            Checker.Report r = check(repo, true);
            assertTrue(r.ok(), r.errors().toString());
            assertTrue(String.join("\n", r.notes()).contains("1 incomplete backup directory"));
            assertEquals(1, repo.backups().size());
        }
    }

    @Nested
    @DisplayName("gc")
    class Gc {
        @Test
        @DisplayName("frees the chunks of pruned backups only, and the rest still restores")
        void sweep() throws IOException {
            Repository repo = TestRepos.init(store);
            byte[] keep = TestRepos.disk(8 * C, 7);
            TestRepos.backup(repo, "vm1", TestRepos.disk(8 * C, 8));
            BackupWriter.Result kept = TestRepos.backup(repo, "vm1", keep);
            new Pruner(repo, Duration.ZERO).run(new RetentionPolicy(1, 0, 0, 0), java.time.ZoneOffset.UTC, false);
            ageEverything();
            GarbageCollector.Report r = gc(repo, Duration.ofHours(1));
            assertTrue(r.chunksDeleted() > 0);
            assertTrue(check(repo, true).ok());
            assertArrayEquals(
                    keep, TestRepos.restoreDisk(repo, repo.resolve(kept.ref().id()), tmp));
            assertEquals(0, gc(repo, Duration.ZERO).chunksDeleted(), "a second gc finds nothing");
        }

        @Test
        @DisplayName("never deletes unreferenced chunks younger than the safety margin")
        void margin() throws IOException {
            Repository repo = TestRepos.init(store);
            BackupWriter.Result b = TestRepos.backup(repo, "vm1", TestRepos.disk(8 * C, 9));
            repo.deleteBackup(b.ref());
            GarbageCollector.Report r = gc(repo, Duration.ofHours(1));
            assertEquals(0, r.chunksDeleted());
            assertTrue(r.chunksTooNew() > 0);
            assertTrue(gc(repo, Duration.ZERO).chunksDeleted() > 0);
        }

        @Test
        @DisplayName("waits for nobody: refuses while a backup holds its lock, and a backup cannot start during gc")
        void exclusive() throws IOException {
            Repository repo = TestRepos.init(store);
            try (Lock writer = repo.locks().acquire(false, "backup", Duration.ZERO)) {
                LockConflictException e = assertThrows(LockConflictException.class, () -> gc(repo, Duration.ZERO));
                assertTrue(e.getMessage().contains("backup"), e.getMessage());
                assertTrue(writer.info().pid() > 0);
            }
            try (Lock g = repo.locks().acquire(true, "gc", Duration.ZERO)) {
                assertThrows(
                        LockConflictException.class, () -> TestRepos.backup(repo, "vm1", TestRepos.disk(2 * C, 10)));
            }
            assertEquals(0, repo.backups().size());
        }

        @Test
        @DisplayName("refuses to delete anything when a manifest cannot be read")
        void refusesOnDamage() throws IOException {
            Repository repo = TestRepos.init(store);
            BackupWriter.Result a = TestRepos.backup(repo, "vm1", TestRepos.disk(4 * C, 11));
            BackupWriter.Result b = TestRepos.backup(repo, "vm2", TestRepos.disk(4 * C, 12));
            repo.deleteBackup(a.ref());
            store.put(b.ref().manifestKey(), new byte[20]);
            ageEverything();
            int before = countChunks();
            IOException e = assertThrows(IOException.class, () -> gc(repo, Duration.ZERO));
            assertTrue(e.getMessage().contains("refuses"), e.getMessage());
            assertEquals(before, countChunks());
        }

        @Test
        @DisplayName("removes incomplete backup directories older than the margin")
        void incomplete() throws IOException {
            Repository repo = TestRepos.init(store);
            store.put("backups/x/0123456789abcdef/disk0.fidx", new byte[64]);
            ageEverything();
            assertEquals(1, gc(repo, Duration.ofHours(1)).incompleteRemoved());
            assertTrue(repo.scan().incompleteDirs().isEmpty());
        }

        @Test
        @DisplayName("check --read-data moves a damaged chunk aside; the next backup of the data writes it again")
        void quarantine() throws IOException {
            Repository repo = TestRepos.init(store);
            byte[] d = TestRepos.disk(8 * C, 41);
            BackupWriter.Result a = TestRepos.backup(repo, "vm1", d);
            DiskIndex idx = repo.readIndex(a.ref(), a.manifest().disks().get(0));
            ChunkId bad = idx.id(1);
            byte[] blob = store.get(bad.key());
            blob[blob.length - 1] ^= 1;
            store.put(bad.key(), blob);

            Checker.Report r = check(repo, true);
            assertFalse(r.ok());
            assertEquals(bad.hex(), r.damaged().get(0).chunk());
            assertTrue(
                    r.damaged().get(0).problem().contains("quarantine/" + bad.hex()),
                    r.damaged().get(0).problem());
            assertTrue(store.stat(bad.key()).isEmpty(), "moved away from chunks/");
            assertArrayEquals(blob, store.get("quarantine/" + bad.hex()), "kept as it was found");

            BackupWriter.Result again = TestRepos.backup(repo, "vm1", d);
            assertEquals(1, again.manifest().disks().get(0).stats().newChunks(), "the damaged chunk written anew");
            Checker.Report after = check(repo, true);
            assertTrue(after.ok(), after.errors().toString());
            assertTrue(
                    after.notes().stream().anyMatch(n -> n.contains("quarantine/")),
                    after.notes().toString());
            assertArrayEquals(
                    d, TestRepos.restoreDisk(repo, repo.resolve(a.ref().id()), tmp), "the old backup is whole");
        }

        int countChunks() throws IOException {
            int[] n = {0};
            store.list("chunks/", i -> n[0]++);
            return n[0];
        }
    }

    @Nested
    @DisplayName("prune and stats")
    class PruneStats {
        @Test
        @DisplayName("prune keeps per VM, a dry run deletes nothing, and stats add up")
        void pruneAndStats() throws IOException {
            Repository repo = TestRepos.init(store);
            byte[] d = TestRepos.disk(8 * C, 13);
            for (int i = 0; i < 3; i++) {
                TestRepos.backup(repo, "vm1", d);
                TestRepos.backup(repo, "vm2", d);
            }
            Stats.Report s = Stats.compute(repo);
            assertEquals(6, s.backups());
            assertEquals(2, s.vms());
            assertEquals(6L * (d.length + "displayName = \"vm1\"\n".length()), s.logicalBytes());
            assertEquals(6.0 * (s.dataBytes() / 6) / s.uniqueBytes(), s.dedupRatio(), 1e-9);
            assertTrue(s.compressionRatio() > 1.0);

            List<Pruner.Decision> dry = new Pruner(repo, Duration.ZERO)
                    .run(new RetentionPolicy(2, 0, 0, 0), java.time.ZoneOffset.UTC, true);
            assertEquals(2, dry.stream().filter(x -> !x.keep()).count());
            assertEquals(6, repo.backups().size());
            new Pruner(repo, Duration.ZERO).run(new RetentionPolicy(2, 0, 0, 0), java.time.ZoneOffset.UTC, false);
            assertEquals(4, repo.backups().size());
            assertThrows(
                    IllegalArgumentException.class,
                    () -> new Pruner(repo, Duration.ZERO)
                            .run(new RetentionPolicy(0, 0, 0, 0), java.time.ZoneOffset.UTC, false));
        }
    }
}
