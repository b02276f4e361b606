package io.cairn.httpui.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cairn.httpui.ApiClient;
import io.cairn.httpui.UiConfig;
import io.cairn.httpui.UiServer;
import io.cairn.operations.disk.FileDiskSource;
import io.cairn.operations.roots.SourceRoots;
import io.cairn.repository.Repository;
import io.cairn.repository.backup.BackupRequest;
import io.cairn.repository.backup.BackupWriter;
import io.cairn.repository.backup.Progress;
import io.cairn.repository.lock.Lock;
import io.cairn.repository.manifest.Manifest;
import io.cairn.repository.store.LocalStore;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The error mapping end to end: the real server over HTTPS, on a real repository (FUSE-mounted, so
 * root) in which one backup's chunks are damaged on disk, a gc lock held by the test, and a saved
 * vCenter connection whose sealed password does not open. Every answer is JSON {@code {"error"}} with
 * the mapped status and one line, never "internal error" for these, never a stack trace.
 */
@DisplayName("Errors through HTTPS: each failure its status and one line")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ErrorsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String VC_ID = "0011223344556677";

    private Path work;
    private Repository repo;
    private UiServer server;
    private ApiClient api;
    private String goodId;
    private String damagedId;

    @BeforeAll
    void setUp() throws Exception {
        work = Path.of("target", "errors-it-" + System.nanoTime()).toAbsolutePath();
        Files.createDirectories(work);
        repo = Repository.init(new LocalStore(work.resolve("repo")), 1 << 20, 1, null);
        goodId = backup("vc/vm-1", "good01", image("good", new byte[0])).ref().id();
        Set<Path> before = chunkFiles();
        byte[] random = new byte[6 << 20];
        new Random(11).nextBytes(random);
        damagedId = backup("vc/vm-2", "bad01", image("bad", random)).ref().id();
        // the damaged backup's own chunks (random data: shared with nothing) get flipped bytes
        Set<Path> own = chunkFiles();
        own.removeAll(before);
        assertTrue(own.size() >= 6, "the random file's chunks: " + own);
        for (Path c : own) {
            byte[] b = Files.readAllBytes(c);
            for (int i = 0; i < b.length; i += 97) {
                b[i] ^= (byte) 0x5a;
            }
            Files.write(c, b);
        }
        Path state = work.resolve("state");
        Files.createDirectories(state);
        ApiClient.addUsers(state);
        Files.writeString(
                state.resolve("vcenters.json"),
                "{\"version\": 1, \"vcenters\": [{\"id\": \"" + VC_ID + "\", \"name\": \"lab\","
                        + " \"url\": \"https://127.0.0.1:1/sdk\", \"user\": \"u\", \"thumbprint\": null,"
                        + " \"insecure\": true, \"sealedPassword\": \"AAAA\", \"lastTest\": null}]}");
        server = UiServer.start(new UiConfig(repo, work.resolve("repo"), state, "127.0.0.1", 0, 2, null, null));
        api = ApiClient.login(server);
    }

    @AfterAll
    void tearDown() {
        if (server != null) {
            server.close();
        }
        if (api != null) {
            api.assertNoLeaks();
        }
    }

    /** A 16 MiB ext4 image (made by mkfs.ext4) holding hello.txt and, when given, data.bin. */
    private Path image(String name, byte[] data) throws IOException, InterruptedException {
        Path content = work.resolve(name + "-content");
        Files.createDirectories(content);
        Files.writeString(content.resolve("hello.txt"), "hello from " + name + "\n");
        if (data.length > 0) {
            Files.write(content.resolve("data.bin"), data);
        }
        Path img = work.resolve(name + ".img");
        Process mk = new ProcessBuilder(
                        "mkfs.ext4", "-q", "-F", "-L", name, "-d", content.toString(), img.toString(), "16M")
                .inheritIO()
                .start();
        assertEquals(0, mk.waitFor(), "mkfs.ext4");
        return img;
    }

    private BackupWriter.Result backup(String identity, String name, Path img) throws IOException {
        try (FileDiskSource src = FileDiskSource.open(img, SourceRoots.unconfined())) {
            BackupRequest req = new BackupRequest(
                    new Manifest.VmIdentity(identity, name, "uuid-" + name, null),
                    "test",
                    Map.of(),
                    null,
                    null,
                    List.of(BackupRequest.DiskInput.full(src)),
                    List.of(),
                    null);
            return new BackupWriter(repo, 2, Progress.NONE, Duration.ZERO).write(req);
        }
    }

    private Set<Path> chunkFiles() throws IOException {
        try (Stream<Path> s = Files.walk(work.resolve("repo/chunks"))) {
            return s.filter(Files::isRegularFile).collect(Collectors.toSet());
        }
    }

    private static String q(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** The answer is {@code {"error": line}} in JSON with the status; returns the line. */
    private static String error(int status, HttpResponse<String> r) throws IOException {
        assertEquals(status, r.statusCode(), r.body());
        assertTrue(
                r.headers().firstValue("content-type").orElse("").startsWith("application/json"),
                r.headers().toString());
        JsonNode n = JSON.readTree(r.body());
        assertEquals(List.of("error"), List.copyOf(iterable(n)), r.body());
        String line = n.get("error").asText();
        assertFalse(line.contains("\n") || line.equals("internal error"), line);
        return line;
    }

    private static List<String> iterable(JsonNode n) {
        List<String> out = new java.util.ArrayList<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }

    @Test
    @DisplayName("reading a file whose chunks are damaged: 500 saying so, not 'internal error'")
    void damagedRepository() throws Exception {
        // the good backup's volume lists fine through the same mount
        assertEquals(
                200,
                api.get("/api/v1/backups/" + goodId + "/files?path=" + q("/volumes/good"), "viewer")
                        .statusCode());
        // the damaged one's cannot even be looked at: the mount answers EIO for the chunk it cannot read
        HttpResponse<String> r = api.get("/api/v1/backups/" + damagedId + "/files?path=" + q("/volumes/bad"), "viewer");
        String line = error(500, r);
        assertEquals(
                "reading the backup's files failed: Input/output error (the repository may be damaged: run a check)",
                line);
    }

    @Test
    @DisplayName("a download while gc holds the repository: 503, busy with maintenance, after the 30 s wait")
    void lockConflict() throws Exception {
        try (Lock gc = repo.locks().acquire(true, "gc (ErrorsIT)", Duration.ZERO)) {
            HttpResponse<String> r =
                    api.get("/api/v1/backups/" + goodId + "/download?path=" + q("/volumes/good/hello.txt"), "operator");
            String line = error(503, r);
            assertTrue(
                    line.startsWith("the repository is busy with maintenance (") && line.contains("gc (ErrorsIT)"),
                    line);
        }
        HttpResponse<String> after =
                api.get("/api/v1/backups/" + goodId + "/download?path=" + q("/volumes/good/hello.txt"), "operator");
        assertEquals(200, after.statusCode(), after.body());
        assertEquals("hello from good\n", after.body());
    }

    @Test
    @DisplayName("a backup that does not exist: 404 for reading, restoring and restoring to vSphere")
    void missingBackup() throws Exception {
        assertEquals("no such backup", error(404, api.get("/api/v1/backups/00000000deadbeef", "viewer")));
        assertEquals(
                "no such backup",
                error(
                        404,
                        api.send(
                                "POST",
                                "/api/v1/backups/00000000deadbeef/restore",
                                "operator",
                                "{\"to\":\"/tmp/x\"}")));
        assertEquals(
                "no such backup",
                error(
                        404,
                        api.send(
                                "POST",
                                "/api/v1/backups/00000000deadbeef/restore-vm",
                                "operator",
                                "{\"vcenter\":\"" + VC_ID + "\",\"name\":\"x\"}")));
    }

    @Test
    @DisplayName("bad input: 400 naming the field; path outside the backup: 400")
    void badInput() throws Exception {
        assertEquals(
                "'to' must be a string",
                error(400, api.send("POST", "/api/v1/backups/" + goodId + "/restore", "operator", "{\"to\": 5}")));
        assertEquals(
                "path outside the backup",
                error(400, api.get("/api/v1/backups/" + goodId + "/files?path=" + q("/../.."), "viewer")));
    }

    @Test
    @DisplayName("a saved vCenter connection whose stored password does not open: 409, enter it again")
    void sealedPassword() throws Exception {
        String line = error(409, api.send("POST", "/api/v1/vcenters/" + VC_ID + "/test", "admin", "{}"));
        assertTrue(line.contains("'lab'"), line);
        assertEquals(
                409,
                api.get("/api/v1/vcenters/" + VC_ID + "/inventory", "operator").statusCode());
    }
}
