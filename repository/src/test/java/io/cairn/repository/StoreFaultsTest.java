package io.cairn.repository;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.repository.backup.BackupWriter;
import io.cairn.repository.backup.Progress;
import io.cairn.repository.chunk.ChunkId;
import io.cairn.repository.error.CorruptObjectException;
import io.cairn.repository.error.ObjectNotFoundException;
import io.cairn.repository.format.FormatConstants;
import io.cairn.repository.index.DiskIndex;
import io.cairn.repository.maintenance.Checker;
import io.cairn.repository.store.FaultyStore;
import io.cairn.repository.store.MemoryStore;
import io.cairn.repository.store.StoreFullException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fault-injecting store end to end: a backup, check and restore through the real repository code
 * while the store is full, returns damaged bytes, loses an object, or is slow.
 */
class StoreFaultsTest {
    static final int C = TestRepos.CHUNK;

    final FaultyStore store = new FaultyStore(new MemoryStore());

    @TempDir
    Path tmp;

    /** The one committed backup of {@code vm}, with disk 0's index. */
    private record Stored(Repository.Listed backup, DiskIndex index) {
        /** The id of the chunk at disk index {@code i}. */
        ChunkId chunk(int i) {
            return index.id(i);
        }
    }

    private Stored backedUp(Repository repo, String vm, byte[] disk) throws IOException {
        BackupWriter.Result r = TestRepos.backup(repo, vm, disk);
        Repository.Listed b = repo.resolve(vm + "@latest");
        assertEquals(r.ref(), b.ref());
        return new Stored(b, repo.readIndex(b.ref(), b.manifest().disks().get(0)));
    }

    private static Checker.Report check(Repository repo, boolean readData) throws IOException {
        return new Checker(repo, 2, Progress.NONE, Duration.ZERO).run(readData);
    }

    @Test
    @DisplayName("a backup that fills the store fails with one line naming the object, lists nothing,"
            + " and loses nothing")
    void fullStore() throws IOException {
        Repository repo = TestRepos.init(store);
        byte[] first = TestRepos.disk(8 * C, 21);
        Stored good = backedUp(repo, "vm1", first);

        FaultyStore.Fault full = store.writes("chunks/.*").after(2).full();
        StoreFullException e =
                assertThrows(StoreFullException.class, () -> TestRepos.backup(repo, "vm2", TestRepos.disk(16 * C, 22)));
        assertTrue(full.fired() > 0);
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertTrue(
                e.getMessage()
                        .matches("writing chunks/[0-9a-f]{4}/[0-9a-f]{64} in faulty:memory failed:"
                                + " No space left on device"),
                e.getMessage());

        assertEquals(List.of(good.backup().ref()), refs(repo));
        assertEquals(List.of(), repo.scan().incompleteDirs());
        store.clear();
        Checker.Report r = check(repo, true);
        assertTrue(r.ok(), r.errors().toString()); // the failed backup's chunks are unreferenced leftovers
        assertArrayEquals(first, TestRepos.restoreDisk(repo, good.backup(), tmp));
    }

    @Test
    @DisplayName("a full store at the commit point (the manifest) fails the backup and leaves nothing listed")
    void fullAtCommit() throws IOException {
        Repository repo = TestRepos.init(store);
        store.writes("backups/.*/manifest").full();
        StoreFullException e =
                assertThrows(StoreFullException.class, () -> TestRepos.backup(repo, "vm1", TestRepos.disk(4 * C, 23)));
        assertTrue(e.getMessage().contains("/manifest"), e.getMessage());
        store.clear();
        assertEquals(List.of(), refs(repo));
        assertEquals(List.of(), repo.scan().incompleteDirs(), "the rollback removes the index too");
    }

    @Test
    @DisplayName("a chunk read back damaged fails check --read-data naming the chunk and the bytes it holds,"
            + " is moved to quarantine/; restore refuses it by name")
    void corruptChunk() throws IOException {
        Repository repo = TestRepos.init(store);
        byte[] disk = TestRepos.disk(8 * C, 24);
        Stored s = backedUp(repo, "vm1", disk);
        ChunkId text = s.chunk(1); // the text chunk: used once, at disk bytes [C, 2C)
        FaultyStore.Fault rot = store.reads(text.key()).corrupt(FormatConstants.BLOB_HEADER_SIZE); // first payload byte

        assertTrue(check(repo, false).ok(), "without --read-data no chunk is read");
        assertEquals(0, rot.fired());

        Checker.Report r = check(repo, true);
        assertFalse(r.ok());
        assertEquals(1, rot.fired());
        assertEquals(1, r.damaged().size(), r.damaged().toString());
        Checker.Damage d = r.damaged().get(0);
        assertEquals(text.hex(), d.chunk());
        assertTrue(d.problem().startsWith("damaged"), d.problem());
        assertEquals(
                List.of("backup " + s.backup().ref().id() + " (vm1, "
                        + s.backup().manifest().time() + ") disk0 vm1.img bytes " + C + "-" + (2 * C - 1)),
                d.affects());
        assertTrue(
                r.errors().stream().anyMatch(l -> l.startsWith("chunk " + text.hex() + " is damaged")),
                r.errors().toString());

        assertTrue(store.stat("quarantine/" + text.hex()).isPresent(), "moved aside for inspection");
        // quarantined, it is missing: the next backup of those bytes writes it again
        ObjectNotFoundException e =
                assertThrows(ObjectNotFoundException.class, () -> TestRepos.restoreDisk(repo, s.backup(), tmp));
        assertTrue(e.getMessage().contains(text.key()), e.getMessage());
    }

    @Test
    @DisplayName("a chunk damaged on disk (not only in transit) is refused by restore by name")
    void corruptChunkRestore() throws IOException {
        Repository repo = TestRepos.init(store);
        byte[] disk = TestRepos.disk(8 * C, 26);
        Stored s = backedUp(repo, "vm1", disk);
        ChunkId text = s.chunk(1);
        store.reads(text.key()).corrupt(FormatConstants.BLOB_HEADER_SIZE);
        CorruptObjectException e =
                assertThrows(CorruptObjectException.class, () -> TestRepos.restoreDisk(repo, s.backup(), tmp));
        assertTrue(e.getMessage().contains(text.key()), e.getMessage());
    }

    @Test
    @DisplayName("a missing chunk is named by check, with and without --read-data, and by restore")
    void missingChunk() throws IOException {
        Repository repo = TestRepos.init(store);
        byte[] disk = TestRepos.disk(8 * C, 25);
        Stored s = backedUp(repo, "vm1", disk);
        ChunkId text = s.chunk(5); // the second text chunk: used once, at disk bytes [5C, 6C)
        store.reads(text.key()).missing();

        for (boolean readData : new boolean[] {false, true}) {
            Checker.Report r = check(repo, readData);
            assertFalse(r.ok());
            assertEquals(List.of("chunk " + text.hex() + " is missing"), r.errors());
            assertEquals(1, r.damaged().size());
            assertTrue(r.damaged().get(0).affects().get(0).endsWith(" bytes " + 5 * C + "-" + (6 * C - 1)));
        }
        ObjectNotFoundException e =
                assertThrows(ObjectNotFoundException.class, () -> TestRepos.restoreDisk(repo, s.backup(), tmp));
        assertTrue(e.getMessage().contains(text.key()), e.getMessage());
    }

    @Test
    @DisplayName("on a slow store, backup, check --read-data and restore still complete, bit for bit")
    void slowStore() throws IOException {
        Repository repo = TestRepos.init(store);
        FaultyStore.Fault slowReads = store.reads(".*").slow(Duration.ofMillis(15));
        FaultyStore.Fault slowWrites = store.on(".*", EnumSet.of(FaultyStore.Op.PUT, FaultyStore.Op.STAT))
                .slow(Duration.ofMillis(5));
        byte[] disk = TestRepos.disk(12 * C + 777, 26);
        Stored s = backedUp(repo, "vm1", disk);
        Checker.Report r = check(repo, true);
        assertTrue(r.ok(), r.errors().toString());
        assertArrayEquals(disk, TestRepos.restoreDisk(repo, s.backup(), tmp));
        assertTrue(slowReads.fired() > 10, "reads delayed: " + slowReads.fired());
        assertTrue(slowWrites.fired() > 5, "writes delayed: " + slowWrites.fired());
    }

    private static List<Object> refs(Repository repo) throws IOException {
        return repo.backups().stream().map(l -> (Object) l.ref()).toList();
    }
}
