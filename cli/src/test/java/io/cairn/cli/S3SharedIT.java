package io.cairn.cli;

import static io.cairn.cli.Util.MiB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.s3.testing.Rgw;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several appliances on one bucket: two cairn processes back up, each through its own gateway of
 * one Ceph cluster, while a third prunes and garbage-collects (with no safety margin and no renewal
 * slack, so gc deletes whatever the locks let it). Afterwards every kept backup restores bit for bit
 * and {@code check --read-data} finds nothing wrong.
 */
@DisplayName("two writers and a gc on one bucket, through two gateways")
class S3SharedIT {
    @TempDir
    static Path dir;

    static Rgw rgw;
    static final Cairn cairn = new Cairn();

    @BeforeAll
    static void cluster() throws Exception {
        rgw = Rgw.shared();
    }

    @AfterAll
    static void close() {
        cairn.close();
    }

    static Map<String, String> env(String endpoint) {
        Map<String, String> e = new HashMap<>(rgw.env());
        e.put("CAIRN_S3_ENDPOINT", endpoint);
        e.put("XDG_CACHE_HOME", dir.resolve("cache-" + endpoint.hashCode()).toString());
        return e;
    }

    /** A new version of a disk: 4 MiB of fresh random bytes at each of 3 random places. */
    static void change(Path img, Random rnd) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
            byte[] block = new byte[4 * (int) MiB];
            for (int i = 0; i < 3; i++) {
                rnd.nextBytes(block);
                f.seek((long) rnd.nextInt((int) (f.length() / MiB) - 4) * MiB);
                f.write(block);
            }
        }
    }

    @Test
    @DisplayName("every backup the rules keep restores exactly, and check --read-data is clean")
    void writersAndGc() throws Exception {
        String repo = "s3://shared-" + Long.toHexString(System.nanoTime()) + "/appliances";
        cairn.run(env(rgw.endpoint().toString()), "init", "--repo", repo).ok();
        Map<String, String> shaOf = new ConcurrentHashMap<>(); // backup id -> SHA-256 of the disk it saw
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicLong deleted = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<List<String>>> writers = new ArrayList<>();
            for (int w = 0; w < 2; w++) {
                String endpoint = (w == 0 ? rgw.endpoint() : rgw.endpoint2()).toString();
                Path img = dir.resolve("vm" + w + ".img");
                Util.randomFile(img, 40 * MiB, 100 + w);
                Random rnd = new Random(200 + w);
                writers.add(pool.submit(() -> {
                    List<String> mine = new ArrayList<>();
                    for (int round = 0; round < 4; round++) {
                        change(img, rnd);
                        String sha = Util.sha256(img);
                        Cairn.Result r = cairn.run(
                                        env(endpoint),
                                        "backup",
                                        "--repo",
                                        repo,
                                        "--lock-wait",
                                        "10m",
                                        "--vm",
                                        "file:" + img)
                                .ok();
                        String id = Cairn.backupId(r);
                        shaOf.put(id, sha);
                        mine.add(id);
                    }
                    return mine;
                }));
            }
            Future<Integer> collector = pool.submit(() -> {
                int runs = 0;
                Pattern p = Pattern.compile("deleted (\\d+) unused chunks");
                while (writing.get() || runs == 0) {
                    Map<String, String> e = env((runs % 2 == 0 ? rgw.endpoint2() : rgw.endpoint()).toString());
                    cairn.run(e, "prune", "--repo", repo, "--keep-last", "2", "--lock-wait", "10m")
                            .ok();
                    Cairn.Result gc = cairn.run(
                                    e,
                                    "gc",
                                    "--repo",
                                    repo,
                                    "--safety-margin",
                                    "0s",
                                    "--s3-renew-after",
                                    "0s",
                                    "--lock-wait",
                                    "10m")
                            .ok();
                    Matcher m = p.matcher(gc.out());
                    assertTrue(m.find(), gc.describe());
                    deleted.addAndGet(Long.parseLong(m.group(1)));
                    runs++;
                }
                return runs;
            });
            List<String> all = new ArrayList<>();
            for (Future<List<String>> f : writers) {
                all.addAll(f.get());
            }
            writing.set(false);
            int gcRuns = collector.get();
            System.out.println("S3SharedIT: 8 backups by 2 writers, " + gcRuns + " prune+gc runs deleted "
                    + deleted.get() + " chunks");
            assertTrue(gcRuns >= 2, "gc ran " + gcRuns + " times");
        } finally {
            pool.shutdownNow();
        }
        // One more round after the writers: the rules leave the 2 newest of each VM, gc frees the rest.
        cairn.run(env(rgw.endpoint().toString()), "prune", "--repo", repo, "--keep-last", "2")
                .ok();
        Cairn.Result gc = cairn.run(
                        env(rgw.endpoint().toString()),
                        "gc",
                        "--repo",
                        repo,
                        "--safety-margin",
                        "0s",
                        "--s3-renew-after",
                        "0s")
                .ok();
        Matcher last = Pattern.compile("deleted (\\d+) unused chunks").matcher(gc.out());
        assertTrue(last.find(), gc.describe());
        // Two backups of each VM were pruned, and the later ones overwrote 24 MiB of what they
        // held at random places: gc must have freed some of it (23 to 40 chunks in the runs here).
        assertTrue(
                deleted.get() + Long.parseLong(last.group(1)) >= 12,
                "chunks gc deleted: " + deleted + " + " + gc.out());
        Cairn.Result check = cairn.run(env(rgw.endpoint2().toString()), "check", "--repo", repo, "--read-data")
                .ok();
        assertTrue(check.out().contains("no errors"), check.describe());
        List<String> kept = new ArrayList<>();
        cairn.run(env(rgw.endpoint().toString()), "list", "--repo", repo, "--json")
                .ok()
                .json()
                .forEach(n -> kept.add(n.get("id").asText()));
        assertEquals(4, kept.size(), "two VMs, two backups each: " + kept);
        for (String id : kept) {
            Path to = Files.createTempDirectory(dir, "restore-");
            cairn.run(env(rgw.endpoint2().toString()), "restore", "--repo", repo, id, "--to", to.toString())
                    .ok();
            try (var files = Files.list(to)) {
                Path img = files.findFirst().orElseThrow();
                assertEquals(shaOf.get(id), Util.sha256(img), "backup " + id + " restores exactly");
            }
            Util.deleteTree(to);
        }
    }
}
