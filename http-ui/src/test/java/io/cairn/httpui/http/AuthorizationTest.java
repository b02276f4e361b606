package io.cairn.httpui.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.httpui.auth.Role;
import io.cairn.httpui.auth.Sessions;
import io.cairn.httpui.web.ErrorMapping;
import io.javalin.Javalin;
import io.javalin.http.staticfiles.Location;
import io.javalin.security.RouteRole;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Deny by default, through real HTTP: a Javalin server on 127.0.0.1 (plain HTTP: TLS is not what is
 * tested here) with the server's authorization and error mapping, routes registered through
 * {@link Routes} and one registered around it without any role.
 */
@DisplayName("Authorization: every route states its access; one that does not is refused")
class AuthorizationTest {
    private final Sessions sessions = new Sessions(Duration.ofMinutes(5));
    private final List<String> log = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();
    private Javalin app;
    private Routes routes;

    @TempDir
    static Path pages;

    @BeforeEach
    void start() throws Exception {
        Files.writeString(pages.resolve("index.html"), "<!doctype html><title>page</title>");
        app = Javalin.create(c -> {
            c.showJavalinBanner = false;
            c.staticFiles.add(sf -> {
                sf.hostedPath = "/";
                sf.directory = pages.toString();
                sf.location = Location.EXTERNAL;
            });
        });
        app.beforeMatched(new Authorization(sessions)::check);
        new ErrorMapping(log::add).install(app);
        routes = new Routes(app);
        routes.get("/open", Access.PUBLIC, ctx -> ctx.result("open"));
        routes.post("/open-post", Access.PUBLIC, ctx -> ctx.result("posted"));
        routes.get(
                "/viewer",
                Role.VIEWER,
                ctx -> ctx.result("hello " + Authorization.session(ctx).user()));
        routes.post("/operator", Role.OPERATOR, ctx -> ctx.result("done"));
        // a route added the way a hurried change might add one: no role, not through Routes
        app.get("/forgotten", ctx -> ctx.result("let through"));
        app.start("127.0.0.1", 0);
    }

    @AfterEach
    void stop() {
        app.stop();
    }

    private HttpResponse<String> send(String method, String path, Sessions.Session s, boolean csrf) throws Exception {
        return send(method, path, s, csrf, method.equals("GET") ? null : "application/json");
    }

    private HttpResponse<String> send(String method, String path, Sessions.Session s, boolean csrf, String type)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (type != null) {
            b.header("Content-Type", type);
        }
        if (s != null) {
            b.header("Cookie", Sessions.COOKIE + "=" + s.id());
            if (csrf) {
                b.header(Authorization.CSRF_HEADER, s.csrf());
            }
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    @DisplayName("a route added without a role is refused: 401 without a session, 403 even to an admin")
    void routeWithoutRole() throws Exception {
        HttpResponse<String> anonymous = send("GET", "/forgotten", null, false);
        assertEquals(401, anonymous.statusCode(), anonymous.body());
        for (Role r : Role.values()) {
            HttpResponse<String> res = send("GET", "/forgotten", sessions.create("u-" + r, r), false);
            assertEquals(403, res.statusCode(), r + ": " + res.body());
            assertTrue(res.body().contains("deny by default"), res.body());
            assertFalse(res.body().contains("let through"));
        }
    }

    @Test
    @DisplayName("an explicitly public route and the static pages are open to anyone")
    void publicRoute() throws Exception {
        HttpResponse<String> res = send("GET", "/open", null, false);
        assertEquals(200, res.statusCode());
        assertEquals("open", res.body());
        for (String page : List.of("/", "/index.html")) {
            HttpResponse<String> p = send("GET", page, null, false);
            assertEquals(200, p.statusCode(), page);
            assertTrue(p.body().contains("<title>page</title>"), p.body());
        }
    }

    @Test
    @DisplayName("a role route: 401 without a session, 403 below the role, served at and above it")
    void roleRoute() throws Exception {
        assertEquals(401, send("GET", "/viewer", null, false).statusCode());
        HttpResponse<String> viewer = send("GET", "/viewer", sessions.create("ann", Role.VIEWER), false);
        assertEquals(200, viewer.statusCode());
        assertEquals("hello ann", viewer.body());
        assertEquals(
                403,
                send("POST", "/operator", sessions.create("v", Role.VIEWER), true)
                        .statusCode());
        assertEquals(
                200,
                send("POST", "/operator", sessions.create("o", Role.OPERATOR), true)
                        .statusCode());
        assertEquals(
                200,
                send("POST", "/operator", sessions.create("a", Role.ADMIN), true)
                        .statusCode());
    }

    @Test
    @DisplayName("a mutating request without the session's CSRF token is 403")
    void csrf() throws Exception {
        HttpResponse<String> res = send("POST", "/operator", sessions.create("o", Role.OPERATOR), false);
        assertEquals(403, res.statusCode());
        assertTrue(res.body().contains("CSRF"), res.body());
    }

    @Test
    @DisplayName(
            "a POST, PUT or DELETE without Content-Type: application/json is 415, on public routes too (login CSRF)")
    void jsonOnly() throws Exception {
        Sessions.Session o = sessions.create("o", Role.OPERATOR);
        for (String type :
                new String[] {null, "application/x-www-form-urlencoded", "text/plain", "multipart/form-data"}) {
            HttpResponse<String> open = send("POST", "/open-post", null, false, type);
            assertEquals(415, open.statusCode(), type + ": " + open.body());
            assertTrue(open.body().contains("Content-Type: application/json"), open.body());
            assertEquals(415, send("POST", "/operator", o, true, type).statusCode(), String.valueOf(type));
        }
        assertEquals(
                200,
                send("POST", "/open-post", null, false, "application/json; charset=utf-8")
                        .statusCode());
        assertEquals(200, send("POST", "/operator", o, true, "Application/JSON").statusCode());
        assertEquals(401, send("POST", "/operator", null, false, "text/plain").statusCode(), "no session comes first");
        assertEquals(200, send("GET", "/open", null, false, null).statusCode(), "a GET needs none");
    }

    @Test
    @DisplayName("Routes refuses to register a route whose access is neither a role nor PUBLIC")
    void registrationNeedsAccess() {
        assertThrows(IllegalArgumentException.class, () -> routes.get("/x", null, ctx -> {}));
        RouteRole other = new RouteRole() {};
        assertThrows(IllegalArgumentException.class, () -> routes.get("/y", other, ctx -> {}));
        assertThrows(IllegalArgumentException.class, () -> routes.get("*", Role.ADMIN, ctx -> {}));
        assertEquals(
                List.of("/open", "/open-post", "/viewer", "/operator"),
                routes.list().stream().map(Routes.Route::path).toList());
    }
}
