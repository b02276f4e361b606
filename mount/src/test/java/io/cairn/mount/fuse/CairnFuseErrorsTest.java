package io.cairn.mount.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.mount.image.ChunkCache;
import io.cairn.mount.image.Image;
import io.cairn.mount.tree.BackupTree;
import io.cairn.mount.tree.GuestVolumes;
import io.cairn.mount.tree.Node;
import io.cairn.repository.Repository;
import io.cairn.repository.backup.BackupRequest;
import io.cairn.repository.backup.BackupWriter;
import io.cairn.repository.backup.BytesDiskSource;
import io.cairn.repository.backup.Progress;
import io.cairn.repository.manifest.Manifest;
import io.cairn.repository.store.LocalStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import ru.serce.jnrfuse.ErrorCodes;

/**
 * Issue 12, finding 8: an {@link Error} thrown while serving a call (a parser's stack overflow, an
 * out-of-memory) is that call's EIO, logged once per kind; the mount keeps serving. Direct calls
 * into the adapter, no kernel.
 */
class CairnFuseErrorsTest {
    @TempDir
    Path dir;

    Repository repo;
    ChunkCache cache;
    String backupDir;
    final List<String> log = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        repo = Repository.init(new LocalStore(dir.resolve("repo")), 256 * 1024, 1, null);
        cache = new ChunkCache(repo.chunks(), 1 << 20, 1);
        Path image = dir.resolve("web01.img");
        Files.write(image, new byte[1 << 20]);
        try (BytesDiskSource src =
                new BytesDiskSource(image.getFileName().toString(), java.nio.file.Files.readAllBytes(image))) {
            BackupWriter.Result r = new BackupWriter(repo, 1, Progress.NONE, Duration.ZERO)
                    .write(new BackupRequest(
                            new Manifest.VmIdentity("vc1/vm-1", "web01", "5003-aaaa", null),
                            "test",
                            Map.of(),
                            null,
                            null,
                            List.of(BackupRequest.DiskInput.full(src)),
                            List.of(),
                            null));
            backupDir = "/vms/web01/"
                    + java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'")
                            .withZone(java.time.ZoneOffset.UTC)
                            .format(r.manifest().instant());
        }
    }

    @AfterEach
    void tearDown() {
        cache.close();
    }

    /** Guest volumes whose scan throws what {@code error} makes, as a hostile disk could make a parser do. */
    static GuestVolumes throwing(Supplier<Error> error) {
        return new GuestVolumes() {
            @Override
            public List<Node> entries(String backupKey, LinkedHashMap<String, Image> disks, int depth) {
                throw error.get();
            }

            @Override
            public List<Node> internals() {
                return List.of();
            }
        };
    }

    /** A directory filler that takes every name. */
    static final ru.serce.jnrfuse.FuseFillDir IGNORE = (buf, name, stbuf, off) -> 0;

    CairnFuse fuse(GuestVolumes volumes) {
        return new CairnFuse(new BackupTree(repo, cache, volumes, 0, 4), 0, 0, false, log::add, () -> {});
    }

    @Test
    @DisplayName(
            "a StackOverflowError in a guest volume parser is EIO for that call, logged once; the rest still works")
    void stackOverflow() {
        CairnFuse fs = fuse(throwing(StackOverflowError::new));
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            assertEquals(-ErrorCodes.EIO(), fs.readdir(backupDir + "/volumes", null, IGNORE, 0, null));
            assertEquals(-ErrorCodes.EIO(), fs.getattr(backupDir + "/volumes/disk0-p1", null));
        }
        assertEquals(1, log.size(), log.toString());
        assertTrue(log.get(0).contains("StackOverflowError") && log.get(0).contains("answered EIO"), log.get(0));
        // the mount is alive: the backup's other directories are served
        assertEquals(
                0,
                fs.readdir(
                        backupDir + "/disks",
                        null,
                        (buf, name, stbuf, off) -> {
                            // the name as libfuse gets it: NUL-terminated bytes
                            StringBuilder b = new StringBuilder();
                            while (name.hasRemaining() && name.get(name.position()) != 0) {
                                b.append((char) name.get());
                            }
                            names.add(b.toString());
                            return 0;
                        },
                        0,
                        null));
        assertTrue(names.contains("web01-flat.vmdk"), names.toString());
    }

    @Test
    @DisplayName("an OutOfMemoryError and an unexpected RuntimeException are EIO too, with a line naming them")
    void otherThrowables() {
        assertEquals(
                -ErrorCodes.EIO(),
                fuse(throwing(() -> new OutOfMemoryError("Java heap space")))
                        .readdir(backupDir + "/volumes", null, IGNORE, 0, null));
        assertTrue(log.stream().anyMatch(l -> l.contains("OutOfMemoryError")), log.toString());
        CairnFuse broken = fuse(new GuestVolumes() {
            @Override
            public List<Node> entries(String backupKey, LinkedHashMap<String, Image> disks, int depth) {
                throw new IllegalStateException("a bug\nwith a second line");
            }

            @Override
            public List<Node> internals() {
                return List.of();
            }
        });
        assertEquals(-ErrorCodes.EIO(), broken.readdir(backupDir + "/volumes", null, IGNORE, 0, null));
        String line = log.get(log.size() - 1);
        assertTrue(line.contains("IllegalStateException: a bug\\x0awith a second line"), line);
    }
}
