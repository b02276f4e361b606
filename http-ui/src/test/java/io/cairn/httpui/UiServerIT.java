package io.cairn.httpui;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cairn.httpui.auth.Role;
import io.cairn.httpui.auth.Users;
import io.cairn.operations.disk.FileDiskSource;
import io.cairn.operations.roots.SourceRoots;
import io.cairn.repository.Repository;
import io.cairn.repository.backup.BackupRequest;
import io.cairn.repository.backup.BackupWriter;
import io.cairn.repository.backup.Progress;
import io.cairn.repository.manifest.Manifest;
import io.cairn.repository.store.LocalStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.ArchiveEntry;
import org.apache.commons.compress.archivers.ArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The web UI in process over HTTPS on a real repository, mounted with FUSE (needs root and the fixture tools). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UiServerIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PW = "correct horse battery";

    private Path work;
    private Path fixtures;
    private Path small;
    private Repository repo;
    private UiServer server;
    private HttpClient http;
    private String base;
    private String gptId;
    private String smallId;
    private final Map<String, String[]> sessions = new HashMap<>(); // role -> {cookie, csrf}
    private final List<String> bodies = new ArrayList<>();

    @BeforeAll
    void setUp() throws Exception {
        work = Files.createDirectories(
                        Path.of("target", "it-" + System.nanoTime()).toAbsolutePath())
                .toRealPath(); // roots are real paths
        fixtures = Path.of("target", "fixtures").toAbsolutePath();
        Process p = new ProcessBuilder("bash", "../mount/src/test/fixtures/make-fixtures.sh", fixtures.toString())
                .inheritIO()
                .start();
        assertEquals(0, p.waitFor(), "fixtures");
        // a small ext4 disk without partition table, with links that point out of it
        Path content = work.resolve("small-content");
        Files.createDirectories(content.resolve("d"));
        Files.writeString(content.resolve("d/inside.txt"), "inside\n");
        Files.createSymbolicLink(content.resolve("escape"), Path.of("/etc/passwd"));
        Files.createSymbolicLink(content.resolve("up"), Path.of("../".repeat(40) + "etc"));
        small = work.resolve("small.img");
        Process mk = new ProcessBuilder(
                        "mkfs.ext4", "-q", "-F", "-L", "SMALL", "-d", content.toString(), small.toString(), "16M")
                .inheritIO()
                .start();
        assertEquals(0, mk.waitFor(), "mkfs.ext4");

        repo = Repository.init(new LocalStore(work.resolve("repo")), 1 << 20, 1, null);
        gptId = backup("vc/vm-1", "web01", fixtures.resolve("gpt.img")).ref().id();
        smallId = backup("vc/vm-2", "db01", small).ref().id();
        Path state = work.resolve("state");
        Files.createDirectories(state);
        Users u = Users.load(state);
        u.put("viewer", Role.VIEWER, PW.toCharArray());
        u.put("operator", Role.OPERATOR, PW.toCharArray());
        u.put("admin", Role.ADMIN, PW.toCharArray());
        server = UiServer.start(new UiConfig(repo, work.resolve("repo"), state, "127.0.0.1", 0, 2, null, null));
        base = "https://127.0.0.1:" + server.port();
        http = HttpClient.newBuilder()
                .sslContext(io.cairn.httpui.PinnedTls.context(server.fingerprint()))
                .connectTimeout(Duration.ofSeconds(10))
                .build();
        for (String r : List.of("viewer", "operator", "admin")) {
            HttpResponse<String> res =
                    post("/api/v1/login", null, "{\"user\":\"" + r + "\",\"password\":\"" + PW + "\"}");
            assertEquals(200, res.statusCode(), res.body());
            String cookie = res.headers().firstValue("set-cookie").orElseThrow();
            assertTrue(
                    cookie.contains("Secure") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
                    cookie);
            sessions.put(r, new String[] {
                cookie.substring(0, cookie.indexOf(';')),
                JSON.readTree(res.body()).get("csrf").asText()
            });
        }
        Files.createDirectories(work.resolve("restores"));
        HttpResponse<String> roots = send(
                "PUT",
                "/api/v1/roots",
                "admin",
                "{\"restoreRoots\":[\"" + work.resolve("restores") + "\"],\"sourceRoots\":[]}");
        assertEquals(200, roots.statusCode(), roots.body());
    }

    @AfterAll
    void tearDown() {
        if (server != null) {
            server.close();
        }
        for (String b : bodies) {
            assertFalse(b.contains("Exception") || b.contains("at io.cairn"), b);
        }
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

    private HttpRequest.Builder req(String path, String role) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
        if (role != null && sessions.containsKey(role)) {
            b.header("Cookie", sessions.get(role)[0]);
        }
        return b;
    }

    private HttpResponse<String> get(String path, String role) throws Exception {
        HttpResponse<String> r = http.send(req(path, role).GET().build(), HttpResponse.BodyHandlers.ofString());
        bodies.add(r.body());
        return r;
    }

    private HttpResponse<byte[]> getBytes(String path, String role) throws Exception {
        return http.send(req(path, role).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private HttpResponse<String> post(String path, String role, String body) throws Exception {
        return send("POST", path, role, body);
    }

    private HttpResponse<String> send(String method, String path, String role, String body) throws Exception {
        HttpRequest.Builder b = req(path, role)
                .method(method, HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (role != null && sessions.containsKey(role)) {
            b.header("X-CSRF-Token", sessions.get(role)[1]);
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        bodies.add(r.body());
        return r;
    }

    private static String q(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    // ---- login ----

    @Test
    @DisplayName("a wrong password is 401, and the sixth failure within a minute is 429 even with the right password")
    void loginLimits() throws Exception {
        for (int i = 0; i < 5; i++) {
            assertEquals(
                    401,
                    post("/api/v1/login", null, "{\"user\":\"limited\",\"password\":\"wrong\"}")
                            .statusCode());
        }
        assertEquals(
                429,
                post("/api/v1/login", null, "{\"user\":\"limited\",\"password\":\"wrong\"}")
                        .statusCode());
        HttpResponse<String> me = get("/api/v1/me", "viewer");
        assertEquals(200, me.statusCode());
        assertEquals("viewer", JSON.readTree(me.body()).get("role").asText());
    }

    /** Logs in as {@code user} and answers its {cookie, csrf}. */
    private String[] loginAs(String user) throws Exception {
        HttpResponse<String> res =
                post("/api/v1/login", null, "{\"user\":\"" + user + "\",\"password\":\"" + PW + "\"}");
        assertEquals(200, res.statusCode(), res.body());
        String cookie = res.headers().firstValue("set-cookie").orElseThrow();
        return new String[] {
            cookie.substring(0, cookie.indexOf(';')),
            JSON.readTree(res.body()).get("csrf").asText()
        };
    }

    private int meWith(String[] session) throws Exception {
        return http.send(
                        HttpRequest.newBuilder(URI.create(base + "/api/v1/me"))
                                .header("Cookie", session[0])
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .statusCode();
    }

    @Test
    @DisplayName("a role change or a removal by 'cairn user' while the server runs ends that user's sessions at once")
    void accountChangesEndSessions() throws Exception {
        Path state = work.resolve("state");
        Users.load(state).put("shortlived", Role.VIEWER, PW.toCharArray());
        String[] first = loginAs("shortlived");
        assertEquals(200, meWith(first));
        Users.load(state).put("shortlived", Role.OPERATOR, PW.toCharArray()); // another process: cairn user add
        assertEquals(401, meWith(first), "the session of the old role lives on");
        String[] second = loginAs("shortlived");
        assertEquals(200, meWith(second));
        assertTrue(Users.load(state).remove("shortlived"));
        assertEquals(401, meWith(second), "the session of a removed user lives on");
        assertEquals(
                401,
                post("/api/v1/login", null, "{\"user\":\"shortlived\",\"password\":\"" + PW + "\"}")
                        .statusCode());
    }

    @Test
    @DisplayName("oversized bodies are 413, malformed JSON 400")
    void badBodies() throws Exception {
        assertEquals(400, post("/api/v1/login", null, "{\"user\":").statusCode());
        assertEquals(
                413,
                post("/api/v1/login", null, "{\"user\":\"" + "x".repeat(70_000) + "\"}")
                        .statusCode());
        assertEquals(
                400,
                post("/api/v1/backups/" + smallId + "/restore", "operator", "[1,")
                        .statusCode());
    }

    @Test
    @DisplayName("an unknown API path is 404 in JSON, logged in or not")
    void unknownEndpoint() throws Exception {
        for (String role : new String[] {null, "viewer"}) {
            HttpResponse<String> r = get("/api/v1/nosuch", role);
            assertEquals(404, r.statusCode(), r.body());
            assertTrue(
                    r.headers().firstValue("content-type").orElse("").startsWith("application/json"),
                    r.headers().toString());
            assertEquals(
                    "no such endpoint", JSON.readTree(r.body()).get("error").asText(), r.body());
        }
    }

    @Test
    @DisplayName("pages and answers carry a strict Content-Security-Policy and refuse framing")
    void securityHeaders() throws Exception {
        for (String path : new String[] {"/", "/app.js", "/api/v1/me", "/api/v1/nosuch"}) {
            HttpResponse<String> r = get(path, "viewer");
            String csp = r.headers().firstValue("content-security-policy").orElse("");
            assertTrue(
                    csp.contains("default-src 'self'")
                            && csp.contains("script-src 'self'")
                            && !csp.contains("unsafe-inline")
                            && csp.contains("frame-ancestors 'none'"),
                    path + ": " + csp);
            assertEquals("DENY", r.headers().firstValue("x-frame-options").orElse(""), path);
            assertEquals(
                    "nosniff", r.headers().firstValue("x-content-type-options").orElse(""), path);
            assertEquals(
                    "max-age=31536000",
                    r.headers().firstValue("strict-transport-security").orElse(""),
                    path + ": HSTS");
        }
    }

    @Test
    @DisplayName("a login posted as a form (another site's login CSRF) is 415 and logs nobody in")
    void loginNeedsJson() throws Exception {
        for (String type : new String[] {"application/x-www-form-urlencoded", "text/plain"}) {
            HttpResponse<String> r = http.send(
                    req("/api/v1/login", null)
                            .header("Content-Type", type)
                            .POST(HttpRequest.BodyPublishers.ofString(
                                    "{\"user\":\"viewer\",\"password\":\"" + PW + "\"}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(415, r.statusCode(), type + ": " + r.body());
            assertTrue(r.headers().firstValue("set-cookie").isEmpty(), "a session cookie for a form post");
        }
    }

    @Test
    @DisplayName("POST without or with a wrong CSRF token is 403")
    void csrf() throws Exception {
        HttpRequest r = req("/api/v1/logout", "viewer")
                .POST(HttpRequest.BodyPublishers.noBody())
                .build();
        assertEquals(403, http.send(r, HttpResponse.BodyHandlers.ofString()).statusCode());
        r = req("/api/v1/logout", "viewer")
                .header("X-CSRF-Token", "nope")
                .POST(HttpRequest.BodyPublishers.noBody())
                .build();
        assertEquals(403, http.send(r, HttpResponse.BodyHandlers.ofString()).statusCode());
    }

    Stream<Arguments> endpoints() {
        String f = "path=" + q("/volumes/gpt-p1/hello.txt");
        String d = "path=" + q("/volumes/gpt-p1");
        return Stream.of(
                Arguments.of("GET", "/api/v1/me", "viewer"),
                Arguments.of("GET", "/api/v1/dashboard", "viewer"),
                Arguments.of("GET", "/api/v1/vms", "viewer"),
                Arguments.of("GET", "/api/v1/vms/web01/backups", "viewer"),
                Arguments.of("GET", "/api/v1/backups/ID", "viewer"),
                Arguments.of("GET", "/api/v1/backups/ID/files?path=/", "viewer"),
                Arguments.of("GET", "/api/v1/backups/ID/search?q=hello&path=/volumes", "viewer"),
                Arguments.of("GET", "/api/v1/jobs", "viewer"),
                Arguments.of("GET", "/api/v1/backups/ID/download?" + f, "operator"),
                Arguments.of("GET", "/api/v1/backups/ID/archive?format=zip&" + d, "operator"),
                Arguments.of("POST", "/api/v1/backups/ID/restore", "operator"),
                Arguments.of("GET", "/api/v1/roots", "operator"),
                Arguments.of("GET", "/api/v1/users", "admin"));
    }

    @ParameterizedTest(name = "{0} {1} needs {2}")
    @MethodSource("endpoints")
    @DisplayName("every endpoint: 401 without a session, 403 below its role, served at and above it")
    void roles(String method, String path, String needs) throws Exception {
        String p = path.replace("ID", gptId);
        List<String> order = List.of("viewer", "operator", "admin");
        for (String who :
                Stream.concat(Stream.of((String) null), order.stream()).toList()) {
            int status;
            if (method.equals("GET")) {
                status = getBytes(p, who).statusCode();
            } else {
                // a body that fails validation: authorization is decided before it is read
                status = post(p, who, "{}").statusCode();
            }
            int expected = who == null
                    ? 401
                    : order.indexOf(who) < order.indexOf(needs) ? 403 : method.equals("POST") ? 400 : 200;
            assertEquals(expected, status, method + " " + p + " as " + who);
        }
    }

    @Test
    @DisplayName("traversal: .., %2e%2e, //absolute and guest links pointing outside are 400")
    void traversal() throws Exception {
        String b = "/api/v1/backups/" + smallId + "/files?path=";
        assertEquals(400, get(b + q("/../../"), "viewer").statusCode());
        assertEquals(400, get(b + "%2e%2e%2f%2e%2e", "viewer").statusCode());
        assertEquals(400, get(b + q("//etc"), "viewer").statusCode());
        assertEquals(400, get(b + q("/volumes/small/up"), "viewer").statusCode());
        HttpResponse<String> esc =
                get("/api/v1/backups/" + smallId + "/download?path=" + q("/volumes/small/escape"), "operator");
        assertEquals(400, esc.statusCode());
        assertEquals(
                "path outside the backup",
                JSON.readTree(esc.body()).get("error").asText());
        // the links are listed, as links
        JsonNode l = JSON.readTree(get(b + q("/volumes/small"), "viewer").body());
        assertTrue(l.get("entries").toString().contains("\"escape\""), l.toString());
        assertEquals(404, get(b + q("/volumes/small/missing"), "viewer").statusCode());
    }

    @Test
    @DisplayName("files from the FAT and the ext4 volume download with the fixture's bytes")
    void downloads() throws Exception {
        for (String vol : List.of("gpt-p1", "gpt-p2")) {
            JsonNode list = JSON.readTree(
                    get("/api/v1/backups/" + gptId + "/files?path=" + q("/volumes/" + vol + "/dir1"), "viewer")
                            .body());
            assertTrue(list.get("entries").toString().contains("random5M.bin"), list.toString());
            HttpResponse<byte[]> r = getBytes(
                    "/api/v1/backups/" + gptId + "/download?path=" + q("/volumes/" + vol + "/dir1/random5M.bin"),
                    "operator");
            assertEquals(200, r.statusCode());
            assertArrayEquals(Files.readAllBytes(fixtures.resolve("content/dir1/random5M.bin")), r.body());
            assertTrue(
                    r.headers().firstValue("content-disposition").orElse("").contains("filename*=UTF-8''random5M.bin"));
            HttpResponse<byte[]> u = getBytes(
                    "/api/v1/backups/" + gptId + "/download?path="
                            + q("/volumes/" + vol + "/Ünïcödé dir/naïve café.txt"),
                    "operator");
            assertEquals(200, u.statusCode());
            assertArrayEquals(Files.readAllBytes(fixtures.resolve("content/Ünïcödé dir/naïve café.txt")), u.body());
        }
        JsonNode hits =
                JSON.readTree(get("/api/v1/backups/" + gptId + "/search?q=" + q("NAÏVE") + "&path=/volumes", "viewer")
                        .body());
        assertTrue(hits.size() >= 2, hits.toString());
        JsonNode b = JSON.readTree(get("/api/v1/backups/" + gptId, "viewer").body());
        assertTrue(b.get("volumes").toString().contains("gpt-p2"), b.toString());
        Path audit = work.resolve("state/audit.log");
        assertTrue(Files.readString(audit).contains("\"action\":\"download\""));
    }

    @Test
    @DisplayName("dir1 of the ext4 volume as zip and tar.gz holds the fixture's files")
    void archives() throws Exception {
        for (String fmt : List.of("zip", "tar.gz")) {
            HttpResponse<byte[]> r = getBytes(
                    "/api/v1/backups/" + gptId + "/archive?format=" + fmt + "&path=" + q("/volumes/gpt-p2/dir1"),
                    "operator");
            assertEquals(200, r.statusCode());
            Map<String, byte[]> got = new HashMap<>();
            Map<String, String> links = new HashMap<>();
            InputStream raw = new ByteArrayInputStream(r.body());
            try (ArchiveInputStream<?> in = fmt.equals("zip")
                    ? new ZipArchiveInputStream(raw)
                    : new TarArchiveInputStream(new GzipCompressorInputStream(raw))) {
                ArchiveEntry e;
                while ((e = in.getNextEntry()) != null) {
                    if (e instanceof org.apache.commons.compress.archivers.tar.TarArchiveEntry t
                            && t.isSymbolicLink()) {
                        links.put(t.getName(), t.getLinkName());
                    } else if (!e.isDirectory()) {
                        got.put(e.getName(), in.readAllBytes());
                    }
                }
            }
            Path src = fixtures.resolve("content");
            for (String f : List.of("dir1/random5M.bin", "dir1/sub/numbers.txt")) {
                assertArrayEquals(Files.readAllBytes(src.resolve(f)), got.get(f), fmt + " " + f);
            }
            // dir1/link-to-hello points to ../hello.txt, outside dir1: left out of both, and listed
            assertTrue(new String(got.get("dir1/CAIRN-SKIPPED-LINKS.txt"), StandardCharsets.UTF_8)
                    .contains("dir1/link-to-hello -> ../hello.txt"));
            assertTrue(links.isEmpty(), links.toString());
        }
        // archived with the whole volume, the same link stays inside: tar stores it as a link
        HttpResponse<byte[]> whole = getBytes(
                "/api/v1/backups/" + gptId + "/archive?format=tar.gz&path=" + q("/volumes/gpt-p2"), "operator");
        assertEquals(200, whole.statusCode());
        Map<String, String> links = new HashMap<>();
        try (TarArchiveInputStream in =
                new TarArchiveInputStream(new GzipCompressorInputStream(new ByteArrayInputStream(whole.body())))) {
            org.apache.commons.compress.archivers.tar.TarArchiveEntry e;
            while ((e = in.getNextEntry()) != null) {
                if (e.isSymbolicLink()) {
                    links.put(e.getName(), e.getLinkName());
                }
                assertFalse(e.getName().endsWith("CAIRN-SKIPPED-LINKS.txt"), "nothing left out: " + e.getName());
            }
        }
        assertEquals("../hello.txt", links.get("gpt-p2/dir1/link-to-hello"), links.toString());
        assertTrue(Files.readString(work.resolve("state/audit.log")).contains("\"action\":\"archive\""));
    }

    @Test
    @DisplayName("a client that goes away after 1 MiB of 5 MiB does not disturb the next request")
    void disconnect() throws Exception {
        HttpResponse<InputStream> r = http.send(
                req("/api/v1/backups/" + gptId + "/download?path=" + q("/volumes/gpt-p2/dir1/random5M.bin"), "operator")
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        assertEquals(5L << 20, r.headers().firstValueAsLong("content-length").orElse(-1));
        r.body().readNBytes(1 << 20);
        r.body().close();
        assertEquals(200, get("/api/v1/vms", "viewer").statusCode());
    }

    @Test
    @DisplayName("a pruned backup is 404")
    void pruned() throws Exception {
        String id = backup("vc/vm-3", "tmp01", small).ref().id();
        Thread.sleep(2100); // past the listing cache
        assertEquals(200, get("/api/v1/backups/" + id, "viewer").statusCode());
        Repository.Listed l = repo.resolve(id);
        repo.deleteBackup(l.ref());
        assertEquals(404, get("/api/v1/backups/" + id, "viewer").statusCode());
        assertEquals(
                404,
                get("/api/v1/backups/" + id + "/download?path=/volumes/small/d/inside.txt", "operator")
                        .statusCode());
    }

    @Test
    @DisplayName("a restore job succeeds, its events arrive in order, and the restored image equals the source")
    void restore() throws Exception {
        Path to = work.resolve("restores/db01/restored");
        HttpResponse<String> r = post(
                "/api/v1/backups/" + smallId + "/restore",
                "operator",
                "{\"to\":\"" + to + "\",\"format\":\"raw\",\"onConflict\":\"abort\"}");
        assertEquals(202, r.statusCode(), r.body());
        String job = JSON.readTree(r.body()).get("job").asText();
        HttpResponse<String> notMine = get("/api/v1/jobs/" + job + "/events", "viewer");
        assertEquals(403, notMine.statusCode(), "a viewer follows another user's job: " + notMine.body());
        HttpResponse<Stream<String>> sse = http.send(
                req("/api/v1/jobs/" + job + "/events", "operator").GET().build(), HttpResponse.BodyHandlers.ofLines());
        assertEquals(200, sse.statusCode());
        List<Long> seqs = new ArrayList<>();
        List<String> states = new ArrayList<>();
        sse.body().forEach(line -> {
            if (line.startsWith("data: ")) {
                try {
                    JsonNode e = JSON.readTree(line.substring(6));
                    seqs.add(e.get("seq").asLong());
                    states.add(e.get("state").asText());
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }
        });
        assertFalse(seqs.isEmpty());
        for (int i = 1; i < seqs.size(); i++) {
            assertTrue(seqs.get(i) > seqs.get(i - 1), seqs.toString());
        }
        assertEquals("SUCCEEDED", states.get(states.size() - 1), states.toString());
        JsonNode j = JSON.readTree(get("/api/v1/jobs/" + job, "operator").body());
        assertEquals("SUCCEEDED", j.get("state").asText());
        assertEquals("operator", j.get("owner").asText());
        assertTrue(j.get("details").asBoolean() && j.get("result").asText().contains(to.toString()), j.toString());
        // the viewer sees that a restore ran, not where to or how it ended
        JsonNode summary = JSON.readTree(get("/api/v1/jobs/" + job, "viewer").body());
        assertEquals("SUCCEEDED", summary.get("state").asText());
        assertEquals("restore", summary.get("kind").asText());
        assertFalse(summary.get("details").asBoolean());
        assertTrue(
                summary.get("target").isNull()
                        && summary.get("result").isNull()
                        && summary.get("owner").isNull(),
                summary.toString());
        assertFalse(
                get("/api/v1/jobs", "viewer").body().contains(to.toString()), "the job list shows the viewer where to");
        assertFalse(
                get("/api/v1/dashboard", "viewer").body().contains(to.toString()),
                "the dashboard shows the viewer where to");
        // another operator may not cancel it; its owner and an admin may (audited)
        Users.load(work.resolve("state")).put("operator2", Role.OPERATOR, PW.toCharArray());
        String[] other = loginAs("operator2");
        HttpResponse<String> foreign = http.send(
                HttpRequest.newBuilder(URI.create(base + "/api/v1/jobs/" + job + "/cancel"))
                        .header("Cookie", other[0])
                        .header("X-CSRF-Token", other[1])
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(403, foreign.statusCode(), foreign.body());
        assertEquals(
                202, post("/api/v1/jobs/" + job + "/cancel", "operator", "{}").statusCode());
        assertEquals(202, post("/api/v1/jobs/" + job + "/cancel", "admin", "{}").statusCode());
        String cancels = Files.readString(work.resolve("state/audit.log"));
        assertTrue(cancels.contains("\"user\":\"operator\",\"ip\":\"127.0.0.1\",\"action\":\"job-cancel\""), cancels);
        assertFalse(cancels.contains("\"user\":\"operator2\",\"ip\":\"127.0.0.1\",\"action\":\"job-cancel\""), cancels);
        assertEquals(Files.size(small), j.get("jobTotal").asLong(), "the job's total is the disk's size: " + j);
        assertEquals(j.get("jobTotal").asLong(), j.get("jobDone").asLong(), j.toString());
        Path img;
        try (Stream<Path> s = Files.list(to)) {
            img = s.filter(p -> p.getFileName().toString().startsWith("small"))
                    .findFirst()
                    .orElseThrow();
        }
        assertEquals(sha(small), sha(img));
        String audit = Files.readString(work.resolve("state/audit.log"));
        assertTrue(audit.contains("\"action\":\"restore\"") && audit.contains("\"outcome\":\"succeeded\""), audit);
    }

    @Test
    @DisplayName("restore roots: only an admin sets them, / and /etc are refused; a target outside them, in the state"
            + " directory or spelled /proc/self/root/... is 400, a link below a root fails the job and writes nothing")
    void restoreRoots() throws Exception {
        Path restores = work.resolve("restores");
        JsonNode shown = JSON.readTree(get("/api/v1/roots", "operator").body());
        assertEquals(restores.toString(), shown.get("restoreRoots").get(0).asText(), shown.toString());
        assertEquals(
                403,
                send("PUT", "/api/v1/roots", "operator", "{\"restoreRoots\":[],\"sourceRoots\":[]}")
                        .statusCode());
        for (String bad : List.of("/", "/etc", work.resolve("state").toString(), "relative")) {
            HttpResponse<String> r =
                    send("PUT", "/api/v1/roots", "admin", "{\"restoreRoots\":[\"" + bad + "\"],\"sourceRoots\":[]}");
            assertEquals(400, r.statusCode(), bad + ": " + r.body());
        }
        assertEquals(
                restores.toString(),
                JSON.readTree(get("/api/v1/roots", "admin").body())
                        .get("restoreRoots")
                        .get(0)
                        .asText(),
                "a refused change saves nothing");
        String restore = "/api/v1/backups/" + smallId + "/restore";
        for (String bad : List.of(
                "/etc/cron.d",
                work.resolve("state/x").toString(),
                work.resolve("repo/x").toString(),
                "/proc/self/root" + restores + "/x",
                restores + "/../escaped")) {
            HttpResponse<String> r = post(restore, "operator", "{\"to\":\"" + bad + "\"}");
            assertEquals(400, r.statusCode(), bad + ": " + r.body());
        }
        assertEquals(
                "the restore target /etc/cron.d is not in a restore root (" + restores + ")",
                JSON.readTree(post(restore, "operator", "{\"to\":\"/etc/cron.d\"}")
                                .body())
                        .get("error")
                        .asText());
        Path outside = Files.createDirectories(work.resolve("outside"));
        Files.createSymbolicLink(restores.resolve("link"), outside);
        HttpResponse<String> r = post(restore, "operator", "{\"to\":\"" + restores.resolve("link/x") + "\"}");
        assertEquals(202, r.statusCode(), r.body());
        JsonNode job = awaitJob(JSON.readTree(r.body()).get("job").asText(), "operator");
        assertEquals("FAILED", job.get("state").asText(), job.toString());
        assertEquals(
                restores.resolve("link") + " is a symbolic link; restores never follow links (give the directory it"
                        + " points to)",
                job.get("result").asText());
        try (Stream<Path> s = Files.list(outside)) {
            assertEquals(0, s.count(), "nothing written behind the link");
        }
        String audit = Files.readString(work.resolve("state/audit.log"));
        assertTrue(audit.contains("\"action\":\"roots-edit\""), audit);
    }

    private JsonNode awaitJob(String id) throws Exception {
        return awaitJob(id, "viewer");
    }

    /** The job once finished, as {@code user} sees it (its owner sees its result, a viewer a summary). */
    private JsonNode awaitJob(String id, String user) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            JsonNode j = JSON.readTree(get("/api/v1/jobs/" + id, user).body());
            String state = j.get("state").asText();
            if (!state.equals("QUEUED") && !state.equals("RUNNING")) {
                return j;
            }
            assertTrue(System.nanoTime() < end, "job " + id + " still " + state);
            Thread.sleep(100);
        }
    }

    private static String sha(Path p) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(p)) {
            byte[] b = new byte[1 << 20];
            int n;
            while ((n = in.read(b)) > 0) {
                md.update(b, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
