package io.cairn.httpui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cairn.httpui.auth.LoginLimiter;
import io.cairn.httpui.auth.Role;
import io.cairn.httpui.auth.Sessions;
import io.cairn.httpui.auth.Users;
import io.cairn.httpui.files.Archives;
import io.cairn.httpui.files.BackupFiles;
import io.cairn.httpui.files.FileSender;
import io.cairn.httpui.files.PathOutsideBackupException;
import io.cairn.httpui.jobs.Jobs;
import io.cairn.httpui.maintenance.Maintenance;
import io.cairn.httpui.schedule.Scheduler;
import io.cairn.httpui.schedule.Schedules;
import io.cairn.httpui.tls.Certificates;
import io.cairn.operations.job.Job;
import io.cairn.repository.Repository;
import io.cairn.repository.backup.Restorer;
import io.cairn.repository.error.BackupNotFoundException;
import io.cairn.repository.maintenance.Stats;
import io.cairn.repository.manifest.Manifest;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpResponseException;
import io.javalin.http.staticfiles.Location;
import io.javalin.security.RouteRole;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The appliance web UI: HTTPS only (Javalin over Jetty), the JSON API under {@code /api/v1} and the
 * browser pages from {@code public/} on the class path. Reads backups' files through its own FUSE
 * mount of the repository at {@code <state>/mnt}. Errors are translated here, once, into
 * {@code {"error": "one line"}} with a status; nothing else reaches the client.
 */
public final class UiServer implements AutoCloseable {
    static final String API = "/api/v1";
    private static final int MAX_BODY = Api.MAX_BODY;
    private static final String CSRF_HEADER = "X-CSRF-Token";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final UiConfig config;
    private final Repository repo;
    private final Sessions sessions = new Sessions(Duration.ofMinutes(30));
    private final LoginLimiter limiter = new LoginLimiter(5, Duration.ofMinutes(1));
    private Users users;
    private AuditLog audit;
    private BackupFiles files;
    private Jobs jobs;
    private Scheduler scheduler;
    private io.cairn.httpui.vcenter.VcenterConnections vcenters; // set by routes(), used by the scheduler
    private Javalin app;
    private String fingerprint;

    private volatile CachedList listing;
    private StatsCache stats;

    private record CachedList(long at, List<Repository.Listed> backups) {}

    private UiServer(UiConfig config) {
        this.config = config;
        this.repo = config.repository();
    }

    /**
     * Starts the server: state directory, users (a first admin with a password printed once), TLS
     * key, the FUSE mount, then the listener.
     */
    public static UiServer start(UiConfig config) throws IOException {
        UiServer s = new UiServer(config);
        try {
            s.startUp();
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
        return s;
    }

    private void startUp() throws IOException {
        Path state = config.stateDir();
        Files.createDirectories(state);
        Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwx------"));
        users = Users.load(state);
        if (users.isEmpty()) {
            String pw = Users.randomPassword(20);
            users.put("admin", Role.ADMIN, pw.toCharArray());
            System.out.println("created the user 'admin' with the password " + pw + " (shown only this once)");
            System.out.flush();
        }
        Certificates.Keys keys = config.keystore() != null
                ? Certificates.load(config.keystore(), config.keystorePassword())
                : Certificates.generatedOrExisting(state);
        fingerprint = keys.fingerprint();
        audit = new AuditLog(state.resolve("audit.log"));
        files = BackupFiles.mount(
                repo,
                "cairn-ui:" + config.repositoryPath().toAbsolutePath().normalize(),
                state.resolve("mnt"),
                config.threads(),
                UiServer::log);
        jobs = new Jobs(repo, config.threads(), state, UiServer::log);
        stats = new StatsCache(repo, UiServer::log);
        stats.refresh(repo.backups().stream().map(l -> l.ref().id()).toList()); // the first dashboard need not wait
        boolean hasPages = UiServer.class.getResource("/public/index.html") != null;
        app = Javalin.create(c -> {
            c.showJavalinBanner = false;
            c.http.maxRequestSize = MAX_BODY;
            c.http.disableCompression();
            c.jetty.threadPool = new QueuedThreadPool(Math.max(16, 4 * config.threads()), 4, 60_000);
            c.jetty.addConnector((server, httpConfig) -> {
                SslContextFactory.Server ssl = new SslContextFactory.Server();
                ssl.setKeyStorePath(keys.keystore().toString());
                ssl.setKeyStorePassword(new String(keys.password()));
                ssl.setKeyStoreType("PKCS12");
                ssl.setIncludeProtocols("TLSv1.3", "TLSv1.2");
                HttpConfiguration https = new HttpConfiguration(httpConfig);
                SecureRequestCustomizer src = new SecureRequestCustomizer();
                src.setSniHostCheck(false); // reached by IP or any host name: the certificate is pinned by fingerprint
                https.addCustomizer(src);
                https.setSendServerVersion(false);
                ServerConnector conn = new ServerConnector(
                        server, new SslConnectionFactory(ssl, "http/1.1"), new HttpConnectionFactory(https));
                conn.setHost(config.bind());
                conn.setPort(config.port());
                return conn;
            });
            if (hasPages) {
                c.staticFiles.add(sf -> {
                    sf.hostedPath = "/";
                    sf.directory = "/public";
                    sf.location = Location.CLASSPATH;
                    sf.headers = Map.of("Cache-Control", "no-cache", "X-Content-Type-Options", "nosniff");
                });
            }
        });
        routes(hasPages);
        scheduler =
                Schedules.register(app, repo, jobs, vcenters, state, config.threads(), config.vddk(), UiServer::log);
        Maintenance.register(app, repo, jobs, config.threads());
        app.start();
        scheduler.start();
        System.out.println(
                "cairn web UI on https://" + (config.bind().contains(":") ? "[" + config.bind() + "]" : config.bind())
                        + ":" + port() + "/ (certificate SHA-256 fingerprint " + fingerprint + ")");
        System.out.flush();
    }

    /** The port listened on (useful with port 0). */
    public int port() {
        return app.port();
    }

    public String fingerprint() {
        return fingerprint;
    }

    public Path mountPoint() {
        return files.mountPoint();
    }

    static void log(String message) {
        System.err.println(Instant.now().toString().substring(0, 19) + "Z " + message);
    }

    @Override
    public void close() {
        if (app != null) {
            app.stop();
        }
        if (scheduler != null) {
            scheduler.close();
        }
        if (jobs != null) {
            jobs.close();
        }
        if (files != null) {
            files.close();
        }
        if (audit != null) {
            try {
                audit.close();
            } catch (IOException ignored) {
                // nothing left to flush: every line was forced
            }
        }
    }

    // ---- routes ----

    /**
     * Sent with every answer: the pages load only cairn's own files (no inline script, no other
     * origin, no framing), so a file name or a VM name that slipped past textContent still could
     * not run as script, and another site cannot frame the UI to trick a click.
     */
    private static final Map<String, String> SECURITY_HEADERS = Map.of(
            "Content-Security-Policy",
                    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
                            + " connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
            "X-Frame-Options", "DENY",
            "Referrer-Policy", "no-referrer",
            "X-Content-Type-Options", "nosniff");

    private void routes(boolean hasPages) {
        app.before(ctx -> SECURITY_HEADERS.forEach(ctx::header));
        app.beforeMatched(this::authorize);
        app.exception(Exception.class, this::error);
        app.error(404, ctx -> {
            // Javalin answers an unmatched path itself, in text/plain; our own 404s are JSON already
            String type = ctx.res().getContentType();
            if (ctx.path().startsWith("/api/") && (type == null || !type.startsWith("application/json"))) {
                Api.json(ctx, 404, Map.of("error", "no such endpoint"));
            }
        });
        app.error(405, ctx -> Api.json(ctx, 405, Map.of("error", "method not allowed")));
        if (!hasPages) {
            app.get(
                    "/",
                    ctx -> ctx.contentType("text/html; charset=utf-8")
                            .result(
                                    "<!doctype html><title>cairn</title><p>The cairn web UI pages are not installed; the API is at "
                                            + API + " (see " + API + "/openapi.json).</p>"));
        }
        app.get(API + "/openapi.json", ctx -> {
            try (InputStream in = UiServer.class.getResourceAsStream("/io/cairn/httpui/openapi.json")) {
                ctx.contentType("application/json").result(in.readAllBytes());
            }
        });
        app.post(API + "/login", this::login);
        app.post(API + "/logout", this::logout, Role.VIEWER);
        app.get(
                API + "/me",
                ctx -> {
                    Sessions.Session s = ctx.attribute("session");
                    Api.json(ctx, 200, me(s));
                },
                Role.VIEWER);
        app.get(
                API + "/users",
                ctx -> {
                    List<Map<String, Object>> out = new ArrayList<>();
                    for (Users.User u : users.list()) {
                        out.add(Map.of("name", u.name(), "role", u.role()));
                    }
                    Api.json(ctx, 200, out);
                },
                Role.ADMIN);
        app.get(API + "/dashboard", this::dashboard, Role.VIEWER);
        app.get(API + "/vms", this::vms, Role.VIEWER);
        app.get(API + "/vms/{name}/backups", this::vmBackups, Role.VIEWER);
        app.get(API + "/backups/{id}", this::backup, Role.VIEWER);
        app.get(API + "/backups/{id}/files", this::files, Role.VIEWER);
        app.get(API + "/backups/{id}/search", this::search, Role.VIEWER);
        app.get(API + "/backups/{id}/download", this::download, Role.OPERATOR);
        app.get(API + "/backups/{id}/archive", this::archive, Role.OPERATOR);
        app.post(API + "/backups/{id}/restore", this::restore, Role.OPERATOR);
        app.get(
                API + "/jobs",
                ctx -> {
                    List<Object> out = new ArrayList<>();
                    for (Job j : jobs.list()) {
                        if (out.size() == 200) {
                            break; // the newest 200: a page, not the appliance's whole history
                        }
                        out.add(job(j));
                    }
                    Api.json(ctx, 200, out);
                },
                Role.VIEWER);
        app.get(API + "/jobs/{id}", ctx -> Api.json(ctx, 200, job(job(ctx))), Role.VIEWER);
        app.get(API + "/jobs/{id}/events", this::events, Role.VIEWER);
        app.post(
                API + "/jobs/{id}/cancel",
                ctx -> {
                    Job j = job(ctx);
                    jobs.cancel(j);
                    Api.json(ctx, 202, job(j));
                },
                Role.OPERATOR);
        vcenters = io.cairn.httpui.vcenter.VcenterApi.register(
                app,
                config.stateDir(),
                repo,
                jobs,
                (user, ip, action, backup, path, outcome) ->
                        audit.record(user, ip, action, backup, path, null, outcome));
    }

    /** Authentication (401), CSRF (403) and role (403), before every endpoint that names a role. */
    private void authorize(Context ctx) {
        Set<RouteRole> roles = ctx.routeRoles();
        if (roles.isEmpty()) {
            return;
        }
        Sessions.Session s = sessions.get(ctx.cookie(Sessions.COOKIE));
        if (s == null) {
            throw new ApiException(401, "not logged in");
        }
        HandlerType m = ctx.method();
        if (m == HandlerType.POST || m == HandlerType.PUT || m == HandlerType.DELETE || m == HandlerType.PATCH) {
            String token = ctx.header(CSRF_HEADER);
            if (token == null
                    || !java.security.MessageDigest.isEqual(
                            token.getBytes(StandardCharsets.UTF_8), s.csrf().getBytes(StandardCharsets.UTF_8))) {
                throw new ApiException(403, "missing or wrong CSRF token");
            }
        }
        for (RouteRole r : roles) {
            if (!s.role().includes((Role) r)) {
                throw new ApiException(403, "this needs the " + ((Role) r).jsonName() + " role");
            }
        }
        ctx.attribute("session", s);
    }

    /** The one translation of failures into responses. */
    private void error(Exception e, Context ctx) {
        int status;
        String message;
        if (e instanceof ApiException a) {
            status = a.status();
            message = a.getMessage();
        } else if (e instanceof PathOutsideBackupException) {
            status = 400;
            message = "path outside the backup";
        } else if (e instanceof NoSuchFileException) {
            status = 404;
            message = "no such file or directory";
        } else if (e instanceof BackupNotFoundException) {
            status = 404;
            message = "no such backup";
        } else if (e instanceof HttpResponseException h) {
            status = h.getStatus();
            message = h.getStatus() == 413 ? "request body too large (at most 64 KiB)" : h.getMessage();
        } else if (e instanceof Archives.ClientGoneException) {
            return; // nobody to answer
        } else {
            status = 500;
            message = "internal error";
            log("internal error on " + ctx.method() + " " + ctx.path() + ": " + e);
        }
        if (ctx.res().isCommitted()) {
            return; // a streamed response that failed midway: Jetty cuts the connection short of Content-Length
        }
        Api.json(ctx, status, Map.of("error", message == null ? "error" : message.replace('\n', ' ')));
    }

    private static String text(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || !v.isTextual()) {
            throw ApiException.badRequest("'" + field + "' is required (a string)");
        }
        return v.asText();
    }

    // ---- login ----

    private Map<String, Object> me(Sessions.Session s) {
        return Map.of("user", s.user(), "role", s.role().jsonName(), "csrf", s.csrf());
    }

    private void login(Context ctx) throws IOException {
        JsonNode b = Api.body(ctx);
        String user = text(b, "user");
        String password = text(b, "password");
        String ip = ctx.ip();
        if (user.length() > 256 || password.length() > 1024) {
            throw ApiException.badRequest("user or password too long");
        }
        if (!limiter.allowed(user, ip)) {
            audit.record(user, ip, "login", null, null, null, "rate-limited");
            throw new ApiException(429, "too many failed logins; wait a minute");
        }
        Role role = users.authenticate(user, password.toCharArray());
        if (role == null) {
            limiter.failed(user, ip);
            audit.record(user, ip, "login", null, null, null, "failed");
            throw new ApiException(401, "wrong user name or password");
        }
        limiter.succeeded(user, ip);
        Sessions.Session old = sessions.get(ctx.cookie(Sessions.COOKIE));
        if (old != null) {
            sessions.invalidate(old.id());
        }
        Sessions.Session s = sessions.create(user, role);
        ctx.header("Set-Cookie", Sessions.COOKIE + "=" + s.id() + "; Path=/; Secure; HttpOnly; SameSite=Strict");
        audit.record(user, ip, "login", null, null, null, "ok");
        Api.json(ctx, 200, me(s));
    }

    private void logout(Context ctx) {
        Sessions.Session s = ctx.attribute("session");
        sessions.invalidate(s.id());
        ctx.header("Set-Cookie", Sessions.COOKIE + "=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0");
        audit.record(s.user(), ctx.ip(), "logout", null, null, null, "ok");
        Api.json(ctx, 200, Map.of("user", s.user()));
    }

    // ---- read-only views ----

    private List<Repository.Listed> backups() throws IOException {
        CachedList c = listing;
        long now = System.nanoTime();
        if (c == null || now - c.at() > 2_000_000_000L) {
            c = new CachedList(now, repo.backups());
            listing = c;
        }
        return c.backups();
    }

    /** The backup named by {id}: 404 when unknown or pruned since the listing was cached. */
    private Repository.Listed backup(Context ctx, String id) throws IOException {
        if (!id.matches("[0-9a-f]{4,64}")) {
            throw ApiException.notFound("no such backup");
        }
        for (Repository.Listed l : backups()) {
            if (l.ref().id().equals(id)) {
                if (repo.store().stat(l.ref().manifestKey()).isEmpty()) {
                    listing = null;
                    break;
                }
                return l;
            }
        }
        throw ApiException.notFound("no such backup");
    }

    private void dashboard(Context ctx) throws IOException {
        List<Repository.Listed> all = backups();
        List<String> ids = all.stream().map(l -> l.ref().id()).toList();
        Stats.Report r = stats.get(ids);
        Map<String, Object> repoInfo = new LinkedHashMap<>();
        repoInfo.put("id", repo.config().id());
        repoInfo.put(
                "path", config.repositoryPath().toAbsolutePath().normalize().toString());
        repoInfo.put("logicalBytes", r.logicalBytes());
        repoInfo.put("storedBytes", r.repositoryBytes());
        repoInfo.put("uniqueBytes", r.uniqueBytes());
        repoInfo.put("dedupRatio", r.dedupRatio());
        repoInfo.put("compressionRatio", r.compressionRatio());
        repoInfo.put("chunks", r.uniqueChunks());
        List<Map<String, Object>> history = new ArrayList<>();
        long stored = 0;
        long logical = 0;
        for (Repository.Listed l : all) {
            logical += l.manifest().logicalBytes();
            for (Manifest.DiskEntry d : l.manifest().disks()) {
                stored += d.stats() == null ? 0 : d.stats().storedBytes();
            }
            history.add(
                    Map.of("time", l.manifest().instant().toString(), "storedBytes", stored, "logicalBytes", logical));
        }
        List<Object> last = new ArrayList<>();
        for (Job j : jobs.list()) {
            if (last.size() >= 10) {
                break;
            }
            last.add(job(j));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("repository", repoInfo);
        // counted from the listing, not the (possibly a moment old) statistics: a new backup shows at once
        out.put(
                "vms",
                all.stream().map(l -> l.manifest().vm().identity()).distinct().count());
        out.put("backups", all.size());
        out.put("history", history);
        out.put("lastJobs", last);
        out.put("schedules", scheduler == null ? List.of() : scheduler.overview());
        Api.json(ctx, 200, out);
    }

    /** Backups grouped by VM identity, oldest first within each; the newest backup names the VM. */
    private Map<String, List<Repository.Listed>> byVm() throws IOException {
        Map<String, List<Repository.Listed>> m = new LinkedHashMap<>();
        for (Repository.Listed l : backups()) {
            m.computeIfAbsent(l.manifest().vm().identity(), k -> new ArrayList<>())
                    .add(l);
        }
        return m;
    }

    private void vms(Context ctx) throws IOException {
        List<Map<String, Object>> out = new ArrayList<>();
        Map<String, Scheduler.VmFailure> failures = scheduler == null ? Map.of() : scheduler.vmFailures();
        for (List<Repository.Listed> bs : byVm().values()) {
            Repository.Listed last = bs.get(bs.size() - 1);
            Manifest.VmIdentity vm = last.manifest().vm();
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("name", vm.name());
            v.put("identity", vm.identity());
            v.put("instanceUuid", vm.instanceUuid());
            v.put("backups", bs.size());
            v.put(
                    "lastBackup",
                    Map.of(
                            "id",
                            last.ref().id(),
                            "time",
                            last.manifest().instant().toString(),
                            "logicalBytes",
                            last.manifest().logicalBytes()));
            // "failed" while a scheduled backup failed after the last good one; else how consistent that one is
            Map<String, Object> state = new LinkedHashMap<>();
            Scheduler.VmFailure f = failures.get(vm.name());
            if (f != null && f.finished().isAfter(last.manifest().instant())) {
                state.put("kind", "failed");
                state.put("message", "schedule '" + f.schedule() + "' at " + f.finished() + ": " + f.reason());
            } else {
                state.put("kind", "ok");
            }
            state.put("consistency", last.manifest().labels().get("consistency"));
            v.put("state", state);
            out.add(v);
        }
        // a VM whose every scheduled backup failed has no backup to list it by, yet it is the one to see
        java.util.Set<Object> named = new java.util.HashSet<>();
        out.forEach(v -> named.add(v.get("name")));
        failures.forEach((name, f) -> {
            if (!named.contains(name)) {
                Map<String, Object> v = new LinkedHashMap<>();
                v.put("name", name);
                v.put("identity", null);
                v.put("instanceUuid", null);
                v.put("backups", 0);
                v.put("lastBackup", null);
                v.put(
                        "state",
                        Map.of(
                                "kind",
                                "failed",
                                "message",
                                "schedule '" + f.schedule() + "' at " + f.finished() + ": " + f.reason()));
                out.add(v);
            }
        });
        out.sort((a, b) -> String.valueOf(a.get("name")).compareTo(String.valueOf(b.get("name"))));
        Api.json(ctx, 200, out);
    }

    private void vmBackups(Context ctx) throws IOException {
        String name = ctx.pathParam("name");
        List<Repository.Listed> match = new ArrayList<>();
        for (Map.Entry<String, List<Repository.Listed>> e : byVm().entrySet()) {
            List<Repository.Listed> bs = e.getValue();
            if (name.equals(bs.get(bs.size() - 1).manifest().vm().name()) || name.equals(e.getKey())) {
                match.addAll(bs);
            }
        }
        if (match.isEmpty()) {
            throw ApiException.notFound("no VM named '" + name + "' has backups");
        }
        match.sort((a, b) -> b.manifest().instant().compareTo(a.manifest().instant()));
        List<Map<String, Object>> out = new ArrayList<>();
        for (Repository.Listed l : match) {
            Map<String, Object> b = new LinkedHashMap<>();
            b.put("id", l.ref().id());
            b.put("time", l.manifest().instant().toString());
            b.put("labels", l.manifest().labels());
            b.put("logicalBytes", l.manifest().logicalBytes());
            List<Map<String, Object>> disks = new ArrayList<>();
            for (Manifest.DiskEntry d : l.manifest().disks()) {
                disks.add(Map.of("name", d.name(), "capacity", d.capacity()));
            }
            b.put("disks", disks);
            out.add(b);
        }
        Api.json(ctx, 200, out);
    }

    private void backup(Context ctx) throws IOException {
        Repository.Listed l = backup(ctx, ctx.pathParam("id"));
        Manifest m = l.manifest();
        ObjectNode o = JSON.createObjectNode();
        o.put("id", m.id());
        o.put("time", m.instant().toString());
        ObjectNode vm = o.putObject("vm");
        vm.put("name", m.vm().name());
        vm.put("identity", m.vm().identity());
        vm.put("instanceUuid", m.vm().instanceUuid());
        vm.put("vcenterUuid", m.vm().vcenterUuid());
        o.set("labels", JSON.valueToTree(m.labels()));
        o.set("config", m.config() == null ? JSON.nullNode() : m.config());
        ArrayNode disks = o.putArray("disks");
        for (Manifest.DiskEntry d : m.disks()) {
            ObjectNode dn = disks.addObject();
            dn.put("name", d.name());
            dn.put("capacity", d.capacity());
            dn.set("metadata", JSON.valueToTree(d.metadata()));
            dn.set("stats", d.stats() == null ? JSON.nullNode() : JSON.valueToTree(d.stats()));
        }
        ArrayNode fs = o.putArray("files");
        for (Manifest.FileEntry f : m.files()) {
            fs.addObject().put("role", f.role()).put("name", f.name()).put("size", f.size());
        }
        ObjectNode enc = o.putObject("encryption");
        enc.put("keyId", m.encryption() == null ? null : m.encryption().keyId());
        ArrayNode vols = o.putArray("volumes");
        Path dir = files.backupDir(l, backups());
        if (dir != null) {
            Path v = dir.resolve("volumes");
            for (BackupFiles.Entry e : files.list(v)) {
                if (e.name().equals("UNSUPPORTED.txt")) {
                    o.put("unsupported", Files.readString(v.resolve(e.name()), StandardCharsets.UTF_8));
                } else {
                    vols.add(e.name());
                }
            }
        }
        Api.json(ctx, 200, o);
    }

    private Path dirOf(Repository.Listed l) throws IOException {
        Path dir = files.backupDir(l, backups());
        if (dir == null) {
            throw ApiException.notFound(
                    "the files of backup " + l.ref().id() + " are not visible yet; try again in a few seconds");
        }
        return dir;
    }

    private void files(Context ctx) throws IOException {
        Repository.Listed l = backup(ctx, ctx.pathParam("id"));
        BackupFiles.Resolved r = files.resolve(l, dirOf(l), ctx.queryParam("path"));
        if (!r.attributes().isDirectory()) {
            throw ApiException.badRequest("not a directory");
        }
        List<Map<String, Object>> entries = new ArrayList<>();
        for (BackupFiles.Entry e : files.list(r.path())) {
            entries.add(Map.of(
                    "name",
                    e.name(),
                    "type",
                    e.type(),
                    "size",
                    e.size(),
                    "modified",
                    e.modified().toString()));
        }
        Api.json(ctx, 200, Map.of("path", r.relative(), "entries", entries));
    }

    private void search(Context ctx) throws IOException {
        Repository.Listed l = backup(ctx, ctx.pathParam("id"));
        String q = ctx.queryParam("q");
        if (q == null || q.isEmpty() || q.length() > 256) {
            throw ApiException.badRequest("'q' is required (1 to 256 characters)");
        }
        BackupFiles.Resolved r = files.resolve(l, dirOf(l), ctx.queryParam("path"));
        if (!r.attributes().isDirectory()) {
            throw ApiException.badRequest("not a directory");
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (BackupFiles.Hit h : files.search(r, q, 200)) {
            out.add(Map.of(
                    "path", h.path(), "size", h.size(), "modified", h.modified().toString()));
        }
        Api.json(ctx, 200, out);
    }

    // ---- downloads ----

    private static String attachment(String name) {
        String ascii = name.replaceAll("[^A-Za-z0-9._-]", "_");
        String enc = URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
        return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + enc;
    }

    /**
     * A shared repository lock for the length of one download: the server's mount itself holds none
     * (it would keep gc out for as long as the server runs), so gc can run between downloads and
     * waits for (or is refused by) the ones in flight.
     */
    private io.cairn.repository.lock.Lock readLock(String what) throws IOException {
        try {
            return repo.locks().acquireForReading(what + " (web UI)", java.time.Duration.ofSeconds(30));
        } catch (io.cairn.repository.lock.LockConflictException e) {
            throw new ApiException(
                    503, "the repository is busy with maintenance (" + e.getMessage() + "); try again shortly");
        }
    }

    private void download(Context ctx) throws IOException {
        try (io.cairn.repository.lock.Lock lock = readLock("download")) {
            download0(ctx);
        }
    }

    private void download0(Context ctx) throws IOException {
        Sessions.Session s = ctx.attribute("session");
        Repository.Listed l = backup(ctx, ctx.pathParam("id"));
        BackupFiles.Resolved r = files.resolve(l, dirOf(l), ctx.queryParam("path"));
        if (!r.attributes().isRegularFile()) {
            throw ApiException.badRequest("not a file");
        }
        long size = r.attributes().size();
        String name = r.relative().substring(r.relative().lastIndexOf('/') + 1);
        ctx.status(200);
        ctx.header("Content-Type", "application/octet-stream");
        ctx.header("Content-Disposition", attachment(name));
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.res().setContentLengthLong(size);
        String outcome = "failed";
        long sent = 0;
        try {
            FileSender.Result res = FileSender.send(r.path(), size, ctx.res().getOutputStream());
            sent = res.sent();
            outcome = switch (res.failure()) {
                case NONE -> "ok";
                case READ, SHORT -> "failed";
                case WRITE -> "aborted";
            };
            if (res.failure() == FileSender.Failure.READ) {
                log("download of " + r.relative() + " from backup " + l.ref().id() + " failed after " + sent
                        + " bytes: " + res.error().getMessage());
            } else if (res.failure() == FileSender.Failure.WRITE) {
                log("client " + ctx.ip() + " went away during the download of " + r.relative() + " after " + sent
                        + " bytes");
            }
        } finally {
            audit.record(s.user(), ctx.ip(), "download", l.ref().id(), r.relative(), sent, outcome);
        }
        if (!outcome.equals("ok")) {
            abort(ctx);
        }
    }

    /** Cuts the connection so a short response cannot pass for a complete one. */
    private static void abort(Context ctx) {
        try {
            if (ctx.req() instanceof org.eclipse.jetty.server.Request jr) {
                jr.getHttpChannel().abort(new IOException("response cut short"));
            }
        } catch (RuntimeException ignored) {
            // already gone
        }
    }

    private void archive(Context ctx) throws IOException {
        try (io.cairn.repository.lock.Lock lock = readLock("archive")) {
            archive0(ctx);
        }
    }

    private void archive0(Context ctx) throws IOException {
        Sessions.Session s = ctx.attribute("session");
        Repository.Listed l = backup(ctx, ctx.pathParam("id"));
        Archives.Format fmt;
        try {
            fmt = Archives.Format.parse(ctx.queryParam("format"));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
        BackupFiles.Resolved r = files.resolve(l, dirOf(l), ctx.queryParam("path"));
        if (!r.attributes().isDirectory()) {
            throw ApiException.badRequest("not a directory");
        }
        String top = r.relative().equals("/")
                ? l.manifest().vm().name() + "-" + l.ref().id()
                : r.relative().substring(r.relative().lastIndexOf('/') + 1);
        ctx.status(200);
        ctx.header("Content-Type", fmt.contentType);
        ctx.header("Content-Disposition", attachment(top + fmt.extension));
        String outcome = "ok";
        long bytes = 0;
        try {
            bytes = Archives.write(r.path(), top, fmt, ctx.res().getOutputStream());
        } catch (Archives.ClientGoneException e) {
            outcome = "aborted";
            log("client " + ctx.ip() + " went away during the archive of " + r.relative());
        } catch (IOException e) {
            outcome = "failed";
            log("archive of " + r.relative() + " from backup " + l.ref().id() + " failed: " + e.getMessage());
        } finally {
            audit.record(s.user(), ctx.ip(), "archive", l.ref().id(), r.relative(), bytes, outcome);
        }
        if (!outcome.equals("ok")) {
            abort(ctx);
        }
    }

    // ---- restores and jobs ----

    private void restore(Context ctx) throws IOException {
        Sessions.Session s = ctx.attribute("session");
        Repository.Listed l = backup(ctx, ctx.pathParam("id"));
        JsonNode b = Api.body(ctx);
        String to = text(b, "to");
        String format = b.hasNonNull("format") ? text(b, "format") : "raw";
        String onConflict = b.hasNonNull("onConflict") ? text(b, "onConflict") : "abort";
        if (to.indexOf('\0') >= 0 || !to.startsWith("/") || to.length() > 4096) {
            throw ApiException.badRequest("'to' must be an absolute directory path");
        }
        Path target = Path.of(to).normalize();
        if (target.startsWith(files.mountPoint()) || target.startsWith(config.stateDir())) {
            throw ApiException.badRequest("'to' must not be inside the web UI's state directory");
        }
        Restorer.Conflict conflict;
        try {
            conflict = Restorer.Conflict.valueOf(onConflict.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("'onConflict' must be abort, keep or overwrite");
        }
        if (!List.of("raw", "vmdk-flat", "vmdk-sparse", "vmdk-stream", "vmdk-2gbsparse")
                .contains(format)) {
            throw ApiException.badRequest(
                    "'format' must be raw, vmdk-flat, vmdk-sparse, vmdk-stream or vmdk-2gbsparse");
        }
        String ip = ctx.ip();
        Job j = jobs.restore(
                l,
                target,
                format,
                conflict,
                done -> audit.record(
                        s.user(),
                        ip,
                        "restore",
                        l.ref().id(),
                        target.toString(),
                        done.state() == Job.State.SUCCEEDED ? l.manifest().logicalBytes() : null,
                        done.state().name().toLowerCase(Locale.ROOT)));
        audit.record(s.user(), ip, "restore", l.ref().id(), target.toString(), null, "started");
        Api.json(ctx, 202, Map.of("job", j.id()));
    }

    private Job job(Context ctx) {
        Job j = jobs.get(ctx.pathParam("id"));
        if (j == null) {
            throw ApiException.notFound("no such job");
        }
        return j;
    }

    private Map<String, Object> job(Job j) {
        Map<String, Object> o = new LinkedHashMap<>();
        Job.Event last = jobs.lastEvent(j.id());
        o.put("id", j.id());
        o.put("kind", j.kind());
        o.put("target", j.target());
        o.put("state", j.state().name());
        o.put("phase", j.phase());
        o.put("done", j.done());
        o.put("total", j.total());
        o.put("jobDone", j.jobDone());
        o.put("jobTotal", j.jobTotal());
        o.put("bytesPerSecond", last == null ? 0.0 : last.bytesPerSecond());
        o.put("created", j.created().toString());
        o.put("started", j.started() == null ? null : j.started().toString());
        o.put("finished", j.finished() == null ? null : j.finished().toString());
        o.put("result", j.result());
        return o;
    }

    private static Map<String, Object> event(Job.Event e) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("jobId", e.jobId());
        o.put("seq", e.seq());
        o.put("time", e.time().toString());
        o.put("state", e.state().name());
        o.put("phase", e.phase());
        o.put("done", e.done());
        o.put("total", e.total());
        o.put("jobDone", e.jobDone());
        o.put("jobTotal", e.jobTotal());
        o.put("bytesPerSecond", e.bytesPerSecond());
        o.put("message", e.message());
        return o;
    }

    private static boolean isFinal(Job.State s) {
        return s == Job.State.SUCCEEDED || s == Job.State.FAILED || s == Job.State.CANCELLED;
    }

    /** Server-sent events: every event after Last-Event-ID, then live ones, until the job's final state. */
    private void events(Context ctx) throws IOException {
        Job j = job(ctx);
        long after = 0;
        String lastId = ctx.header("Last-Event-ID");
        if (lastId != null) {
            try {
                after = Long.parseLong(lastId.trim());
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("Last-Event-ID must be a number");
            }
        }
        BlockingQueue<Job.Event> queue = new LinkedBlockingQueue<>();
        java.util.function.Consumer<Job.Event> listener = queue::offer;
        j.addListener(listener);
        ctx.status(200);
        ctx.header("Content-Type", "text/event-stream; charset=utf-8");
        ctx.header("Cache-Control", "no-store");
        ctx.header("X-Accel-Buffering", "no");
        OutputStream out = ctx.res().getOutputStream();
        try {
            List<Job.Event> pending = new ArrayList<>(j.eventsAfter(after));
            boolean finished = false;
            while (!finished) {
                for (Job.Event e : pending) {
                    if (e.seq() <= after) {
                        continue;
                    }
                    after = e.seq();
                    String data = JSON.writeValueAsString(event(e));
                    out.write(("id: " + e.seq() + "\nevent: progress\ndata: " + data + "\n\n")
                            .getBytes(StandardCharsets.UTF_8));
                    if (isFinal(e.state())) {
                        finished = true;
                        break;
                    }
                }
                out.flush();
                if (finished) {
                    break;
                }
                pending.clear();
                Job.Event e = queue.poll(15, TimeUnit.SECONDS);
                if (e == null) {
                    if (j.isFinished() && j.eventsAfter(after).isEmpty()) {
                        break;
                    }
                    out.write(": keep-alive\n\n".getBytes(StandardCharsets.UTF_8));
                    continue;
                }
                pending.add(e);
                queue.drainTo(pending);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // the browser went away; the job goes on
        } finally {
            j.removeListener(listener);
        }
    }
}
