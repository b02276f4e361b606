package io.cairn.repository.backup;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.repository.Repository;
import io.cairn.repository.TestRepos;
import io.cairn.repository.error.RepositoryException;
import io.cairn.repository.error.UnsafePathException;
import io.cairn.repository.format.FormatConstants;
import io.cairn.repository.manifest.Manifest;
import io.cairn.repository.store.MemoryStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A restore writes only where it was sent: names from the manifest are plain file names, links on
 * the way or at a target name are never followed, files are created exclusively.
 */
class RestoreConfinementTest {
    @TempDir
    Path tmp;

    final Repository repo;
    final byte[] disk = TestRepos.disk(3 * TestRepos.CHUNK, 5);

    RestoreConfinementTest() throws IOException {
        repo = TestRepos.init(new MemoryStore());
    }

    /** A backup whose NVRAM file has the name a VM's own {@code nvram} setting gave it. */
    private Repository.Listed backupWithNvram(String nvramName) throws IOException {
        BackupRequest req = new BackupRequest(
                new Manifest.VmIdentity("id-vm", "vm", null, null),
                "test:vm",
                Map.of(),
                null,
                null,
                List.of(BackupRequest.DiskInput.full(new BytesDiskSource("vm.vmdk", disk))),
                List.of(new BackupRequest.FileInput(
                        FormatConstants.FILE_ROLE_NVRAM, nvramName, "nvram".getBytes(StandardCharsets.UTF_8))),
                null);
        BackupWriter.Result r = new BackupWriter(repo, 2, Progress.NONE, Duration.ZERO).write(req);
        return repo.resolve(r.ref().id());
    }

    private List<Restorer.Output> restore(Repository.Listed b, Path to, Restorer.Conflict c) throws IOException {
        return new Restorer(repo, 2, Progress.NONE).restore(b.ref(), b.manifest(), to, c);
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    @DisplayName("an NVRAM name '../x' from the VM's settings is refused in one line, and nothing is written anywhere")
    void dotDotNvramName() throws IOException {
        Repository.Listed b = backupWithNvram("../x");
        Path out = tmp.resolve("a/out");
        UnsafePathException e = assertThrows(UnsafePathException.class, () -> restore(b, out, Restorer.Conflict.ABORT));
        assertEquals(
                "backup " + b.ref().id() + " cannot be restored into a directory: its manifest's file name '../x'"
                        + " is not a plain file name (it contains '/'); nothing was written",
                e.getMessage());
        assertFalse(Files.exists(tmp.resolve("a")), "not even the target directory was made");
        assertFalse(Files.exists(tmp.resolve("x")));
    }

    @Test
    @DisplayName("'..', a NUL, a line break and an empty name are each refused, the control character shown escaped")
    void otherBadNames() throws IOException {
        for (String bad : List.of("..", ".", "nv\0ram", "evil\nname", "")) {
            Repository.Listed b = backupWithNvram(bad);
            Path out = tmp.resolve("bad-" + Math.abs(bad.hashCode()));
            UnsafePathException e =
                    assertThrows(UnsafePathException.class, () -> restore(b, out, Restorer.Conflict.OVERWRITE), bad);
            assertEquals(1, e.getMessage().lines().count(), e.getMessage());
            assertFalse(Files.exists(out), "nothing written for " + bad);
        }
        Repository.Listed b = backupWithNvram("evil\nname");
        UnsafePathException e =
                assertThrows(UnsafePathException.class, () -> restore(b, tmp.resolve("x"), Restorer.Conflict.ABORT));
        assertTrue(e.getMessage().contains("'evil\\x0aname'"), e.getMessage());
    }

    @Test
    @DisplayName("a plain NVRAM name restores beside the disk, mode 0600, no temporary left")
    void plainNames() throws IOException {
        Repository.Listed b = backupWithNvram("vm.nvram");
        Path out = tmp.resolve("plain");
        List<Restorer.Output> o = restore(b, out, Restorer.Conflict.ABORT);
        assertEquals(List.of("vm.img", "vm.nvram"), names(out));
        assertEquals(out.toRealPath().resolve("vm.img"), o.get(0).path());
        assertArrayEquals(disk, Files.readAllBytes(out.resolve("vm.img")));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve("vm.img"))));
    }

    @Test
    @DisplayName(
            "a link planted at a target name is replaced by the restored file with overwrite, never written through")
    void plantedLinkAtTheName() throws IOException {
        Repository.Listed b = backupWithNvram("vm.nvram");
        Path out = Files.createDirectories(tmp.resolve("planted"));
        Path victim = Files.writeString(tmp.resolve("victim"), "precious");
        Files.createSymbolicLink(out.resolve("vm.nvram"), victim);
        RepositoryException abort =
                assertThrows(RepositoryException.class, () -> restore(b, out, Restorer.Conflict.ABORT));
        assertTrue(abort.getMessage().contains("exists; nothing was written"), abort.getMessage());
        restore(b, out, Restorer.Conflict.OVERWRITE);
        assertEquals("precious", Files.readString(victim));
        assertFalse(Files.isSymbolicLink(out.resolve("vm.nvram")));
        assertEquals("nvram", Files.readString(out.resolve("vm.nvram")));
    }

    @Test
    @DisplayName("a symbolic link on the way below a trusted directory is refused, not followed")
    void linkOnTheWay() throws IOException {
        Repository.Listed b = backupWithNvram("vm.nvram");
        Path root = Files.createDirectories(tmp.resolve("root"));
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        Files.createSymbolicLink(root.resolve("vms"), elsewhere);
        try (RestoreDirectory r = RestoreDirectory.open(root)) {
            UnsafePathException e =
                    assertThrows(UnsafePathException.class, () -> r.below(List.of("vms", "web01"), true));
            assertEquals(
                    root.toRealPath().resolve("vms")
                            + " is a symbolic link; restores never follow links (give the directory it points to)",
                    e.getMessage());
            try (RestoreDirectory d = r.below(List.of("real", "web01"), true)) {
                new Restorer(repo, 2, Progress.NONE).restore(b.ref(), b.manifest(), d, Restorer.Conflict.ABORT, null);
            }
        }
        assertEquals(List.of(), names(elsewhere));
        assertEquals(List.of("vm.img", "vm.nvram"), names(root.resolve("real/web01")));
        assertEquals(
                "rwx------",
                PosixFilePermissions.toString(
                        Files.getPosixFilePermissions(root.resolve("real"), LinkOption.NOFOLLOW_LINKS)));
    }

    @Test
    @DisplayName("/proc/self/root/… and any path with a link in it cannot be opened without following links")
    void procSelfRoot() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("target"));
        UnsafePathException e = assertThrows(
                UnsafePathException.class,
                () -> RestoreDirectory.openNoFollow(
                        Path.of("/proc/self/root").resolve(dir.toString().substring(1))));
        assertTrue(e.getMessage().startsWith("/proc/self is a symbolic link"), e.getMessage());
        Files.createSymbolicLink(tmp.resolve("link"), dir);
        assertThrows(
                UnsafePathException.class,
                () -> RestoreDirectory.openNoFollow(tmp.toRealPath().resolve("link")));
        try (RestoreDirectory d = RestoreDirectory.openNoFollow(dir.toRealPath())) {
            assertEquals(dir.toRealPath(), d.path());
        }
    }

    /** A format whose sink writes its file by name, as the VMDK writer does. */
    private static final DiskOutput BY_NAME = new DiskOutput() {
        @Override
        public String fileName(Manifest.DiskEntry disk) {
            return "vm.byname";
        }

        @Override
        public Sink create(Path file, Manifest.DiskEntry disk) throws IOException {
            Files.createFile(file);
            try (var f = new java.io.RandomAccessFile(file.toFile(), "rw")) {
                f.setLength(disk.capacity()); // a new disk's ranges never written are zeros
            }
            return new Sink() {
                @Override
                public void write(long offset, byte[] data, int off, int len) throws IOException {
                    try (var ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
                        ch.write(java.nio.ByteBuffer.wrap(data, off, len), offset);
                    }
                }

                @Override
                public List<Path> files() {
                    return List.of(file);
                }

                @Override
                public void close() {}
            };
        }
    };

    @Test
    @DisplayName("a disk format written by file name is refused below a directory others can change (a link could be"
            + " swapped in on the way); a sticky one such as /tmp, or one only root writes, is fine")
    void byNameOnlyWhereNobodyElseCanSwap() throws IOException {
        Repository.Listed b = backupWithNvram("vm.nvram");
        Path shared = Files.createDirectories(tmp.resolve("shared"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        UnsafePathException e = assertThrows(
                UnsafePathException.class,
                () -> new Restorer(repo, 2, Progress.NONE)
                        .restore(b.ref(), b.manifest(), shared.resolve("out"), Restorer.Conflict.ABORT, BY_NAME));
        assertTrue(
                e.getMessage().contains(shared.toRealPath() + " can be written by others (mode 0777)"), e.getMessage());
        assertEquals(List.of(), names(shared.resolve("out")), "nothing left behind");

        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxr-xr-x"));
        new Restorer(repo, 2, Progress.NONE)
                .restore(b.ref(), b.manifest(), shared.resolve("ok"), Restorer.Conflict.ABORT, BY_NAME);
        assertArrayEquals(disk, Files.readAllBytes(shared.resolve("ok/vm.byname")));

        try {
            assertEquals(
                    0,
                    new ProcessBuilder("chmod", "1777", shared.toString())
                            .start()
                            .waitFor());
        } catch (InterruptedException ie) {
            throw new IOException(ie);
        }
        new Restorer(repo, 2, Progress.NONE)
                .restore(b.ref(), b.manifest(), shared.resolve("sticky"), Restorer.Conflict.ABORT, BY_NAME);
        assertArrayEquals(disk, Files.readAllBytes(shared.resolve("sticky/vm.byname")));
    }
}
