package io.cairn.operations.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.operations.HookedStore;
import io.cairn.operations.Images;
import io.cairn.operations.job.Job;
import io.cairn.operations.restore.FolderRestore;
import io.cairn.operations.roots.RestoreRoots;
import io.cairn.operations.roots.SourceRoots;
import io.cairn.repository.Repository;
import io.cairn.repository.backup.Extent;
import io.cairn.repository.backup.Restorer;
import io.cairn.repository.format.FormatConstants;
import io.cairn.repository.lock.LockConflictException;
import io.cairn.repository.maintenance.GarbageCollector;
import io.cairn.repository.store.LocalStore;
import io.cairn.vixmntbridge.vmdk.VmdkWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An incremental file backup ({@code --changed-areas}) chooses its base under the repository's
 * lock: a prune and a gc that strike just as the base's index is read cannot free the base's
 * chunks, and the backup that follows is complete.
 */
class BaseUnderLockTest {
    @TempDir
    Path dir;

    @Test
    @DisplayName("a prune and a gc right after the base's index was read: gc is refused, the backup is whole")
    void gcAfterTheChoiceIsRefused() throws Exception {
        race(true);
    }

    @Test
    @DisplayName("a prune and a gc right before the base's index is read: gc is refused, the disk is read whole")
    void gcBeforeTheIndexIsReadIsRefused() throws Exception {
        race(false);
    }

    /** A prune of the base and a gc without safety margin strike while the base is chosen. */
    private void race(boolean afterIndexRead) throws Exception {
        HookedStore store = new HookedStore(new LocalStore(dir.resolve("repo")));
        Repository repo = Repository.init(store, 256 << 10, 1, null);
        Path img = Images.random(dir.resolve("web03.img"), 4, 7);
        FileBackup backup = new FileBackup(repo, 2, Duration.ZERO, SourceRoots.unconfined());
        BackupResult first = backup.run(FileBackup.Request.of(img, Map.of()), job());
        try (FileChannel ch = FileChannel.open(img, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {1, 2, 3, 4}), 1 << 20);
        }

        Exception[] raced = {null};
        HookedStore.Action pruneAndGc = () -> {
            // another process: prune the base, then gc with no safety margin
            repo.deleteBackup(repo.resolve(first.id()).ref());
            try {
                new GarbageCollector(repo, Duration.ZERO, Duration.ZERO).run();
            } catch (Exception e) {
                raced[0] = e;
            }
        };
        // an index of either format (v1 .fidx, v2 .vidx): whichever the repository writes
        java.util.function.Predicate<String> index =
                key -> key.endsWith(FormatConstants.INDEX_SUFFIX) || key.endsWith(FormatConstants.VIDX_SUFFIX);
        if (afterIndexRead) {
            store.after(index, pruneAndGc);
        } else {
            store.before(index, pruneAndGc);
        }
        BackupResult second =
                backup.run(new FileBackup.Request(img, null, Map.of(), List.of(new Extent(1 << 20, 4)), null), job());

        assertTrue(raced[0] instanceof LockConflictException, "gc ran while the base was being chosen: " + raced[0]);
        assertNull(second.manifest().parent(), "the base was pruned under the lock: no parent");
        assertEquals(
                second.manifest().disks().get(0).stats().chunks(),
                second.manifest().disks().get(0).stats().readChunks(),
                "every chunk read again");
        Path out = Files.createDirectories(dir.resolve("out"));
        new FolderRestore(repo, 2, Duration.ZERO, null, RestoreRoots.given(List.of()))
                .run(
                        new FolderRestore.Request(second.id(), out, VmdkWriter.Format.RAW, Restorer.Conflict.ABORT),
                        job());
        assertEquals(Images.sha256(img), Images.sha256(out.resolve("web03.img")));
        assertEquals(1, repo.backups().size());
    }

    @Test
    @DisplayName("a named base of another VM is refused in one line, under the lock, before anything is written")
    void baseOfAnotherVm() throws Exception {
        Repository repo = Repository.init(new LocalStore(dir.resolve("repo")), 256 << 10, 1, null);
        FileBackup backup = new FileBackup(repo, 2, Duration.ZERO, SourceRoots.unconfined());
        BackupResult other =
                backup.run(FileBackup.Request.of(Images.random(dir.resolve("other.img"), 1, 8), Map.of()), job());
        Path img = Images.random(dir.resolve("web04.img"), 1, 9);
        backup.run(FileBackup.Request.of(img, Map.of()), job());
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> backup.run(
                        new FileBackup.Request(img, null, Map.of(), List.of(new Extent(0, 4)), other.id()), job()));
        assertEquals("--base " + other.id() + " is a backup of VM 'other', not of 'web04'", e.getMessage());
        assertEquals(2, repo.backups().size());
        assertTrue(repo.locks().list().isEmpty(), "the backup released its lock");
    }

    private static Job job() {
        Job j = Job.create("test", "test");
        j.start();
        return j;
    }
}
