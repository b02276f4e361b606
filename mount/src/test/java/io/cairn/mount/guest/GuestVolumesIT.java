package io.cairn.mount.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.mount.fuse.FuseMount;
import io.cairn.mount.image.ChunkCache;
import io.cairn.mount.tree.BackupTree;
import io.cairn.repository.Repository;
import io.cairn.repository.backup.BackupRequest;
import io.cairn.repository.backup.BackupWriter;
import io.cairn.repository.backup.BytesDiskSource;
import io.cairn.repository.backup.Progress;
import io.cairn.repository.manifest.Manifest;
import io.cairn.repository.store.LocalStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Guest volumes through a real FUSE mount of a real repository: the MBR disk with three ext
 * volumes (mbr-logical.img: p1 ext2, p5 and p6 ext4 in an EBR chain), each shown by a sandboxed
 * fuse2fs, with room for only two drivers at once: opening a third stops the oldest one that is
 * not in use, and when all are in use the open fails with the reason.
 */
class GuestVolumesIT {
    @TempDir
    Path dir;

    Repository repo;
    ChunkCache cache;
    FuseMount mount;
    GuestVolumeManager guests;
    Path volumes;
    final List<String> log = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        Path fixtures = Path.of("target", "fixtures").toAbsolutePath();
        Process p = new ProcessBuilder(
                        "bash",
                        Path.of("src/test/fixtures/make-fixtures.sh")
                                .toAbsolutePath()
                                .toString(),
                        fixtures.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        repo = Repository.init(new LocalStore(dir.resolve("repo")), 1 << 20, 1, null);
        cache = new ChunkCache(repo.chunks(), 16L << 20, 2);
        BackupWriter.Result r;
        try (BytesDiskSource src = new BytesDiskSource(
                fixtures.resolve("mbr-logical.img").getFileName().toString(),
                java.nio.file.Files.readAllBytes(fixtures.resolve("mbr-logical.img")))) {
            r = new BackupWriter(repo, 2, Progress.NONE, Duration.ZERO)
                    .write(new BackupRequest(
                            new Manifest.VmIdentity("vc1/vm-9", "logical", "5003-9999", null),
                            "test",
                            Map.of(),
                            null,
                            null,
                            List.of(BackupRequest.DiskInput.full(src)),
                            List.of(),
                            null));
        }
        Path mp = Files.createDirectories(dir.resolve("mnt"));
        guests =
                new GuestVolumeManager(mp, GuestVolumeManager.Options.defaults().withLimits(2, 1), log::add);
        BackupTree tree = new BackupTree(repo, cache, guests, 5000, 4);
        mount = FuseMount.mount(tree, mp, "cairn-guest-volumes-it", log::add, guests::unmountAll);
        volumes = mp.resolve("vms/logical/latest/volumes");
        assertTrue(r.manifest() != null);
    }

    @AfterEach
    void tearDown() {
        if (mount != null) {
            mount.close();
        }
        cache.close();
    }

    static List<String> list(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(x -> x.getFileName().toString()).sorted().toList();
        }
    }

    static long driversBelow(Path mp) throws IOException {
        return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                .filter(l -> l.split(" ")[4].startsWith(mp + "/.cairn/mnt/"))
                .count();
    }

    @Test
    @DisplayName("two drivers at most: the third volume stops the oldest idle one, which comes back when opened")
    void evictsIdle() throws Exception {
        assertEquals(List.of("mbr-logical-p1", "mbr-logical-p5", "mbr-logical-p6"), list(volumes));
        assertEquals(List.of("lost+found"), list(volumes.resolve("mbr-logical-p1")));
        assertEquals(List.of("lost+found"), list(volumes.resolve("mbr-logical-p5")));
        assertEquals(2, driversBelow(dir.resolve("mnt")));
        assertEquals(List.of("lost+found"), list(volumes.resolve("mbr-logical-p6")));
        assertEquals(2, driversBelow(dir.resolve("mnt")), "still two drivers");
        assertTrue(
                log.stream().anyMatch(l -> l.startsWith("stopped fuse2fs for mbr-logical-p1 to make room")),
                log.toString());
        // p1 again: it mounts anew, stopping p5
        assertEquals(List.of("lost+found"), list(volumes.resolve("mbr-logical-p1")));
        assertTrue(
                log.stream().anyMatch(l -> l.startsWith("stopped fuse2fs for mbr-logical-p5 to make room")),
                log.toString());
        assertEquals(2, driversBelow(dir.resolve("mnt")));
    }

    @Test
    @DisplayName("when every running driver's volume is in use, a third volume fails with the reason")
    void allBusy() throws Exception {
        try (DirectoryStream<Path> a = Files.newDirectoryStream(
                        volumes.resolve("mbr-logical-p1").toRealPath());
                DirectoryStream<Path> b = Files.newDirectoryStream(
                        volumes.resolve("mbr-logical-p5").toRealPath())) {
            assertTrue(a.iterator().hasNext() && b.iterator().hasNext());
            assertThrows(IOException.class, () -> list(volumes.resolve("mbr-logical-p6")));
            assertTrue(
                    log.stream()
                            .anyMatch(
                                    l -> l.contains("2 guest volume drivers run already and their volumes are in use")),
                    log.toString());
        }
        // closed: now there is room again, at once (a full house is not remembered as a failure)
        assertEquals(List.of("lost+found"), list(volumes.resolve("mbr-logical-p6")));
    }
}
