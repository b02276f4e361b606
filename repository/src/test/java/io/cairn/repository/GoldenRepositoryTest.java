package io.cairn.repository;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.repository.backup.Progress;
import io.cairn.repository.backup.Restorer;
import io.cairn.repository.maintenance.Checker;
import io.cairn.repository.store.LocalStore;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Repositories written by earlier cairn versions must stay readable. {@code src/test/resources/golden/}
 * holds one repository per format version and flavour, made by {@link #main} (run it once when a new
 * format version is introduced; never regenerate an existing one).
 */
class GoldenRepositoryTest {
    static final String PASSWORD = "golden-password";

    /** The disk every golden repository holds: 1 MiB + 1000 bytes of text, random and zero regions. */
    static byte[] goldenDisk() {
        byte[] b = new byte[(1 << 20) + 1000];
        new Random(20261123).nextBytes(b);
        for (int i = 256 * 1024; i < 512 * 1024; i++) {
            b[i] = (byte) ("golden disk ".charAt(i % 12));
        }
        java.util.Arrays.fill(b, 512 * 1024, 768 * 1024, (byte) 0);
        return b;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"v1-plain", "v1-encrypted", "v2-plain", "v2-encrypted"})
    @DisplayName("a golden repository opens, checks clean and restores bit for bit")
    void readsGolden(String name, @TempDir Path tmp) throws IOException, URISyntaxException {
        Path src = Path.of(GoldenRepositoryTest.class
                        .getResource("/golden/" + name + "/config")
                        .toURI())
                .getParent();
        Path copy = tmp.resolve(name);
        copyTree(src, copy); // locks are written during check: never touch the resource itself
        Repository repo = Repository.open(new LocalStore(copy), PASSWORD::toCharArray);
        assertEquals(1, repo.backups().size());
        Checker.Report r = new Checker(repo, 2, Progress.NONE, Duration.ZERO).run(true);
        assertTrue(r.ok(), r.errors().toString());
        Repository.Listed b = repo.resolve("golden@latest");
        assertEquals("golden", b.manifest().vm().name());
        String version = name.substring(0, 2);
        assertEquals(version, b.manifest().labels().get("format"));
        assertEquals(
                version.equals("v1") ? ".fidx" : ".vidx",
                b.manifest().disks().get(0).index().substring(5));
        Path out = tmp.resolve("out");
        new Restorer(repo, 2, Progress.NONE).restore(b.ref(), b.manifest(), out, Restorer.Conflict.ABORT);
        assertArrayEquals(goldenDisk(), Files.readAllBytes(out.resolve("golden.img")));
        assertEquals("displayName = \"golden\"\n", Files.readString(out.resolve("golden.vmx")));
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s.sorted(Comparator.naturalOrder())::iterator) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
    }

    /**
     * Writes the golden repositories of format version {@code args[1]} (1 or 2) into {@code args[0]}.
     * Version 2's disk (chunks averaging 256 KiB, so 64 KiB to 1 MiB) is cut at content-defined
     * boundaries, its last chunk ending at the unaligned capacity.
     */
    public static void main(String[] args) throws IOException {
        int version = Integer.parseInt(args[1]);
        for (boolean enc : new boolean[] {false, true}) {
            Path dir = Path.of(args[0], "v" + version + "-" + (enc ? "encrypted" : "plain"));
            Repository repo = Repository.init(
                    new LocalStore(dir),
                    TestRepos.CHUNK,
                    3,
                    enc ? PASSWORD.toCharArray() : null,
                    version == 1 ? null : io.cairn.repository.index.Chunker.Params.forAverage(TestRepos.CHUNK));
            var src = new io.cairn.repository.backup.BytesDiskSource("golden.img", goldenDisk());
            var req = new io.cairn.repository.backup.BackupRequest(
                    new io.cairn.repository.manifest.Manifest.VmIdentity("golden-identity", "golden", null, null),
                    "file:/golden.img",
                    java.util.Map.of("format", "v" + version),
                    null,
                    null,
                    java.util.List.of(io.cairn.repository.backup.BackupRequest.DiskInput.full(src)),
                    java.util.List.of(new io.cairn.repository.backup.BackupRequest.FileInput(
                            "vmx",
                            "golden.vmx",
                            "displayName = \"golden\"\n".getBytes(java.nio.charset.StandardCharsets.UTF_8))),
                    null);
            new io.cairn.repository.backup.BackupWriter(repo, 1, Progress.NONE, Duration.ZERO).write(req);
        }
    }
}
