package io.cairn.cli;

import static io.cairn.cli.Util.MiB;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A repository on a small tmpfs that a backup fills up. Needs root (mount); CI runs as root, so a
 * refused mount fails the test rather than skipping it.
 */
class DiskFullIT {
    @TempDir
    Path dir;

    private Path mnt;
    private boolean mounted;
    private Cairn cairn;

    @BeforeEach
    void mountTmpfs() throws IOException {
        cairn = new Cairn();
        mnt = Files.createDirectory(dir.resolve("mnt"));
        Util.Cmd m = Util.exec("mount", "-t", "tmpfs", "-o", "size=40m", "tmpfs", mnt.toString());
        if (m.exit() != 0) {
            fail("DiskFullIT needs to mount a 40 MiB tmpfs (run as root; CI does): 'mount -t tmpfs -o size=40m tmpfs "
                    + mnt + "' exited with " + m.exit() + ": " + m.output().strip());
        }
        mounted = true;
        assertTrue(Util.sh("findmnt", "-n", "-o", "FSTYPE", mnt.toString()).contains("tmpfs"), "not a tmpfs: " + mnt);
    }

    @AfterEach
    void unmount() {
        cairn.close();
        if (mounted) {
            Util.Cmd u = Util.exec("umount", mnt.toString());
            if (u.exit() != 0) {
                Util.exec("umount", "-l", mnt.toString());
                fail("umount " + mnt + " failed: " + u.output().strip());
            }
        }
    }

    @Test
    void backupThatDoesNotFit() throws IOException {
        Path repo = mnt.resolve("repo");
        Path small = dir.resolve("small.img");
        Path big = dir.resolve("big.img");
        Util.randomFile(small, 8L * MiB, 1);
        Util.randomFile(big, 64L * MiB, 2);
        cairn.init(repo);
        String id = cairn.backup(repo, small);
        long usedAfterFirst = Util.duKiB(repo);

        cairn.run(Cairn.backupArgs(repo, big)).expectFailure(1, "backup", "No space left on device");
        long usedAfterFailure = Util.duKiB(repo);
        assertTrue(
                usedAfterFailure > usedAfterFirst + 16 * 1024,
                "the failed backup should have left chunks behind (" + usedAfterFirst + " KiB -> " + usedAfterFailure
                        + " KiB)");
        assertEquals(List.of(), Util.files(repo.resolve("locks")), "the failed backup must release its lock");
        assertEquals(List.of(), Util.files(repo.resolve("tmp")), "the failed backup must remove its partial write");

        assertEquals(List.of(id), cairn.listIds(repo), "only the first backup is committed");
        Cairn.Result check =
                cairn.run("check", "--repo", repo.toString(), "--read-data").ok();
        assertTrue(check.out().contains("checked 1 backups") && check.out().contains("no errors"), check::describe);
        cairn.assertRestoresExactly(repo, id, small, dir);

        Cairn.Result gc = cairn.run("gc", "--repo", repo.toString(), "--safety-margin", "0s")
                .ok();
        Matcher m = Pattern.compile("deleted (\\d+) unused chunks").matcher(gc.out());
        assertTrue(
                m.find() && Long.parseLong(m.group(1)) >= 16, () -> "gc should delete the leftovers\n" + gc.describe());
        long usedAfterGc = Util.duKiB(repo);
        assertTrue(
                usedAfterGc <= usedAfterFirst + 64,
                "gc should bring usage back to " + usedAfterFirst + " KiB, not " + usedAfterGc + " KiB");
        Cairn.Result after =
                cairn.run("check", "--repo", repo.toString(), "--read-data").ok();
        assertTrue(after.out().contains("checked 1 backups") && after.out().contains("no errors"), after::describe);
        assertFalse(after.out().contains("note:"), () -> "gc should leave nothing to note\n" + after.describe());

        // With the space back, the repository takes backups again.
        Path next = dir.resolve("next.img");
        Util.randomFile(next, 8L * MiB, 3);
        cairn.backup(repo, next);
    }

    /**
     * The strict form of "no free space is needed": after the failed backup, something else takes the
     * last free bytes of the file system. Reading (list, check, restore) and gc, the command that frees
     * space, must still work.
     */
    @Test
    void readingAndGcNeedNoFreeSpace() throws IOException {
        Path repo = mnt.resolve("repo");
        Path small = dir.resolve("small.img");
        Path big = dir.resolve("big.img");
        Util.randomFile(small, 8L * MiB, 1);
        Util.randomFile(big, 64L * MiB, 2);
        cairn.init(repo);
        String id = cairn.backup(repo, small);
        long usedAfterFirst = Util.duKiB(repo);
        cairn.run(Cairn.backupArgs(repo, big)).expectFailure(1, "backup", "No space left on device");

        fillUp(mnt.resolve("filler"));
        assertEquals(
                "0",
                Util.sh("df", "--output=avail", "-B1", mnt.toString())
                        .lines()
                        .skip(1)
                        .findFirst()
                        .orElse("")
                        .strip(),
                "the file system should be full");

        // Each step on its own, so that a failure report names every command that needs space.
        assertAll(
                () -> assertEquals(List.of(id), cairn.listIds(repo)),
                () -> cairn.run("check", "--repo", repo.toString(), "--read-data")
                        .ok(),
                () -> cairn.assertRestoresExactly(repo, id, small, dir),
                () -> {
                    cairn.run("gc", "--repo", repo.toString(), "--safety-margin", "0s")
                            .ok();
                    assertTrue(Util.duKiB(repo) <= usedAfterFirst + 64, "gc should free the leftovers");
                });
    }

    /** Writes zeros into {@code f} until the file system refuses. */
    private static void fillUp(Path f) throws IOException {
        byte[] buf = new byte[4096];
        try (OutputStream out = Files.newOutputStream(f)) {
            while (true) {
                out.write(buf);
            }
        } catch (IOException e) {
            if (!String.valueOf(e.getMessage()).contains("No space left on device")) {
                throw e;
            }
        }
    }
}
