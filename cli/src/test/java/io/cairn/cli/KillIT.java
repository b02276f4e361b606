package io.cairn.cli;

import static io.cairn.cli.Util.MiB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 at random moments: whatever the moment, the repository checks clean, lists exactly the
 * backups whose manifest was written, and every listed backup restores bit for bit. The random seed
 * is printed so that a failing schedule can be replayed with -Dkill.seed=N.
 */
class KillIT {
    @TempDir
    Path dir;

    private Cairn cairn;
    private Random rnd;

    @BeforeEach
    void start() {
        cairn = new Cairn();
        long seed = Long.getLong("kill.seed", System.nanoTime());
        System.out.println("KillIT seed " + seed + " (replay with -Dkill.seed=" + seed + ")");
        rnd = new Random(seed);
    }

    @AfterEach
    void stop() {
        cairn.close();
    }

    @Test
    void killDuringBackup() throws Exception {
        Path a = dir.resolve("vmA.img");
        Path b = dir.resolve("vmB.img");
        Util.ext4Image(a, 64, 24, 16, 101);
        Util.ext4Image(b, 256, 160, 32, 102);

        // How long an uninterrupted backup of B takes, JVM start included, in a scratch repository;
        // and for how much of that it holds its lock (the time it works on the repository).
        Path scratch = dir.resolve("scratch");
        cairn.init(scratch);
        Timing t = timed(scratch, Cairn.backupArgs(scratch, b), () -> hasLock(scratch));
        long full = t.totalMs;
        Util.deleteTree(scratch);
        System.out.println(
                "uninterrupted backup of vmB: " + full + " ms, " + t.windowMicros / 1000 + " ms of it with its lock");

        Path repo = dir.resolve("repo");
        cairn.init(repo);
        String idA = cairn.backup(repo, a);
        Set<String> committed = new LinkedHashSet<>(List.of(idA));

        int rounds = 5;
        int maxExtra = 2;
        int killedAtWork = 0; // kills that left a lock file: the backup was working on the repository
        boolean gcMetADeadLock = false;
        boolean gcFirst = true; // alternates among rounds that leave a lock behind
        for (int k = 0; k < rounds + maxExtra; k++) {
            Cairn.Running p;
            String when;
            // Each round backs up a changed disk, so that every round writes new chunks rather than
            // finding them stored by an earlier round that finished.
            stamp(b, k);
            if (k < rounds) {
                // Stratified: round k kills somewhere in the k-th fifth of [100 ms, full].
                long delay = 100 + (long) ((full - 100) * (k + rnd.nextDouble()) / rounds);
                p = cairn.start(Cairn.backupArgs(repo, b));
                p.process.waitFor(delay, TimeUnit.MILLISECONDS);
                when = "round " + k + ": kill after " + delay + " ms";
            } else if (killedAtWork < 2) {
                // Too few kills landed while the backup worked (JVM start-up is a good part of
                // [100 ms, full]): aim one more at a random moment while it holds its lock.
                p = cairn.start(Cairn.backupArgs(repo, b));
                while (p.isAlive() && locksOf(repo, p.pid()).isEmpty()) {
                    Thread.sleep(0, 200_000);
                }
                long delay = (long) (rnd.nextDouble() * t.windowMicros / 1000);
                p.process.waitFor(delay, TimeUnit.MILLISECONDS);
                when = "extra round " + k + ": kill " + delay + " ms after its lock appeared";
            } else {
                break;
            }
            boolean finished = !p.isAlive();
            Cairn.Result r = finished ? p.await() : p.kill();
            List<String> deadLocks = locksOf(repo, p.pid());
            String what = when + (finished ? " (but it had finished)" : "") + "; its lock files: " + deadLocks;
            System.out.println(what);
            if (finished) {
                committed.add(Cairn.backupId(r.ok()));
                full = Math.min(full, r.millis()); // also an uninterrupted backup: aim the next kills better
            }

            boolean gcNow = !deadLocks.isEmpty() && gcFirst;
            if (!deadLocks.isEmpty()) {
                gcFirst = !gcFirst;
                killedAtWork++;
            }
            if (gcNow) {
                // The dead backup's lock must not block the exclusive lock: its pid is gone.
                Cairn.Result gc = cairn.run("gc", "--repo", repo.toString(), "--safety-margin", "0s")
                        .ok();
                assertTrue(
                        gc.out().contains("removed " + deadLocks.size() + " stale lock"),
                        () -> what + ": gc should report the dead process's lock as stale\n" + gc.describe());
                assertEquals(List.of(), locksOf(repo, p.pid()), what + ": stale lock left behind by gc");
                gcMetADeadLock = true;
            }

            // Check runs on the state the kill left (unless gc ran first): it may note leftovers, no errors.
            Cairn.Result check =
                    cairn.run("check", "--repo", repo.toString(), "--read-data").ok();
            assertTrue(check.out().contains("no errors"), () -> what + "\n" + check.describe());

            List<String> listed = cairn.listIds(repo);
            Set<String> extra = new HashSet<>(listed);
            extra.removeAll(committed);
            assertTrue(listed.containsAll(committed), what + ": committed backups missing from " + listed);
            assertTrue(extra.size() <= (finished ? 0 : 1), what + ": unexpected backups listed: " + extra);
            for (String id : extra) {
                // Killed after its manifest was written: then it must be complete.
                System.out.println(what + ": the killed backup " + id + " had committed");
                cairn.assertRestoresExactly(repo, id, b, dir);
                committed.add(id);
            }
            assertEquals(committed.size(), listed.size(), what + ": listed " + listed);
            assertTrue(
                    check.out().contains("checked " + committed.size() + " backups"),
                    () -> what + "\n" + check.describe());

            cairn.assertRestoresExactly(repo, idA, a, dir);
            if (!gcNow) {
                cairn.run("gc", "--repo", repo.toString(), "--safety-margin", "0s")
                        .ok();
            }
        }

        assertTrue(gcMetADeadLock, "no kill left a lock behind for gc to recognise as stale");
        Cairn.Result gc = cairn.run("gc", "--repo", repo.toString(), "--safety-margin", "0s")
                .ok();
        assertTrue(gc.out().contains(committed.size() + " backups reference"), gc::describe);
        Cairn.Result check =
                cairn.run("check", "--repo", repo.toString(), "--read-data").ok();
        assertTrue(check.out().contains("checked " + committed.size() + " backups"), check::describe);
        assertFalse(check.out().contains("note:"), () -> "gc should have removed every leftover\n" + check.describe());
        assertEquals(List.of(), Util.files(repo.resolve("locks")));
        assertEquals(List.of(), Util.files(repo.resolve("tmp")));
        assertEquals(new ArrayList<>(committed), cairn.listIds(repo));
        cairn.assertRestoresExactly(repo, idA, a, dir);
    }

    @Test
    void killDuringPruneAndGc() throws Exception {
        // Ten backups of one VM, each of a different image; prune --keep-last 2 removes eight.
        // Made two at a time: the order does not matter, list --json names each backup's source.
        Path pristine = dir.resolve("pristine");
        cairn.init(pristine);
        for (int i = 0; i < 10; i += 2) {
            List<Cairn.Running> pair = new ArrayList<>();
            for (int j = i; j < i + 2; j++) {
                Path img = dir.resolve("fleet" + j + ".img");
                Util.mixedImage(img, 8L * MiB, 200 + j);
                pair.add(cairn.start(Cairn.backupArgs(pristine, img, "--name", "fleet")));
            }
            for (Cairn.Running r : pair) {
                r.await().ok();
            }
        }
        Map<String, Path> sourceOf = new LinkedHashMap<>();
        for (JsonNode n :
                cairn.run("list", "--repo", pristine.toString(), "--json").ok().json()) {
            sourceOf.put(n.get("id").asText(), Path.of(n.get("source").asText().substring("file:".length())));
        }
        List<String> ids = new ArrayList<>(sourceOf.keySet()); // oldest first
        assertEquals(10, ids.size(), ids::toString);
        List<String> keep = ids.subList(8, 10);
        String[] prune = {"prune", "--repo", "REPO", "--keep-last", "2"};
        String[] gc = {"gc", "--repo", "REPO", "--safety-margin", "0s"};

        // A pruned copy: the starting point for gc, with eight backups' chunks to delete. Both runs
        // also measure how long the command deletes (from its first deletion until it releases its
        // lock): most of its run is JVM start-up and reading, the kills aim at the deleting.
        Path pruned = dir.resolve("pruned");
        Util.copyTree(pristine, pruned);
        long pruneWindow = timed(pruned, with(prune, pruned), fewerManifests(pruned, 10)).windowMicros;
        assertEquals(keep, cairn.listIds(pruned));
        int chunkFiles = Util.files(pruned.resolve("chunks")).size();
        Path measured = dir.resolve("measured");
        Util.copyTree(pruned, measured);
        long gcWindow = timed(measured, with(gc, measured), fewerChunks(measured, chunkFiles)).windowMicros;
        Util.deleteTree(measured);
        System.out.println("prune deletes for " + pruneWindow + " µs, gc for " + gcWindow + " µs");

        for (int k = 0; k < 2; k++) {
            Path repo = dir.resolve("prune-" + k);
            Util.copyTree(pristine, repo);
            Kill kill = killDuring(with(prune, repo), fewerManifests(repo, 10), pruneWindow);
            String what = "prune " + kill;
            System.out.println(what);
            Cairn.Result check =
                    cairn.run("check", "--repo", repo.toString(), "--read-data").ok();
            List<String> listed = cairn.listIds(repo);
            System.out.println(what + ": " + listed.size() + " of 10 backups listed afterwards, check notes: "
                    + check.out().lines().filter(l -> l.startsWith("note:")).toList());
            assertTrue(
                    check.out().contains("checked " + listed.size() + " backups"),
                    () -> what + "\n" + check.describe());
            assertTrue(ids.containsAll(listed), what + ": listed " + listed);
            assertTrue(listed.containsAll(keep), what + ": prune removed a backup it keeps: " + listed);
            if (kill.finished) {
                assertEquals(keep, listed, what);
            }
            // check --read-data has verified every listed backup's manifest, indexes and chunks;
            // restore the two kept ones and the oldest listed one still due for removal (the one
            // prune was working on or about to start), and compare them with their sources.
            List<String> restore = new ArrayList<>(keep);
            listed.stream().filter(id -> !keep.contains(id)).findFirst().ifPresent(restore::add);
            for (String id : restore) {
                cairn.assertRestoresExactly(repo, id, sourceOf.get(id), dir);
            }
            Util.deleteTree(repo);
        }

        for (int k = 0; k < 2; k++) {
            Path repo = dir.resolve("gc-" + k);
            Util.copyTree(pruned, repo);
            Kill kill = killDuring(with(gc, repo), fewerChunks(repo, chunkFiles), gcWindow);
            String what = "gc " + kill;
            System.out.println(what);
            // A dead gc's exclusive lock must not block the shared locks of check and restore.
            Cairn.Result check =
                    cairn.run("check", "--repo", repo.toString(), "--read-data").ok();
            assertTrue(
                    check.out().contains("checked 2 backups") && check.out().contains("no errors"),
                    () -> what + "\n" + check.describe());
            assertEquals(keep, cairn.listIds(repo), what);
            System.out.println(what + ": " + Util.files(repo.resolve("chunks")).size() + " of " + chunkFiles
                    + " chunk files left");
            // gc can finish the job: exactly the chunks no kept backup references are gone.
            cairn.run(with(gc, repo)).ok();
            assertEquals(
                    chunkFiles - countGarbage(pruned, keep),
                    Util.files(repo.resolve("chunks")).size(),
                    what + ": chunks left after a completed gc");
            for (String id : keep) {
                cairn.assertRestoresExactly(repo, id, sourceOf.get(id), dir);
            }
            Util.deleteTree(repo);
        }
    }

    /** Writes {@code round} into the first 8 bytes of every MiB of the image that is not all zeros. */
    private static void stamp(Path img, int round) throws IOException {
        try (FileChannel ch = FileChannel.open(img, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer buf = ByteBuffer.allocate(MiB);
            for (long off = 0; off < ch.size(); off += MiB) {
                buf.clear();
                ch.read(buf, off);
                buf.flip();
                boolean zero = true;
                while (zero && buf.hasRemaining()) {
                    zero = buf.get() == 0;
                }
                if (!zero) {
                    ch.write(ByteBuffer.allocate(8).putLong(0, 0x6b696c6c00000000L | round), off);
                }
            }
        }
    }

    /** Chunks of {@code repo} that no backup in {@code keep} references (read from their indexes). */
    private static int countGarbage(Path repo, List<String> keep) throws IOException {
        Set<String> live = new HashSet<>();
        for (String f : Util.files(repo.resolve("backups"))) {
            if ((f.endsWith(".fidx") || f.endsWith(".vidx"))
                    && keep.stream().anyMatch(id -> f.contains("/" + id + "/"))) {
                // either index kind (v1 fixed, v2 variable), parsed by the repository's own reader
                io.cairn.repository.index.DiskIndex idx = io.cairn.repository.index.DiskIndex.parse(
                        Files.readAllBytes(repo.resolve("backups").resolve(f)), f);
                for (int i = 0; i < idx.count(); i++) {
                    if (!idx.isZero(i)) {
                        live.add(idx.id(i).hex());
                    }
                }
            }
        }
        int garbage = 0;
        for (String c : Util.files(repo.resolve("chunks"))) {
            if (!live.contains(Path.of(c).getFileName().toString())) {
                garbage++;
            }
        }
        return garbage;
    }

    private static String[] with(String[] template, Path repo) {
        String[] a = template.clone();
        for (int i = 0; i < a.length; i++) {
            if (a[i].equals("REPO")) {
                a[i] = repo.toString();
            }
        }
        return a;
    }

    /** Lock files under repo/locks whose pid is {@code pid}. */
    private static List<String> locksOf(Path repo, long pid) throws IOException {
        List<String> out = new ArrayList<>();
        for (String f : Util.files(repo.resolve("locks"))) {
            try {
                JsonNode n =
                        Cairn.JSON.readTree(repo.resolve("locks").resolve(f).toFile());
                if (n.path("pid").asLong() == pid) {
                    out.add(f);
                }
            } catch (IOException e) {
                out.add(f + " (unreadable: " + e.getMessage() + ")");
            }
        }
        return out;
    }

    private static boolean hasLock(Path repo) {
        try (var s = Files.list(repo.resolve("locks"))) {
            return s.findAny().isPresent();
        } catch (IOException e) {
            return false; // locks/ not created yet
        }
    }

    /** Something a test watches for in a repository while a command runs. */
    @FunctionalInterface
    interface Probe {
        boolean test() throws IOException;
    }

    /** How long a command ran, and how long its work window lasted (from {@code begun} to its lock's release). */
    record Timing(long totalMs, long windowMicros) {}

    /** Runs a command to completion (it must succeed) and times its window. */
    private Timing timed(Path repo, String[] args, Probe begun) throws IOException {
        Cairn.Running p = cairn.start(args);
        long seen = -1;
        long gone = -1;
        while (p.isAlive()) {
            if (seen < 0 && begun.test()) {
                seen = System.nanoTime();
            } else if (seen >= 0 && gone < 0 && !hasLock(repo)) {
                gone = System.nanoTime();
            }
        }
        long total = p.await().ok().millis();
        if (seen < 0) {
            return new Timing(total, 1);
        }
        return new Timing(total, Math.max(1, ((gone < 0 ? System.nanoTime() : gone) - seen) / 1000));
    }

    record Kill(boolean finished, boolean begun, long delayMicros, Cairn.Result result) {
        @Override
        public String toString() {
            return (finished ? "finished before the kill" : "killed " + delayMicros + " µs after it began deleting")
                    + (begun ? "" : " (never seen deleting)");
        }
    }

    /**
     * Starts a command and kills it with SIGKILL at a random moment of its work: once {@code begun}
     * holds, after a random delay of 0 to {@code windowMicros}.
     */
    private Kill killDuring(String[] args, Probe begun, long windowMicros) throws IOException {
        Cairn.Running p = cairn.start(args);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        boolean seen = false;
        while (p.isAlive() && !(seen = begun.test()) && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        long delay = (long) (rnd.nextDouble() * windowMicros);
        long until = System.nanoTime() + delay * 1000;
        while (p.isAlive() && System.nanoTime() < until) {
            Thread.onSpinWait();
        }
        boolean finished = !p.isAlive();
        Cairn.Result r = finished ? p.await().ok() : p.kill();
        return new Kill(finished, seen, delay, r);
    }

    /** True once fewer than {@code n} manifests exist: prune has deleted one. */
    private static Probe fewerManifests(Path repo, int n) {
        return () -> Util.countWhileChanging(repo.resolve("backups"), "manifest") < n;
    }

    /** True once fewer than {@code n} chunk files exist: gc has deleted one. */
    private static Probe fewerChunks(Path repo, int n) {
        return () -> Util.countWhileChanging(repo.resolve("chunks"), "") < n;
    }
}
