package io.cairn.httpui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cairn.httpui.auth.Role;
import io.cairn.httpui.auth.Users;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The API tests' client of a server in process: one logged-in session per role (viewer, operator,
 * admin), pinned to the server's certificate, sending the CSRF token on every mutating request.
 * Every body it receives is kept, so a test class can check at the end that none leaked a stack
 * trace or a secret.
 */
public final class ApiClient {
    public static final String PASSWORD = "correct horse battery";
    public static final List<String> ROLES = List.of("viewer", "operator", "admin");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final String base;
    private final Map<String, String[]> sessions = new HashMap<>(); // role -> {cookie, csrf}
    private final List<String> bodies = new CopyOnWriteArrayList<>();

    private ApiClient(HttpClient http, String base) {
        this.http = http;
        this.base = base;
    }

    /** Adds a user named after each role, with {@link #PASSWORD}; before the server starts. */
    public static void addUsers(Path stateDir) throws IOException {
        Users u = Users.load(stateDir);
        for (String r : ROLES) {
            u.put(r, Role.valueOf(r.toUpperCase(java.util.Locale.ROOT)), PASSWORD.toCharArray());
        }
    }

    /** Logs in as each role; the session cookies must be Secure, HttpOnly and SameSite=Strict. */
    public static ApiClient login(UiServer server) throws Exception {
        HttpClient http = HttpClient.newBuilder()
                .sslContext(PinnedTls.context(server.fingerprint()))
                .connectTimeout(Duration.ofSeconds(10))
                .build();
        ApiClient c = new ApiClient(http, "https://127.0.0.1:" + server.port());
        for (String r : ROLES) {
            HttpResponse<String> res = c.send(
                    "POST", "/api/v1/login", null, JSON.writeValueAsString(Map.of("user", r, "password", PASSWORD)));
            assertEquals(200, res.statusCode(), res.body());
            String cookie = res.headers().firstValue("set-cookie").orElseThrow();
            assertTrue(
                    cookie.contains("Secure") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
                    cookie);
            c.sessions.put(r, new String[] {
                cookie.substring(0, cookie.indexOf(';')),
                JSON.readTree(res.body()).get("csrf").asText()
            });
        }
        return c;
    }

    public HttpClient http() {
        return http;
    }

    public String base() {
        return base;
    }

    /** The {@code name=value} session cookie of a role. */
    public String cookie(String role) {
        return sessions.get(role)[0];
    }

    public String csrf(String role) {
        return sessions.get(role)[1];
    }

    /** A request builder for {@code path} with the role's cookie (no role: none). */
    public HttpRequest.Builder request(String path, String role) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(120));
        if (role != null && sessions.containsKey(role)) {
            b.header("Cookie", cookie(role));
        }
        return b;
    }

    public HttpResponse<String> get(String path, String role) throws Exception {
        return send("GET", path, role, null);
    }

    /** Sends with the role's cookie, and its CSRF token unless it is a GET; anything but a GET as JSON. */
    public HttpResponse<String> send(String method, String path, String role, String body) throws Exception {
        HttpRequest.Builder b = request(path, role)
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (!method.equals("GET")) {
            b.header("Content-Type", "application/json"); // every POST, PUT and DELETE says so, body or not
        }
        if (role != null && sessions.containsKey(role) && !method.equals("GET")) {
            b.header("X-CSRF-Token", csrf(role));
        }
        return keep(http.send(b.build(), HttpResponse.BodyHandlers.ofString()));
    }

    /** Keeps a response's body for {@link #assertNoLeaks}. */
    public HttpResponse<String> keep(HttpResponse<String> r) {
        bodies.add(r.body());
        return r;
    }

    /** The {@code error} line of an error answer. */
    /**
     * Sets the restore and source roots as the admin (PUT /roots) and checks they were saved. Each
     * directory is made if missing and named by its real path.
     */
    public void roots(List<Path> restore, List<Path> source) throws Exception {
        StringBuilder b = new StringBuilder("{\"restoreRoots\":");
        b.append(JSON.writeValueAsString(real(restore))).append(",\"sourceRoots\":");
        b.append(JSON.writeValueAsString(real(source))).append('}');
        HttpResponse<String> r = send("PUT", "/api/v1/roots", "admin", b.toString());
        assertEquals(200, r.statusCode(), r.body());
    }

    private static List<String> real(List<Path> dirs) throws IOException {
        List<String> out = new java.util.ArrayList<>();
        for (Path d : dirs) {
            java.nio.file.Files.createDirectories(d);
            out.add(d.toRealPath().toString());
        }
        return out;
    }

    public static String error(HttpResponse<String> r) throws IOException {
        return JSON.readTree(r.body()).path("error").asText();
    }

    /** Polls {@code /api/v1/jobs/{id}} as the admin (who sees every job's details) until the job is final. */
    public JsonNode awaitJob(String id, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode j = JSON.readTree(get("/api/v1/jobs/" + id, "admin").body());
            if (List.of("SUCCEEDED", "FAILED", "CANCELLED")
                    .contains(j.path("state").asText())) {
                return j;
            }
            Thread.sleep(100);
        }
        return fail("job " + id + " did not finish in " + timeout);
    }

    /** No answer so far held a stack trace, or any of {@code secrets}. */
    public void assertNoLeaks(String... secrets) {
        for (String b : bodies) {
            assertFalse(b.contains("Exception") || b.contains("at io.cairn"), b);
            for (String s : secrets) {
                assertFalse(b.contains(s), "an answer holds a secret: " + b);
            }
        }
    }
}
