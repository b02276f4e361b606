package io.cairn.cli;

import static io.cairn.cli.Util.MiB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.cairn.s3.S3Location;
import io.cairn.s3.S3Store;
import io.cairn.s3.testing.Rgw;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every command on a repository in a real Ceph RADOS Gateway (scripts/rgw), through the real
 * {@code cairn.jar}: init, backup, list, stats, check, restore, prune, gc, mount and serve; the
 * metadata cache; one-line errors for wrong credentials and a missing bucket; a deleted object named
 * by check; a gateway killed in the middle of a backup; Object Lock under prune and gc.
 */
@DisplayName("cairn on a real RADOS Gateway")
class S3CliIT {
    @TempDir
    static Path dir;

    static Rgw rgw;
    static final Cairn cairn = new Cairn();
    private static final SecureRandom RANDOM = new SecureRandom();

    @BeforeAll
    static void cluster() throws Exception {
        rgw = Rgw.shared();
    }

    @AfterAll
    static void close() {
        cairn.close();
    }

    /** The cluster's endpoint and key, and a metadata cache of this test's own. */
    static Map<String, String> env() {
        Map<String, String> e = new HashMap<>(rgw.env());
        e.put("XDG_CACHE_HOME", dir.resolve("cache").toString());
        return e;
    }

    static String bucketName(String purpose) {
        byte[] b = new byte[4];
        RANDOM.nextBytes(b);
        return purpose + "-" + HexFormat.of().formatHex(b);
    }

    static Cairn.Result run(String... args) {
        return cairn.run(env(), args);
    }

    static String backupId(Cairn.Result r) {
        return Cairn.backupId(r);
    }

    static List<String> ids(String repo) {
        List<String> ids = new ArrayList<>();
        run("list", "--repo", repo, "--json")
                .ok()
                .json()
                .forEach(n -> ids.add(n.get("id").asText()));
        return ids;
    }

    static void assertRestores(String repo, String backup, Path source) throws IOException {
        assertRestores(repo, backup, source, source.getFileName().toString());
    }

    /** Restores {@code backup} and compares the disk file {@code name} with {@code source}. */
    static void assertRestores(String repo, String backup, Path source, String name) throws IOException {
        Path to = Files.createTempDirectory(dir, "restore-");
        run("restore", "--repo", repo, backup, "--to", to.toString()).ok();
        Path img = to.resolve(name);
        assertEquals(Util.sha256(source), Util.sha256(img), "restore of " + backup + " from " + repo);
        Util.deleteTree(to);
    }

    static S3Store store(String repo) throws IOException {
        return S3Store.connect(S3Location.parse(repo), rgw.settings());
    }

    @Test
    @DisplayName("init, backup, list, stats, check, restore, prune, gc, mount and serve, all on s3://")
    void everyCommand() throws Exception {
        String bucket = bucketName("cli");
        String repo = "s3://" + bucket + "/main";
        Path img = dir.resolve("every.img");
        Util.mixedImage(img, 24 * MiB, 11);
        Path v1 = dir.resolve("every-v1.img");
        Files.copy(img, v1);

        Cairn.Result init = run("init", "--repo", repo).ok();
        assertTrue(init.out().contains("at " + repo), init.describe()); // the bucket was created
        String first =
                backupId(run("backup", "--repo", repo, "--vm", "file:" + img).ok());
        Util.mixedImage(img, 24 * MiB, 12);
        Cairn.Result second =
                run("backup", "--repo", repo, "--vm", "file:" + img).ok();
        String latest = backupId(second);
        assertEquals(List.of(first, latest), ids(repo));
        assertTrue(run("stats", "--repo", repo).ok().out().contains("backups            2 of 1 VMs"));
        assertTrue(run("check", "--repo", repo, "--read-data").ok().out().contains("no errors"));
        assertRestores(repo, first, v1, "every.img");
        assertRestores(repo, "every@latest", img);

        // The metadata cache: manifests and indexes, verified on use and rewritten when damaged.
        List<Path> cached;
        try (Stream<Path> s = Files.walk(dir.resolve("cache/cairn"))) {
            // this repository's cache only: the other tests' buckets have theirs beside it
            cached = s.filter(p -> p.getFileName().toString().equals("manifest"))
                    .filter(p -> dir.resolve("cache/cairn")
                            .relativize(p)
                            .getName(0)
                            .toString()
                            .startsWith("cli-"))
                    .toList();
        }
        assertEquals(2, cached.size(), "cached manifests: " + cached);
        byte[] good = Files.readAllBytes(cached.get(0));
        byte[] bad = good.clone();
        bad[bad.length - 1] ^= 1;
        Files.write(cached.get(0), bad);
        assertEquals(List.of(first, latest), ids(repo));
        assertTrue(java.util.Arrays.equals(good, Files.readAllBytes(cached.get(0))), "the damaged copy was rewritten");

        Cairn.Result prune = run("prune", "--repo", repo, "--keep-last", "1").ok();
        assertTrue(prune.out().contains("1 kept, 1 removed"), prune.describe());
        assertFalse(Files.exists(cached.get(0)) && Files.exists(cached.get(1)), "the pruned manifest's copy went");
        // The first version's own chunks were last used seconds ago: only without the renewal slack
        // (and a zero margin) are they old enough for gc.
        Cairn.Result keep = run("gc", "--repo", repo, "--safety-margin", "0s").ok();
        assertTrue(keep.out().contains("deleted 0 unused chunks"), keep.describe());
        Cairn.Result gc = run("gc", "--repo", repo, "--safety-margin", "0s", "--s3-renew-after", "0s")
                .ok();
        assertFalse(gc.out().contains("deleted 0 unused chunks"), gc.describe());
        assertTrue(run("check", "--repo", repo, "--read-data").ok().out().contains("no errors"));
        assertRestores(repo, latest, img);

        // mount: the disk through FUSE, byte for byte.
        Path mnt = Files.createDirectories(dir.resolve("mnt"));
        Cairn.Running mount = cairn.start(env(), "mount", "--repo", repo, mnt.toString());
        try {
            MountIT.awaitMounted(mnt, mount);
            Path flat = mnt.resolve("vms/every/latest/disks/every-flat.vmdk");
            assertEquals(Util.sha256(img), Util.sha256(flat));
        } finally {
            run("umount", mnt.toString()).ok();
            mount.await(60);
        }

        // serve: the web UI starts on the bucket and caches the metadata in its state directory.
        Path state = dir.resolve("state");
        Cairn.Running serve = cairn.start(env(), "serve", "--repo", repo, "--state", state.toString(), "--port", "0");
        try {
            awaitLine(serve, "cairn web UI on https://");
            try (Stream<Path> s = Files.walk(state.resolve("cache"))) {
                assertTrue(s.anyMatch(p -> p.getFileName().toString().equals("manifest")), "serve's cache");
            }
        } finally {
            serve.process.destroy(); // TERM: the server unmounts its FUSE view and stops
            serve.await(60);
        }
    }

    static void awaitLine(Cairn.Running r, String start) throws Exception {
        for (int i = 0; i < 1200; i++) {
            if (!r.isAlive()) {
                fail("exited early\n" + r.await().describe());
            }
            if (r.stdout().lines().anyMatch(l -> l.startsWith(start))) {
                return;
            }
            Thread.sleep(50);
        }
        fail("no line starting '" + start + "' within 60 s");
    }

    @Test
    @DisplayName("a deleted chunk and a deleted index are named by check, whatever the cache holds")
    void deletedObjectsNamedByCheck() throws Exception {
        String repo = "s3://" + bucketName("deleted") + "/r";
        Path img = dir.resolve("deleted.img");
        Util.mixedImage(img, 8 * MiB, 21);
        run("init", "--repo", repo).ok();
        String id =
                backupId(run("backup", "--repo", repo, "--vm", "file:" + img).ok());
        run("check", "--repo", repo).ok(); // reads (and caches) the manifest and the index
        try (S3Store s = store(repo)) {
            List<String> chunks = new ArrayList<>();
            s.list("chunks/", o -> chunks.add(o.key()));
            String victim = chunks.get(chunks.size() / 2);
            s.delete(victim);
            Cairn.Result check = run("check", "--repo", repo);
            check.expectExit(1);
            String hex = victim.substring(victim.lastIndexOf('/') + 1);
            assertTrue(check.out().contains("chunk " + hex + " is missing"), check.describe());
            assertTrue(check.out().contains("backup " + id), check.describe());

            List<String> indexes = new ArrayList<>();
            s.list("backups/", o -> {
                if (o.key().endsWith(".fidx") || o.key().endsWith(".vidx")) {
                    indexes.add(o.key());
                }
            });
            s.delete(indexes.get(0));
            Cairn.Result again = run("check", "--repo", repo);
            again.expectExit(1);
            assertTrue(again.out().contains(indexes.get(0)), again.describe());
        }
    }

    @Test
    @DisplayName("wrong credentials, a missing bucket, no endpoint: one line each; a credentials file works")
    void oneLineErrors() throws Exception {
        String repo = "s3://" + bucketName("errors") + "/r";
        run("init", "--repo", repo).ok();
        Map<String, String> wrong = env();
        wrong.put("AWS_SECRET_ACCESS_KEY", "not-the-secret");
        cairn.run(wrong, "list", "--repo", repo).expectFailure(1, "list", "SignatureDoesNotMatch", repo);
        run("list", "--repo", "s3://no-such-bucket-cairn/r").expectFailure(1, "list", "bucket does not exist");
        Map<String, String> noEndpoint = env();
        noEndpoint.remove("CAIRN_S3_ENDPOINT");
        cairn.run(noEndpoint, "list", "--repo", repo).expectFailure(2, "list", "--endpoint");

        Path creds = dir.resolve("credentials");
        Files.writeString(
                creds,
                "[default]\naws_access_key_id = " + rgw.credentials().accessKeyId() + "\naws_secret_access_key = "
                        + rgw.credentials().secretAccessKey() + "\n",
                StandardCharsets.UTF_8);
        Map<String, String> fileOnly = env();
        fileOnly.remove("AWS_ACCESS_KEY_ID");
        fileOnly.remove("AWS_SECRET_ACCESS_KEY");
        fileOnly.remove("CAIRN_S3_ENDPOINT");
        cairn.run(
                        fileOnly,
                        "list",
                        "--repo",
                        repo,
                        "--endpoint",
                        rgw.endpoint2().toString(),
                        "--s3-credentials",
                        creds.toString())
                .ok();
        run("init", "--repo", dir.resolve("plain").toString(), "--object-lock", "7")
                .expectFailure(2, "init", "--object-lock needs an object store");
        run("init", "--repo", "s3://" + repo.substring(5, repo.indexOf('/', 5)) + "/other", "--object-lock", "7")
                .expectFailure(1, "init", "has no Object Lock");
    }

    @Test
    @DisplayName(
            "gateway 1 killed during a backup: with both gateways it continues through the other; with one it fails cleanly")
    void gatewayKilledDuringBackup() throws Exception {
        String repo = "s3://" + bucketName("killed") + "/r";
        String both = rgw.endpoint() + "," + rgw.endpoint2();
        run("init", "--repo", repo).ok();
        Path img = dir.resolve("killed.img");
        Util.randomFile(img, 96 * MiB, 31);
        Cairn.Running backup = cairn.start(
                env(), "backup", "--repo", repo, "--endpoint", both, "--s3-timeout", "10s", "--vm", "file:" + img);
        awaitChunks(repo, 8, backup);
        rgw.killGateway(1);
        Cairn.Result done;
        try {
            done = backup.await(600).ok();
        } finally {
            rgw.startGateway(1);
        }
        String id = backupId(done);
        assertTrue(run("check", "--repo", repo, "--read-data").ok().out().contains("no errors"));
        assertRestores(repo, id, img);

        // One gateway only: the backup fails in one line, and nothing half-done is listed.
        Path other = dir.resolve("killed-2.img");
        Util.randomFile(other, 96 * MiB, 32);
        Cairn.Running lone = cairn.start(
                env(),
                "backup",
                "--repo",
                repo,
                "--endpoint",
                rgw.endpoint().toString(),
                "--s3-timeout",
                "5s",
                "--vm",
                "file:" + other);
        int before = countChunks(repo);
        awaitChunks(repo, before + 8, lone);
        rgw.killGateway(1);
        try {
            lone.await(600).expectFailure(1, "backup", rgw.endpoint().toString(), "cannot connect");
        } finally {
            rgw.startGateway(1);
        }
        assertEquals(List.of(id), ids(repo));
        assertTrue(run("check", "--repo", repo).ok().out().contains("no errors"));
    }

    static int countChunks(String repo) throws IOException {
        try (S3Store s = store(repo)) {
            int[] n = {0};
            s.list("chunks/", o -> n[0]++);
            return n[0];
        }
    }

    static void awaitChunks(String repo, int atLeast, Cairn.Running r) throws Exception {
        for (int i = 0; i < 1200; i++) {
            if (countChunks(repo) >= atLeast) {
                return;
            }
            if (!r.isAlive()) {
                fail("the backup ended before " + atLeast + " chunks were stored\n"
                        + r.await().describe());
            }
            Thread.sleep(100);
        }
        fail("fewer than " + atLeast + " chunks after 2 minutes");
    }

    @Test
    @DisplayName(
            "Object Lock: prune keeps a retained backup and says until when; gc skips retained chunks and counts them")
    void objectLock() throws Exception {
        String repo = "s3://" + bucketName("locked") + "/r";
        Cairn.Result init = run("init", "--repo", repo, "--object-lock", "1", "--object-lock-mode", "governance")
                .ok();
        assertTrue(init.out().contains("Object Lock governance 1 days"), init.describe());
        Path img = dir.resolve("locked.img");
        Util.mixedImage(img, 8 * MiB, 41);
        String first =
                backupId(run("backup", "--repo", repo, "--vm", "file:" + img).ok());
        Util.mixedImage(img, 8 * MiB, 42);
        String second =
                backupId(run("backup", "--repo", repo, "--vm", "file:" + img).ok());
        Cairn.Result prune = run("prune", "--repo", repo, "--keep-last", "1").ok();
        assertTrue(prune.out().contains("locked by the store until"), prune.describe());
        assertTrue(prune.out().contains("retained by the store's Object Lock"), prune.describe());
        assertEquals(List.of(first, second), ids(repo));

        // Chunks of a backup killed before its commit: unused, but retained.
        Path big = dir.resolve("locked-big.img");
        Util.randomFile(big, 64 * MiB, 43);
        int before = countChunks(repo);
        Cairn.Running killed = cairn.start(env(), "backup", "--repo", repo, "--vm", "file:" + big);
        awaitChunks(repo, before + 4, killed);
        killed.kill();
        Cairn.Result gc = run("gc", "--repo", repo, "--safety-margin", "0s", "--s3-renew-after", "0s")
                .ok();
        assertTrue(gc.out().contains("deleted 0 unused chunks"), gc.describe());
        assertTrue(gc.out().contains("unused chunks the store still retains (Object Lock)"), gc.describe());
        assertTrue(run("check", "--repo", repo, "--read-data").ok().out().contains("no errors"));
        assertRestores(repo, second, img);
    }
}
