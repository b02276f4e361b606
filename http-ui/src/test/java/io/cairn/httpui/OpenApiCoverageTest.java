package io.cairn.httpui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The hand-written {@code openapi.json} against the routes the server registers: every
 * {@code routes.get/post/put/delete(...)} under {@code /api/v1} in the sources of this module (every
 * route goes through {@code http.Routes}, which makes it state its access; nothing registers on the
 * Javalin instance directly) must be in the document with its method, and the document must list
 * nothing that is not registered.
 *
 * <p>The routes are read from the Java sources (no server is started): the first argument of each
 * registration is an expression of string literals and {@code static final String} constants of the
 * same file (such as {@code API + "/vcenters/{vc}"} or {@code PATH}), which is evaluated here.
 */
class OpenApiCoverageTest {
    private static final String API = "/api/v1";
    private static final Path SOURCES = Path.of("src/main/java");
    private static final Set<String> METHODS = Set.of("get", "post", "put", "delete", "patch");

    /** {@code routes.get(} up to the first top-level comma or closing parenthesis. */
    private static final Pattern ROUTE =
            Pattern.compile("\\broutes\\s*\\.\\s*(get|post|put|delete|patch)\\s*\\(\\s*([^,()]+?)\\s*[,)]");

    /** A registration on the Javalin instance itself, which would go around {@code Routes}. */
    private static final Pattern AROUND_ROUTES = Pattern.compile(
            "\\bapp\\s*\\.\\s*(get|post|put|delete|patch|head|options|sse|ws|addHttpHandler|addEndpoint)\\s*\\(");

    private static final Pattern CONSTANT =
            Pattern.compile("static\\s+final\\s+String\\s+(\\w+)\\s*=\\s*(\"(?:[^\"\\\\]|\\\\.)*\")\\s*;");
    private static final Pattern JAVALIN_PARAM = Pattern.compile("<([^>/]+)>");

    private static JsonNode document() throws IOException {
        try (InputStream in = OpenApiCoverageTest.class.getResourceAsStream("/io/cairn/httpui/openapi.json")) {
            assertNotNull(in, "openapi.json is not on the class path");
            return new ObjectMapper().readTree(in);
        }
    }

    /** "METHOD /path" (relative to /api/v1, OpenAPI {param} syntax) for every registered API route. */
    static Set<String> registeredRoutes() throws IOException {
        Set<String> routes = new TreeSet<>();
        List<Path> files;
        try (Stream<Path> s = Files.walk(SOURCES)) {
            files = s.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        }
        for (Path f : files) {
            String src = stripComments(Files.readString(f, StandardCharsets.UTF_8));
            Map<String, String> constants = new HashMap<>();
            Matcher c = CONSTANT.matcher(src);
            while (c.find()) {
                constants.put(c.group(1), literal(c.group(2)));
            }
            Matcher m = ROUTE.matcher(src);
            while (m.find()) {
                String path = evaluate(m.group(2), constants, f);
                if (!path.startsWith(API + "/")) {
                    continue; // the pages ("/"), not the API
                }
                path = JAVALIN_PARAM.matcher(path.substring(API.length())).replaceAll("{$1}");
                routes.add(m.group(1).toUpperCase(Locale.ROOT) + " " + path);
            }
        }
        return routes;
    }

    /** "A + \"b\" + C": string literals and the file's string constants, joined. */
    private static String evaluate(String expr, Map<String, String> constants, Path file) {
        StringBuilder out = new StringBuilder();
        for (String part : expr.split("\\+")) {
            String p = part.strip();
            if (p.startsWith("\"") && p.endsWith("\"") && p.length() >= 2) {
                out.append(literal(p));
            } else if (constants.containsKey(p)) {
                out.append(constants.get(p));
            } else {
                fail("cannot resolve the route path expression '" + expr + "' in " + file
                        + ": use string literals and static final String constants of the same file");
            }
        }
        return out.toString();
    }

    private static String literal(String quoted) {
        return quoted.substring(1, quoted.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\");
    }

    /** Removes comments (so that routes quoted in javadoc do not count), keeping string literals. */
    private static String stripComments(String src) {
        return src.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("(?m)^\\s*//.*$", " ");
    }

    static Set<String> documentedRoutes(JsonNode doc) {
        Set<String> routes = new TreeSet<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = doc.path("paths").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> p = it.next();
            for (Iterator<String> ms = p.getValue().fieldNames(); ms.hasNext(); ) {
                String method = ms.next();
                if (METHODS.contains(method)
                        || Set.of("head", "options", "trace").contains(method)) {
                    routes.add(method.toUpperCase(Locale.ROOT) + " " + p.getKey());
                }
            }
        }
        return routes;
    }

    @Test
    void documentIsOpenApi303Json() throws IOException {
        JsonNode doc = document();
        assertTrue(
                doc.path("openapi").asText().matches("3\\.0\\.\\d+"),
                "openapi must be 3.0.x, is " + doc.get("openapi"));
        assertEquals(API, doc.path("servers").path(0).path("url").asText(), "the server URL the paths are relative to");
        assertTrue(doc.path("paths").isObject() && doc.path("paths").size() > 0, "no paths");
        JsonNode schemes = doc.path("components").path("securitySchemes");
        assertEquals("cairn_session", schemes.path("session").path("name").asText());
        assertEquals("X-CSRF-Token", schemes.path("csrf").path("name").asText());
    }

    @Test
    void routesFoundInTheSources() throws IOException {
        Set<String> routes = registeredRoutes();
        // a guard against the scan silently finding nothing (e.g. the sources moved)
        for (String r : List.of(
                "POST /login",
                "GET /vcenters",
                "POST /backups/{id}/restore-vm",
                "PUT /schedules/{id}",
                "POST /maintenance/gc")) {
            assertTrue(routes.contains(r), "the source scan did not find " + r + "; found " + routes);
        }
    }

    @Test
    void noRouteGoesAroundRoutes() throws IOException {
        List<String> found = new ArrayList<>();
        try (Stream<Path> s = Files.walk(SOURCES)) {
            for (Path f : s.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                if (f.endsWith(Path.of("io/cairn/httpui/http/Routes.java"))) {
                    continue; // the one place that adds handlers to Javalin
                }
                Matcher m = AROUND_ROUTES.matcher(stripComments(Files.readString(f, StandardCharsets.UTF_8)));
                while (m.find()) {
                    found.add(f + ": " + m.group());
                }
            }
        }
        assertTrue(found.isEmpty(), "routes registered without Routes (so without a stated access): " + found);
    }

    @Test
    void everyRegisteredRouteIsDocumentedAndNothingElse() throws IOException {
        Set<String> registered = registeredRoutes();
        Set<String> documented = documentedRoutes(document());
        Set<String> missing = new TreeSet<>(registered);
        missing.removeAll(documented);
        Set<String> extra = new TreeSet<>(documented);
        extra.removeAll(registered);
        List<String> problems = new ArrayList<>();
        if (!missing.isEmpty()) {
            problems.add("registered but not in openapi.json: " + missing);
        }
        if (!extra.isEmpty()) {
            problems.add("in openapi.json but not registered: " + extra);
        }
        assertTrue(problems.isEmpty(), String.join("; ", problems));
    }

    /** Each operation names its role and the errors its security implies; mutating ones need the CSRF header. */
    @Test
    void operationsNameRoleSecurityAndErrors() throws IOException {
        JsonNode doc = document();
        List<String> problems = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = doc.path("paths").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> p = it.next();
            for (Iterator<Map.Entry<String, JsonNode>> ms = p.getValue().fields(); ms.hasNext(); ) {
                Map.Entry<String, JsonNode> m = ms.next();
                String where = m.getKey().toUpperCase(Locale.ROOT) + " " + p.getKey();
                JsonNode op = m.getValue();
                String role = op.path("x-cairn-role").asText("");
                if (!Set.of("none", "viewer", "operator", "admin").contains(role)) {
                    problems.add(where + ": x-cairn-role");
                    continue;
                }
                if (!role.equals("none")) {
                    if (!op.path("description").asText().contains("Role: " + role + ".")) {
                        problems.add(where + ": the description does not name the role");
                    }
                    for (String code : List.of("401", "403")) {
                        if (!op.path("responses").has(code)) {
                            problems.add(where + ": no " + code + " response");
                        }
                    }
                    boolean mutating = Set.of("post", "put", "delete", "patch").contains(m.getKey());
                    JsonNode security = op.has("security") ? op.get("security") : doc.path("security");
                    if (mutating && !security.path(0).has("csrf")) {
                        problems.add(where + ": mutating, but the security requirement lacks csrf");
                    }
                    if (!security.path(0).has("session")) {
                        problems.add(where + ": the security requirement lacks session");
                    }
                }
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }
}
