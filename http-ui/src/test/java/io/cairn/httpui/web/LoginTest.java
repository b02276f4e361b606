package io.cairn.httpui.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cairn.httpui.audit.AuditLog;
import io.cairn.httpui.auth.LoginGate;
import io.cairn.httpui.auth.LoginLimiter;
import io.cairn.httpui.auth.Role;
import io.cairn.httpui.auth.Sessions;
import io.cairn.httpui.auth.Users;
import io.cairn.httpui.http.Access;
import io.cairn.httpui.http.Authorization;
import io.cairn.httpui.http.Routes;
import io.javalin.Javalin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The login through real HTTP (plain: TLS is not what is tested), with the server's limits: a
 * budget of failures per client address whatever the names, and a gate that turns logins away at
 * once when too many password checks are in flight. Every attempt runs a real scrypt.
 */
@DisplayName("POST /login: limited per address, and never more than a few password checks at once")
class LoginTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PW = "correct horse battery";

    @TempDir
    Path state;

    private final HttpClient http = HttpClient.newHttpClient();
    private final LoginGate gate = new LoginGate(1);
    private final List<String> log = new ArrayList<>();
    private Javalin app;
    private AuditLog audit;

    @BeforeEach
    void start() throws Exception {
        Users users = Users.load(state);
        users.put("alice", Role.VIEWER, PW.toCharArray());
        Sessions sessions = new Sessions(Duration.ofMinutes(5), Duration.ofHours(1), users::stamp);
        audit = new AuditLog(state.resolve("audit.log"), log::add);
        SessionController c =
                new SessionController(users, sessions, new LoginLimiter(5, 20, Duration.ofMinutes(1)), gate, audit);
        app = Javalin.create(cfg -> cfg.showJavalinBanner = false);
        app.beforeMatched(new Authorization(sessions)::check);
        new ErrorMapping(log::add).install(app);
        new Routes(app).post("/login", Access.PUBLIC, c::login);
        app.start("127.0.0.1", 0);
    }

    @AfterEach
    void stop() throws Exception {
        app.stop();
        audit.close();
    }

    private HttpResponse<String> login(String user, String password) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/login"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(
                                JSON.writeValueAsString(Map.of("user", user, "password", password))))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    @DisplayName("20 failures under 20 made-up names, then even the right password from that address is 429")
    void budgetPerAddress() throws Exception {
        for (int i = 0; i < 20; i++) {
            HttpResponse<String> r = login("made-up-" + i, "guess");
            assertEquals(401, r.statusCode(), "attempt " + i + ": " + r.body());
        }
        HttpResponse<String> r = login("alice", PW);
        assertEquals(429, r.statusCode(), r.body());
        assertTrue(r.body().contains("from this address"), r.body());
        assertTrue(Files.readString(state.resolve("audit.log")).contains("\"outcome\":\"rate-limited\""));
    }

    @Test
    @DisplayName("while the password checks in flight are at the limit, a login is 503 at once; then it works again")
    void gate() throws Exception {
        assertTrue(gate.tryEnter(), "the test takes the one place");
        long start = System.nanoTime();
        HttpResponse<String> busy = login("alice", PW);
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertEquals(503, busy.statusCode(), busy.body());
        assertTrue(busy.body().contains("busy"), busy.body());
        assertTrue(ms < 2_000, "a turned-away login waited " + ms + " ms");
        gate.exit();
        HttpResponse<String> ok = login("alice", PW);
        assertEquals(200, ok.statusCode(), ok.body());
        assertEquals("viewer", JSON.readTree(ok.body()).get("role").asText());
        assertTrue(gate.tryEnter(), "a finished login gives its place back");
        gate.exit();
    }
}
