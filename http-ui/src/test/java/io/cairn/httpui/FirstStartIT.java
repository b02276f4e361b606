package io.cairn.httpui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cairn.repository.Repository;
import io.cairn.repository.store.LocalStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The first start of a server on an empty state directory, in process over HTTPS with the FUSE
 * mount (root): the first admin's password goes to a 0600 file, never to the output, and changing it
 * through the API deletes the file and ends the other sessions.
 */
@DisplayName("First start: the admin's password in a file, changed through the API")
class FirstStartIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    private HttpClient http;
    private String base;

    private HttpResponse<String> send(String method, String path, String[] session, Object body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(60))
                .method(
                        method,
                        body == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        if (!method.equals("GET")) {
            b.header("Content-Type", "application/json");
        }
        if (session != null) {
            b.header("Cookie", session[0]);
            b.header("X-CSRF-Token", session[1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String[] login(String password) throws Exception {
        HttpResponse<String> r = send("POST", "/api/v1/login", null, Map.of("user", "admin", "password", password));
        assertEquals(200, r.statusCode(), r.body());
        String cookie = r.headers().firstValue("set-cookie").orElseThrow();
        return new String[] {
            cookie.substring(0, cookie.indexOf(';')),
            JSON.readTree(r.body()).get("csrf").asText()
        };
    }

    @Test
    @DisplayName("prints the file's path, not the password; the password logs in; a change deletes the file")
    void firstAdmin() throws Exception {
        Path work = Path.of("target", "it-first-" + System.nanoTime()).toAbsolutePath();
        Files.createDirectories(work);
        Repository repo = Repository.init(new LocalStore(work.resolve("repo")), 1 << 20, 1, null);
        Path state = work.resolve("state");
        PrintStream stdout = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        UiServer server;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            server = UiServer.start(new UiConfig(repo, work.resolve("repo"), state, "127.0.0.1", 0, 2, null, null));
        } finally {
            System.setOut(stdout);
        }
        try (server) {
            Path file = state.resolve("initial-admin-password");
            String printed = out.toString(StandardCharsets.UTF_8);
            stdout.print(printed);
            assertTrue(printed.contains("its password is in " + file), printed);
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
            String pw = Files.readString(file).strip();
            assertFalse(printed.contains(pw), "the password reached the output");

            http = HttpClient.newBuilder()
                    .sslContext(PinnedTls.context(server.fingerprint()))
                    .build();
            base = "https://127.0.0.1:" + server.port();
            String[] first = login(pw);
            String[] other = login(pw);

            HttpResponse<String> wrong =
                    send("POST", "/api/v1/me/password", first, Map.of("current", "nope", "password", "new password 1"));
            assertEquals(403, wrong.statusCode(), wrong.body());
            HttpResponse<String> shortPw =
                    send("POST", "/api/v1/me/password", first, Map.of("current", pw, "password", "short"));
            assertEquals(400, shortPw.statusCode(), shortPw.body());
            assertTrue(Files.exists(file), "a refused change keeps the file");

            HttpResponse<String> ok =
                    send("POST", "/api/v1/me/password", first, Map.of("current", pw, "password", "new password 1"));
            assertEquals(200, ok.statusCode(), ok.body());
            assertFalse(Files.exists(file), "the generated password is still on disk");
            JsonNode me = JSON.readTree(ok.body());
            String cookie = ok.headers().firstValue("set-cookie").orElseThrow();
            String[] fresh = {
                cookie.substring(0, cookie.indexOf(';')), me.get("csrf").asText()
            };
            assertEquals(200, send("GET", "/api/v1/me", fresh, null).statusCode(), "this browser's new session");
            assertEquals(401, send("GET", "/api/v1/me", first, null).statusCode(), "the old session of this browser");
            assertEquals(401, send("GET", "/api/v1/me", other, null).statusCode(), "another browser's session");
            assertEquals(
                    401,
                    send("POST", "/api/v1/login", null, Map.of("user", "admin", "password", pw))
                            .statusCode());
            login("new password 1");
            String audit = Files.readString(state.resolve("audit.log"));
            assertTrue(
                    audit.contains("\"action\":\"passwd\",\"outcome\":\"ok\"")
                            && audit.contains("\"action\":\"passwd\",\"outcome\":\"failed\""),
                    audit);
        }
    }
}
