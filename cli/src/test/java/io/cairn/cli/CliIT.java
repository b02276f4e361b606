package io.cairn.cli;

import static io.cairn.cli.Util.MiB;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cairn program's contract as a script sees it: exit codes, one-line errors, and results on disk. */
class CliIT {
    /** One repository with one backup of {@link #sharedImage}, for tests that only read it. */
    @TempDir
    static Path shared;

    static Path sharedRepo;
    static Path sharedImage;
    static String sharedId;
    private static Cairn sharedCairn;

    @TempDir
    Path dir;

    private Cairn cairn;

    @BeforeAll
    static void sharedRepository() throws IOException {
        sharedCairn = new Cairn();
        sharedRepo = shared.resolve("repo");
        sharedImage = shared.resolve("disk.img");
        Util.mixedImage(sharedImage, 16L * MiB, 7);
        sharedCairn.init(sharedRepo);
        sharedId = sharedCairn.backup(sharedRepo, sharedImage);
    }

    @AfterAll
    static void closeShared() {
        sharedCairn.close();
    }

    @BeforeEach
    void start() {
        cairn = new Cairn();
    }

    @AfterEach
    void stop() {
        cairn.close();
    }

    // ---- version and usage ----

    @Test
    void versionNamesTheVersionAndTheCommit() {
        Cairn.Result r = cairn.run("--version").ok();
        Matcher m = Pattern.compile("cairn (\\S+) \\(commit (\\S+)\\)")
                .matcher(r.out().strip());
        assertTrue(m.matches(), () -> "--version should print 'cairn <version> (commit <id>)'\n" + r.describe());
        assertTrue(m.group(1).matches("\\d+\\.\\d+\\.\\d+(-[A-Za-z0-9.]+)?"), () -> "not a version: " + m.group(1));
        Util.Cmd head = Util.exec("git", "-C", Cairn.jar().getParent().toString(), "rev-parse", "--short=7", "HEAD");
        if (head.exit() == 0) {
            // Built from a git checkout: the commit must be recorded, not 'unknown'.
            assertTrue(
                    m.group(2).startsWith(head.output().strip()),
                    () -> "commit should start with " + head.output().strip() + "\n" + r.describe());
        } else {
            assertTrue(m.group(2).matches("[0-9a-f]{7,}(-dirty)?|unknown"), () -> "not a commit: " + m.group(2));
        }
        assertEquals("", r.err());
    }

    @Test
    void unknownOptionIsAUsageError() {
        Cairn.Result r = cairn.run("list", "--repo", sharedRepo.toString(), "--frobnicate")
                .expectExit(2);
        assertTrue(r.err().contains("--frobnicate"), r::describe);
        assertEquals("", r.out());
    }

    @Test
    void chunkSizeThatIsNotAPowerOfTwoIsAUsageError() throws IOException {
        Path repo = dir.resolve("repo");
        Cairn.Result r = cairn.run("init", "--repo", repo.toString(), "--chunk-size", "3M");
        r.expectFailure(2, "init", "chunk size", "power of two");
        assertTrue(!Files.exists(repo) || Util.files(repo).isEmpty(), "a refused init must not create a repository");
    }

    @Test
    void pruneWithoutKeepOptionsIsAUsageError() throws IOException {
        List<String> before = Util.files(sharedRepo.resolve("backups"));
        cairn.run("prune", "--repo", sharedRepo.toString()).expectFailure(2, "prune", "--keep-last");
        assertEquals(before, Util.files(sharedRepo.resolve("backups")), "nothing may be pruned");
    }

    @Test
    void vcenterSourceIsAUsageError() {
        cairn.run("backup", "--repo", sharedRepo.toString(), "--vm", "vc:foo").expectFailure(2, "backup", "vc:foo");
    }

    // ---- repository problems ----

    @Test
    void missingRepositoryDirectory() {
        Path nowhere = dir.resolve("no-such-repo");
        cairn.run("list", "--repo", nowhere.toString()).expectFailure(1, "list", "does not exist", nowhere.toString());
        cairn.run("backup", "--repo", nowhere.toString(), "--vm", "file:" + sharedImage)
                .expectFailure(1, "backup", "does not exist");
        assertFalse(Files.exists(nowhere), "a failed command must not create the repository directory");
    }

    @Test
    void directoryThatIsNotARepository() throws IOException {
        Path notRepo = Files.createDirectory(dir.resolve("not-a-repo"));
        Util.randomFile(notRepo.resolve("random.bin"), 4096, 1);
        cairn.run("list", "--repo", notRepo.toString()).expectFailure(1, "list", "not a cairn repository");
        cairn.run("check", "--repo", notRepo.toString()).expectFailure(1, "check", "not a cairn repository");
        assertEquals(List.of("random.bin"), Util.files(notRepo), "nothing may be written into a foreign directory");
    }

    @Test
    void initRefusesANonEmptyDirectoryAndAnExistingRepository() throws IOException {
        Path d = Files.createDirectory(dir.resolve("busy"));
        Files.writeString(d.resolve("notes.txt"), "mine");
        cairn.run("init", "--repo", d.toString()).expectFailure(1, "init", "not empty");
        assertEquals(List.of("notes.txt"), Util.files(d));
        assertEquals("mine", Files.readString(d.resolve("notes.txt")));

        String config = Files.readString(sharedRepo.resolve("config"));
        cairn.run("init", "--repo", sharedRepo.toString()).expectFailure(1, "init", "already a cairn repository");
        assertEquals(
                config, Files.readString(sharedRepo.resolve("config")), "init must not rewrite an existing config");
    }

    @Test
    void missingSourceFile() {
        cairn.run("backup", "--repo", sharedRepo.toString(), "--vm", "file:/nonexistent")
                .expectFailure(1, "backup", "/nonexistent", "does not exist");
    }

    // ---- encryption ----

    @Test
    void encryptedRepository() throws IOException {
        Path repo = dir.resolve("enc");
        Path pw = dir.resolve("pw");
        Files.writeString(pw, "correct horse battery staple\n");
        Path wrong = dir.resolve("wrong");
        Files.writeString(wrong, "Tr0ub4dor&3\n");
        Path img = dir.resolve("secret.img");
        Util.mixedImage(img, 8L * MiB, 11);

        Cairn.Result created = cairn.run(
                        "init", "--repo", repo.toString(), "--encrypt", "--password-file", pw.toString())
                .ok();
        assertTrue(created.out().contains("created encrypted repository"), created::describe);
        JsonNode config = Cairn.JSON.readTree(repo.resolve("config").toFile());
        assertEquals("aes-256-gcm", config.get("encryption").asText());

        String id = Cairn.backupId(cairn.run(Cairn.backupArgs(repo, img, "--password-file", pw.toString()))
                .ok());

        // Random data is stored raw (zstd cannot shrink it): without encryption it would appear verbatim.
        byte[] sample = new byte[64];
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "r")) {
            f.seek(123_456);
            f.readFully(sample);
        }
        List<String> chunkFiles = Util.files(repo.resolve("chunks"));
        assertFalse(chunkFiles.isEmpty());
        for (String c : chunkFiles) {
            byte[] blob = Files.readAllBytes(repo.resolve("chunks").resolve(c));
            assertEquals(1, blob[7], "blob " + c + " should be marked encrypted (header byte 7)");
            assertEquals(-1, indexOf(blob, sample), "plaintext found in chunk file " + c);
        }

        Path out = dir.resolve("out");
        cairn.run("restore", "--repo", repo.toString(), "--password-file", pw.toString(), id, "--to", out.toString())
                .ok();
        assertEquals(Util.sha256(img), Util.sha256(out.resolve("secret.img")));

        cairn.run("list", "--repo", repo.toString(), "--password-file", wrong.toString())
                .expectFailure(1, "list", "wrong password");
        cairn.run("list", "--repo", repo.toString()).expectFailure(1, "list", "--password-file");

        Cairn.Result viaEnv = cairn.run(
                        Map.of("CAIRN_PASSWORD", "correct horse battery staple"),
                        "list",
                        "--repo",
                        repo.toString(),
                        "--json")
                .ok();
        assertEquals(id, viaEnv.json().get(0).get("id").asText());
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int k = 0; k < needle.length; k++) {
                if (hay[i + k] != needle[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    // ---- restore ----

    @Test
    void restoreIntoAnExistingTarget() throws IOException {
        Path to = Files.createDirectory(dir.resolve("to"));
        Path target = to.resolve("disk.img");
        byte[] precious = "precious data that is not the backup\n".getBytes(StandardCharsets.UTF_8);
        Files.write(target, precious);

        cairn.run("restore", "--repo", sharedRepo.toString(), sharedId, "--to", to.toString())
                .expectFailure(1, "restore", "exists");
        assertArrayEquals(precious, Files.readAllBytes(target), "a refused restore must leave the file untouched");
        assertEquals(List.of("disk.img"), Util.files(to), "no partial files may be left behind");

        Cairn.Result kept = cairn.run(
                        "restore",
                        "--repo",
                        sharedRepo.toString(),
                        sharedId,
                        "--to",
                        to.toString(),
                        "--on-conflict",
                        "keep")
                .ok();
        assertTrue(kept.out().contains("kept"), kept::describe);
        assertArrayEquals(precious, Files.readAllBytes(target), "--on-conflict keep must leave the file untouched");

        cairn.run(
                        "restore",
                        "--repo",
                        sharedRepo.toString(),
                        "disk@latest",
                        "--to",
                        to.toString(),
                        "--on-conflict",
                        "overwrite")
                .ok();
        assertEquals(Util.sha256(sharedImage), Util.sha256(target), "--on-conflict overwrite must restore the backup");
        assertEquals(List.of("disk.img"), Util.files(to), "no partial files may be left behind");
    }

    @Test
    void restoreNeverIntoTheRepository() throws IOException {
        Path inside = sharedRepo.resolve("restored");
        cairn.run("restore", "--repo", sharedRepo.toString(), sharedId, "--to", inside.toString())
                .expectFailure(1, "restore", "lies in", "which only cairn may write");
        assertFalse(Files.exists(inside), "nothing made inside the repository");
        Path link = Files.createSymbolicLink(dir.resolve("repo-link"), sharedRepo);
        cairn.run(
                        "restore",
                        "--repo",
                        sharedRepo.toString(),
                        sharedId,
                        "--to",
                        link.resolve("x").toString())
                .expectFailure(1, "restore", "which only cairn may write");
        assertFalse(Files.exists(sharedRepo.resolve("x")));

        Path to = dir.resolve("mine");
        cairn.run("restore", "--repo", sharedRepo.toString(), sharedId, "--to", to.toString())
                .ok();
        assertEquals(
                "rw-------",
                java.nio.file.attribute.PosixFilePermissions.toString(
                        Files.getPosixFilePermissions(to.resolve("disk.img"))),
                "restored disks are their owner's alone");
    }

    @Test
    void restoreOfAnUnknownVm() {
        Path to = dir.resolve("to");
        cairn.run("restore", "--repo", sharedRepo.toString(), "nosuchvm@latest", "--to", to.toString())
                .expectFailure(1, "restore", "nosuchvm");
        assertFalse(Files.exists(to), "a failed restore must not create its target directory");
    }

    // ---- backups ----

    @Test
    void twoBackupsAtTheSameTime() throws IOException {
        Path repo = dir.resolve("repo");
        cairn.init(repo);
        Path a = dir.resolve("a.img");
        Path b = dir.resolve("b.img");
        Util.mixedImage(a, 32L * MiB, 21);
        // b shares its first half with a: both writers store the same chunks at the same moment.
        Files.copy(a, b);
        try (var ch = Files.newByteChannel(b, StandardOpenOption.WRITE)) {
            ch.position(16L * MiB);
            byte[] buf = new byte[MiB];
            Random rnd = new Random(22);
            for (int i = 0; i < 16; i++) {
                rnd.nextBytes(buf);
                ch.write(ByteBuffer.wrap(buf));
            }
        }
        Cairn.Running ra = cairn.start(Cairn.backupArgs(repo, a));
        Cairn.Running rb = cairn.start(Cairn.backupArgs(repo, b));
        String ida = Cairn.backupId(ra.await().ok());
        String idb = Cairn.backupId(rb.await().ok());
        assertNotEquals(ida, idb);
        List<String> ids = cairn.listIds(repo);
        assertEquals(2, ids.size(), "both backups must be listed: " + ids);
        assertTrue(ids.containsAll(List.of(ida, idb)), "listed " + ids);
        cairn.assertRestoresExactly(repo, ida, a, dir);
        cairn.assertRestoresExactly(repo, idb, b, dir);
        assertEquals(List.of(), Util.files(repo.resolve("locks")), "both locks must be released");
    }

    @Test
    void incrementalBackupWithChangedAreas() throws IOException {
        Path repo = dir.resolve("repo");
        cairn.init(repo);
        Path img = dir.resolve("vm1.img");
        long size = 64L * MiB;
        Util.mixedImage(img, size, 31);
        String full = cairn.backup(repo, img);

        // Change three areas: 2 MiB across chunks 5-7, one 4 KiB block in chunk 40 (the zero quarter),
        // and the last 1000 bytes (chunk 63).
        long[][] areas = {{5L * MiB + 100 * 1024, 2L * MiB}, {40L * MiB + 8192, 4096}, {size - 1000, 1000}};
        Random rnd = new Random(32);
        try (var ch = Files.newByteChannel(img, StandardOpenOption.WRITE)) {
            for (long[] a : areas) {
                byte[] buf = new byte[(int) a[1]];
                rnd.nextBytes(buf);
                ch.position(a[0]);
                ch.write(ByteBuffer.wrap(buf));
            }
        }
        Path areasFile = dir.resolve("changed.txt");
        StringBuilder sb = new StringBuilder("# offset length\n");
        for (long[] a : areas) {
            sb.append(a[0]).append(' ').append(a[1]).append('\n');
        }
        Files.writeString(areasFile, sb);

        Cairn.Result inc = cairn.run(Cairn.backupArgs(repo, img, "--changed-areas", areasFile.toString()))
                .ok();
        String incId = Cairn.backupId(inc);
        JsonNode list =
                cairn.run("list", "--repo", repo.toString(), "--json").ok().json();
        assertEquals(2, list.size(), list::toPrettyString);
        assertEquals(full, list.get(0).get("id").asText());
        assertTrue(
                list.get(0).path("parent").isMissingNode()
                        || list.get(0).path("parent").isNull(),
                list::toPrettyString);
        assertEquals(incId, list.get(1).get("id").asText());
        assertEquals(
                full,
                list.get(1).path("parent").asText(),
                () -> "the incremental must name its parent\n" + list.toPrettyString());
        // Only the chunks around the three areas are read again (content-defined chunks: from the
        // boundary before each area until the old and new boundaries meet), the rest is copied.
        JsonNode stats = list.get(1).get("disks").get(0).get("stats");
        long read = stats.get("readChunks").asLong();
        long total = stats.get("chunks").asLong();
        assertTrue(
                inc.out().contains(read + " of " + total + " chunks read"),
                () -> "the summary counts the chunks read\n" + inc.describe());
        assertTrue(
                read >= 3 && read <= total / 3,
                () -> "only the chunks around the 3 changed areas should be read, not " + read + " of " + total + "\n"
                        + inc.describe());

        cairn.assertRestoresExactly(repo, incId, img, dir);
    }

    /**
     * --changed-areas lists what changed since the VM's latest backup. When that backup's manifest
     * cannot be read, cairn may refuse or read everything, but it must never combine the areas with
     * an older backup and commit a backup that restores to something the disk never held.
     */
    @Test
    void incrementalAfterAnUnreadableLatestBackup() throws IOException {
        Path repo = dir.resolve("repo");
        cairn.init(repo);
        Path img = dir.resolve("vm2.img");
        Util.mixedImage(img, 16L * MiB, 71);
        String first = cairn.backup(repo, img);

        Path areaX = dir.resolve("x.txt");
        overwrite(img, 2L * MiB, MiB, 72);
        Files.writeString(areaX, (2L * MiB) + " " + MiB + "\n");
        String second = Cairn.backupId(cairn.run(Cairn.backupArgs(repo, img, "--changed-areas", areaX.toString()))
                .ok());

        // The second backup's manifest gets damaged; then the disk changes again elsewhere.
        Path manifest = onlyFile(repo.resolve("backups"), second + "/manifest");
        try (var ch = Files.newByteChannel(manifest, StandardOpenOption.WRITE)) {
            ch.truncate(Files.size(manifest) / 2);
        }
        Path areaY = dir.resolve("y.txt");
        overwrite(img, 9L * MiB, MiB, 73);
        Files.writeString(areaY, (9L * MiB) + " " + MiB + "\n");

        Cairn.Result third = cairn.run(Cairn.backupArgs(repo, img, "--changed-areas", areaY.toString()));
        if (third.exit() == 0) {
            String id = Cairn.backupId(third);
            Path restored = cairn.restore(repo, id, dir, "vm2.img");
            assertEquals(
                    Util.sha256(img),
                    Util.sha256(restored),
                    () -> "backup " + id + " was committed but does not restore the disk it backed up: the changed "
                            + "areas (relative to " + second + ", unreadable) were applied to " + first + "\n"
                            + third.describe());
        } else {
            third.expectFailure(1, "backup", second);
        }
    }

    private static void overwrite(Path img, long offset, int len, long seed) throws IOException {
        byte[] buf = new byte[len];
        new Random(seed).nextBytes(buf);
        try (var ch = Files.newByteChannel(img, StandardOpenOption.WRITE)) {
            ch.position(offset);
            ch.write(ByteBuffer.wrap(buf));
        }
    }

    @Test
    void sourceThatGrowsDuringTheBackup() throws Exception {
        Path repo = dir.resolve("repo");
        cairn.init(repo);
        Path img = dir.resolve("growing.img");
        Util.randomFile(img, 128L * MiB, 41);
        long before = Files.size(img);

        Cairn.Running backup = cairn.start(Cairn.backupArgs(repo, img));
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong appended = new AtomicLong();
        Thread appender = new Thread(
                () -> {
                    byte[] block = new byte[64 * 1024];
                    new Random(42).nextBytes(block);
                    try (OutputStream out = Files.newOutputStream(img, StandardOpenOption.APPEND)) {
                        while (!stop.get() && backup.isAlive()) {
                            out.write(block);
                            out.flush();
                            appended.addAndGet(block.length);
                            Thread.sleep(20);
                        }
                    } catch (IOException | InterruptedException e) {
                        throw new RuntimeException(e);
                    }
                },
                "appender");
        appender.start();
        Cairn.Result r;
        try {
            r = backup.await();
        } finally {
            stop.set(true);
            appender.join();
        }
        assertTrue(appended.get() > 0);
        assertEquals(before + appended.get(), Files.size(img));
        r.expectFailure(1, "backup", "changed");
        assertEquals(List.of(), cairn.listIds(repo), "nothing may be committed from a changing source");
        assertEquals(List.of(), Util.files(repo.resolve("locks")), "the lock must be released");
    }

    // ---- damage ----

    @Test
    void corruptedChunkIsReportedWithBackupAndByteRange() throws IOException {
        Path repo = dir.resolve("repo");
        cairn.init(repo);
        Path img = dir.resolve("data.img");
        Util.randomFile(img, 16L * MiB, 51); // distinct incompressible chunks
        String id = cairn.backup(repo, img);

        Path indexFile = onlyFile(repo.resolve("backups"), "disk0.vidx");
        io.cairn.repository.index.DiskIndex index =
                io.cairn.repository.index.DiskIndex.parse(Files.readAllBytes(indexFile), indexFile.toString());
        List<String> chunks = Util.files(repo.resolve("chunks"));
        assertEquals(index.count(), chunks.size(), chunks::toString);
        assertTrue(chunks.size() >= 4, chunks::toString);
        String victim = chunks.get(new Random().nextInt(chunks.size()));
        String victimHex = Path.of(victim).getFileName().toString();
        int entry = entryOf(index, victimHex);
        assertTrue(entry >= 0, "chunk " + victimHex + " is not in the index");

        Path victimFile = repo.resolve("chunks").resolve(victim);
        try (RandomAccessFile f = new RandomAccessFile(victimFile.toFile(), "rw")) {
            f.seek(16 + 4321);
            int b = f.read();
            f.seek(16 + 4321);
            f.write(b ^ 0x20);
        }

        Cairn.Result check =
                cairn.run("check", "--repo", repo.toString(), "--read-data").expectExit(1);
        String range = "bytes " + index.offset(entry) + "-" + (index.offset(entry) + index.length(entry) - 1);
        assertTrue(
                check.out().contains(victimHex.substring(0, 16)),
                () -> "check should name the chunk\n" + check.describe());
        assertTrue(
                Pattern.compile("affects backup " + id + " .*" + Pattern.quote(range))
                        .matcher(check.out())
                        .find(),
                () -> "check should name backup " + id + " and '" + range + "'\n" + check.describe());
        assertTrue(check.out().contains("1 error"), check::describe);

        Path to = dir.resolve("to");
        cairn.run("restore", "--repo", repo.toString(), id, "--to", to.toString())
                .expectFailure(1, "restore", victimHex);
        assertEquals(List.of(), Util.files(to), "a failed restore must not leave a file that looks finished");
    }

    @Test
    void truncatedManifest() throws IOException {
        Path repo = dir.resolve("repo");
        cairn.init(repo);
        Path a = dir.resolve("alpha.img");
        Path b = dir.resolve("beta.img");
        Util.mixedImage(a, 8L * MiB, 61);
        Util.mixedImage(b, 8L * MiB, 62);
        String ida = cairn.backup(repo, a);
        String idb = cairn.backup(repo, b);

        Path manifest = onlyFile(repo.resolve("backups"), idb + "/manifest");
        long len = Files.size(manifest);
        try (var ch = Files.newByteChannel(manifest, StandardOpenOption.WRITE)) {
            ch.truncate(len / 2);
        }

        Cairn.Result list = cairn.run("list", "--repo", repo.toString()).expectExit(1);
        assertTrue(list.out().contains(ida), () -> "the readable backup must still be listed\n" + list.describe());
        assertFalse(list.out().contains(idb), list::describe);
        assertTrue(
                list.err().contains("warning") && list.err().contains(idb),
                () -> "list must warn about the unreadable manifest by name\n" + list.describe());

        cairn.assertRestoresExactly(repo, "alpha@latest", a, dir);
        Cairn.Result gc = cairn.run("gc", "--repo", repo.toString(), "--safety-margin", "0s")
                .expectFailure(1, "gc", "refuses", idb);
        assertTrue(Files.exists(manifest), gc::describe);
    }

    /** The one file under {@code root} whose path ends with {@code suffix}. */
    private static Path onlyFile(Path root, String suffix) throws IOException {
        List<Path> hits = new ArrayList<>();
        for (String f : Util.files(root)) {
            if (f.endsWith(suffix)) {
                hits.add(root.resolve(f));
            }
        }
        assertEquals(1, hits.size(), "files ending with " + suffix + ": " + hits);
        return hits.get(0);
    }

    /** The entry of an index that holds chunk id {@code hex}, or -1. */
    private static int entryOf(io.cairn.repository.index.DiskIndex index, String hex) {
        for (int i = 0; i < index.count(); i++) {
            if (index.id(i).hex().equals(hex)) {
                return i;
            }
        }
        return -1;
    }
}
