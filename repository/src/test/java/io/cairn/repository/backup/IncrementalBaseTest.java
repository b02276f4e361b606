package io.cairn.repository.backup;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.repository.Repository;
import io.cairn.repository.TestRepos;
import io.cairn.repository.chunk.ChunkId;
import io.cairn.repository.index.DiskIndex;
import io.cairn.repository.manifest.Manifest;
import io.cairn.repository.store.MemoryStore;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An incremental never commits a reference to a chunk its base no longer has. */
class IncrementalBaseTest {
    static final int C = TestRepos.CHUNK;

    @TempDir
    Path tmp;

    final MemoryStore store = new MemoryStore();

    static byte[] changed(byte[] d, int chunk) {
        byte[] n = d.clone();
        for (int i = 0; i < 100; i++) {
            n[chunk * C + i] ^= (byte) 0x5a;
        }
        return n;
    }

    static BackupRequest request(byte[] data, DiskIndex base, String parent) {
        return new BackupRequest(
                new Manifest.VmIdentity("id-vm1", "vm1", null, null),
                "test:vm1",
                Map.of(),
                null,
                null,
                List.of(new BackupRequest.DiskInput(
                        new BytesDiskSource("vm1.img", data), base, List.of(new Extent(3L * C, C)), "cid")),
                List.of(),
                parent);
    }

    @Test
    @DisplayName("a copied id whose chunk is missing (quarantined) is read from the source again")
    void missingCopiedChunkIsReadAgain() throws IOException {
        Repository repo = TestRepos.init(store);
        byte[] d = TestRepos.disk(8 * C, 31);
        BackupWriter.Result a = TestRepos.backup(repo, "vm1", d);
        DiskIndex ia = repo.readIndex(a.ref(), a.manifest().disks().get(0));
        ChunkId lost = ia.id(0);
        store.delete(lost.key());

        byte[] d2 = changed(d, 3);
        BackupWriter.Result b = new BackupWriter(repo, 2, Progress.NONE, Duration.ZERO)
                .write(request(d2, ia, a.ref().id()));

        assertTrue(repo.chunks().exists(lost), "the missing chunk was written again");
        assertArrayEquals(d2, TestRepos.restoreDisk(repo, repo.resolve(b.ref().id()), tmp));
        assertArrayEquals(d, TestRepos.restoreDisk(repo, repo.resolve(a.ref().id()), tmp), "A is whole again");
        // chunk 3 (changed) and chunk 0 (missing) and its copy at chunk 7 were read, nothing else
        assertEquals(3, b.manifest().disks().get(0).stats().readChunks());
    }

    @Test
    @DisplayName("a base pruned between the choice and the commit makes a full read, with no parent")
    void prunedBase() throws IOException {
        Repository repo = TestRepos.init(store);
        byte[] d = TestRepos.disk(8 * C, 32);
        BackupWriter.Result a = TestRepos.backup(repo, "vm1", d);
        byte[] d2 = changed(d, 3);
        BackupWriter.Result b;
        try (BackupWriter.Session s = new BackupWriter(repo, 2, Progress.NONE, Duration.ZERO).begin()) {
            Repository.Listed base = repo.latestOf("id-vm1");
            DiskIndex ib = repo.readIndex(base.ref(), base.manifest().disks().get(0));
            repo.deleteBackup(base.ref()); // a prune (shared lock) gets in between
            b = s.write(request(d2, ib, base.ref().id()));
        }
        assertNull(b.manifest().parent());
        assertEquals(8, b.manifest().disks().get(0).stats().readChunks(), "every chunk read");
        assertArrayEquals(d2, TestRepos.restoreDisk(repo, repo.resolve(b.ref().id()), tmp));
    }
}
