package io.cairn.repository.maintenance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.repository.Repository;
import io.cairn.repository.TestRepos;
import io.cairn.repository.backup.BackupWriter;
import io.cairn.repository.chunk.ChunkId;
import io.cairn.repository.error.RepositoryException;
import io.cairn.repository.format.Json;
import io.cairn.repository.index.DiskIndex;
import io.cairn.repository.lock.LockInfo;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** gc against writers it cannot see: a dedup hit during its sweep, a lost lock, a silent writer. */
class GcRaceTest {
    static final int C = TestRepos.CHUNK;
    final HookedStore store = new HookedStore();

    List<String> chunkKeys() throws IOException {
        List<String> keys = new ArrayList<>();
        store.inner.list("chunks/", i -> keys.add(i.key()));
        return keys;
    }

    void age(Duration by) throws IOException {
        List<String> keys = new ArrayList<>();
        store.inner.list("", i -> keys.add(i.key()));
        for (String k : keys) {
            store.inner.setModified(k, Instant.now().minus(by));
        }
    }

    /** An orphaned backup's chunks, aged past any margin; returns disk 0's first non-zero chunk. */
    ChunkId orphan(Repository repo, byte[] data) throws IOException {
        BackupWriter.Result b = TestRepos.backup(repo, "vm1", data);
        DiskIndex idx = repo.readIndex(b.ref(), b.manifest().disks().get(0));
        repo.deleteBackup(b.ref());
        age(Duration.ofDays(2));
        return idx.id(0);
    }

    @Test
    @DisplayName("a chunk a backup finds again (dedup hit) while gc sweeps is not deleted")
    void dedupHitDuringSweep() throws IOException {
        Repository repo = TestRepos.init(store);
        byte[] data = TestRepos.disk(8 * C, 21);
        ChunkId hit = orphan(repo, data);
        int before = chunkKeys().size();
        // right after gc listed the chunks as garbage, a writer stores the same bytes again
        store.afterListing("chunks/", () -> repo.chunks().put(hit, data, 0, C));
        GarbageCollector.Report r = new GarbageCollector(repo, Duration.ofHours(1), Duration.ZERO).run();
        assertEquals(1, r.chunksRenewedMeanwhile());
        assertEquals(before - 1, r.chunksDeleted());
        assertEquals(List.of(hit.key()), chunkKeys());
        assertTrue(repo.chunks().exists(hit));
    }

    @Test
    @DisplayName("gc whose lock is removed during its sweep stops before deleting another chunk")
    void lostLockDuringSweep() throws IOException {
        Repository repo = TestRepos.init(store);
        orphan(repo, TestRepos.disk(8 * C, 22));
        int before = chunkKeys().size();
        store.afterListing("chunks/", () -> {
            List<String> locks = new ArrayList<>();
            store.inner.list("locks/", i -> locks.add(i.key()));
            for (String l : locks) {
                store.inner.delete(l);
            }
        });
        RepositoryException e = assertThrows(
                RepositoryException.class, () -> new GarbageCollector(repo, Duration.ofHours(1), Duration.ZERO).run());
        assertTrue(e.getMessage().contains("lost the repository lock"), e.getMessage());
        assertEquals(before, chunkKeys().size());
    }

    @Test
    @DisplayName("chunks younger than a writer removed only for its silence are kept (cutoff = its start)")
    void silentWriterKeepsItsChunks() throws IOException {
        Repository repo = TestRepos.init(store);
        BackupWriter.Result b = TestRepos.backup(repo, "vm1", TestRepos.disk(8 * C, 23));
        repo.deleteBackup(b.ref());
        age(Duration.ofMinutes(20)); // older than a 1-minute margin
        // a writer on another host that started 30 minutes ago and went silent 11 minutes ago
        Instant now = Instant.now();
        LockInfo other = new LockInfo(
                2,
                false,
                "backup",
                "elsewhere",
                4321,
                null,
                now.minus(Duration.ofMinutes(30)).toString(),
                "m",
                "another-boot",
                99L,
                now.minus(Duration.ofMinutes(30)).toString());
        store.put("locks/0123456789abcdef", Json.write(other));
        store.inner.setModified("locks/0123456789abcdef", now.minus(Duration.ofMinutes(11)));
        int before = chunkKeys().size();

        GarbageCollector.Report r = new GarbageCollector(repo, Duration.ofMinutes(1), Duration.ZERO).run();
        assertEquals(1, r.staleLocksRemoved());
        assertEquals(0, r.chunksDeleted(), "everything the silent writer may have written is kept");
        assertEquals(before, r.chunksTooNew());

        // the next gc has no silent writer to fear
        assertEquals(
                before,
                new GarbageCollector(repo, Duration.ofMinutes(1), Duration.ZERO)
                        .run()
                        .chunksDeleted());
    }
}
