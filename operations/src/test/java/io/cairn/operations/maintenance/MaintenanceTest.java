package io.cairn.operations.maintenance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.operations.Images;
import io.cairn.operations.backup.BackupResult;
import io.cairn.operations.backup.FileBackup;
import io.cairn.operations.job.Job;
import io.cairn.operations.roots.SourceRoots;
import io.cairn.repository.Repository;
import io.cairn.repository.maintenance.RetentionPolicy;
import io.cairn.repository.store.LocalStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Check, prune and gc over a real repository: their results and the one line each reports. */
class MaintenanceTest {
    @TempDir
    Path dir;

    private Repository repoWithTwoBackups(Path img) throws Exception {
        Repository repo = Repository.init(new LocalStore(dir.resolve("repo")), 256 << 10, 1, null);
        Images.random(img, 2, 1);
        backup(repo, img);
        Images.random(img, 2, 2); // different content: the first backup's chunks become unused once it goes
        backup(repo, img);
        return repo;
    }

    private static BackupResult backup(Repository repo, Path img) throws Exception {
        return new FileBackup(repo, 2, Duration.ZERO, SourceRoots.unconfined())
                .run(FileBackup.Request.of(img, Map.of()), job("backup"));
    }

    private static Job job(String kind) {
        Job j = Job.create(kind, "repository");
        j.start();
        return j;
    }

    @Test
    @DisplayName("check reads every chunk and says so; a damaged chunk is an error with what it affects")
    void check() throws Exception {
        Repository repo = repoWithTwoBackups(dir.resolve("web01.img"));
        Check.Result ok = new Check(repo, 2, Duration.ZERO).run(true, job("check"));
        assertTrue(ok.ok());
        assertTrue(
                ok.summary().matches("checked 2 backups, read \\d+ chunks \\([0-9.]+ MiB\\): no errors"), ok.summary());
        Path chunk;
        try (var s = Files.walk(dir.resolve("repo").resolve("chunks"))) {
            chunk = s.filter(Files::isRegularFile).findFirst().orElseThrow();
        }
        byte[] b = Files.readAllBytes(chunk);
        b[b.length / 2] ^= 1;
        Files.write(chunk, b);
        Check.Result bad = new Check(repo, 2, Duration.ZERO).run(true, job("check"));
        assertFalse(bad.ok());
        assertTrue(bad.summary().endsWith(": 1 error"), bad.summary());
        assertTrue(
                bad.details().stream().anyMatch(l -> l.startsWith("error: ")),
                bad.details().toString());
        assertTrue(
                bad.details().stream().anyMatch(l -> l.startsWith("chunk ") && l.contains(" affects ")),
                bad.details().toString());
    }

    @Test
    @DisplayName("prune keeps what the rules say (a dry run removes nothing), then gc frees the chunks")
    void pruneThenGc() throws Exception {
        Repository repo = repoWithTwoBackups(dir.resolve("web01.img"));
        Prune prune = new Prune(repo, Duration.ZERO, ZoneOffset.UTC);
        Prune.Result dry = prune.run(new Prune.Request(new RetentionPolicy(1, 0, 0, 0), true), job("prune"));
        assertEquals("1 kept, 1 would be removed", dry.summary());
        assertFalse(dry.gcWorthwhile());
        assertEquals(2, repo.backups().size());
        Prune.Result real = prune.run(new Prune.Request(new RetentionPolicy(1, 0, 0, 0), false), job("prune"));
        assertEquals("1 kept, 1 removed", real.summary());
        assertTrue(real.gcWorthwhile());
        assertEquals(1, repo.backups().size());
        Gc.Result gc = new Gc(repo, Duration.ZERO).run(Duration.ZERO, job("gc"));
        assertTrue(gc.report().chunksDeleted() > 0, gc.summary());
        assertTrue(
                gc.summary().matches("gc: 1 backups reference \\d+ chunks; deleted \\d+ unused chunks \\(.* MiB\\)"),
                gc.summary());
        assertTrue(new Check(repo, 2, Duration.ZERO).run(true, job("check")).ok());
    }

    @Test
    @DisplayName("retention after one VM's backup touches that VM only; a policy that keeps nothing is refused")
    void retentionOfOneVm() throws Exception {
        Repository repo = repoWithTwoBackups(dir.resolve("web01.img"));
        BackupResult other = backup(repo, Images.random(dir.resolve("db01.img"), 1, 3));
        backup(repo, dir.resolve("db01.img"));
        Prune.VmResult r = new Prune(repo, Duration.ZERO, ZoneOffset.UTC)
                .vm(other.manifest().vm().identity(), "db01", new RetentionPolicy(1, 0, 0, 0), job("backup"));
        assertEquals("retention kept 1, removed 1 (gc frees their space)", r.summary());
        assertEquals(
                2,
                repo.backups().stream()
                        .filter(l -> l.manifest().vm().name().equals("web01"))
                        .count(),
                "web01 keeps both");
        assertThrows(IllegalArgumentException.class, () -> new Prune.Request(new RetentionPolicy(0, 0, 0, 0), false));
    }
}
