package io.cairn.httpui;

import io.cairn.httpui.audit.AuditLog;
import io.cairn.httpui.audit.LogText;
import io.cairn.httpui.auth.Users;
import io.cairn.httpui.catalog.Catalog;
import io.cairn.httpui.catalog.StatsCache;
import io.cairn.httpui.files.BackupFiles;
import io.cairn.httpui.http.Api;
import io.cairn.httpui.jobs.Jobs;
import io.cairn.httpui.roots.RootsStore;
import io.cairn.httpui.schedule.Scheduler;
import io.cairn.httpui.tls.Certificates;
import io.cairn.httpui.tls.HttpsConnector;
import io.cairn.httpui.vcenter.VcenterConnections;
import io.cairn.httpui.web.ApiRoutes;
import io.cairn.operations.disk.Vddk;
import io.cairn.repository.Repository;
import io.javalin.Javalin;
import io.javalin.http.staticfiles.Location;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The appliance web UI: HTTPS only (Javalin over Jetty), the JSON API under {@code /api/v1} and the
 * browser pages from {@code public/} on the class path. This class boots and stops it: the state
 * directory, the first administrator, the TLS key, the FUSE mount of the repository at
 * {@code <state>/mnt}, the job executor and the scheduler; the routes, their authorization and the one
 * error mapping are the web layer's ({@link ApiRoutes}).
 */
public final class UiServer implements AutoCloseable {
    private final UiConfig config;
    private final Repository repo;
    private AuditLog audit;
    private BackupFiles files;
    private Jobs jobs;
    private Vddk vddk;
    private Scheduler scheduler;
    private Javalin app;
    private String fingerprint;

    private UiServer(UiConfig config) {
        this.config = config;
        this.repo = config.repository();
    }

    /**
     * Starts the server: state directory, users (a first admin whose password goes to {@code
     * <state>/initial-admin-password}, 0600), TLS key, the FUSE mount, then the listener.
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
        Users users = Users.load(state);
        if (users.isEmpty()) {
            Path pw = users.createFirstAdmin();
            System.out.println("created the user '" + Users.FIRST_ADMIN + "'; its password is in " + pw
                    + " (readable by root only; deleted once the password is changed)");
            System.out.flush();
        } else if (users.forgetStaleInitialPassword()) {
            log(state.resolve(Users.INITIAL_PASSWORD_FILE) + " no longer held the admin's password: deleted");
        }
        Certificates.Keys keys = config.keystore() != null
                ? Certificates.load(config.keystore(), config.keystorePassword())
                : Certificates.generatedOrExisting(state);
        fingerprint = keys.fingerprint();
        audit = new AuditLog(state.resolve("audit.log"), UiServer::log);
        // one VixDiskLib for the server's lifetime (InitEx once per process), loaded when first used
        vddk = Vddk.at(config.vddk());
        files = BackupFiles.mount(
                repo,
                "cairn-ui:"
                        + (repo.store() instanceof io.cairn.repository.store.LocalStore
                                ? config.repositoryPath().toAbsolutePath().normalize()
                                : repo.describe()),
                state.resolve("mnt"),
                config.threads(),
                // VixMntapi only when the administrator said so (serve --vixmntapi): it has this
                // machine's kernel parse the guest's filesystem, as root, on any viewer's click
                config.vixMntapi() && vddk.named() ? vddk : null,
                UiServer::log);
        jobs = new Jobs(repo, config.threads(), state, UiServer::log);
        Catalog catalog = new Catalog(repo);
        jobs.afterEach(catalog::changed);
        StatsCache stats = new StatsCache(repo, UiServer::log);
        stats.refresh(catalog.backups().stream().map(l -> l.ref().id()).toList()); // the first dashboard need not wait
        VcenterConnections vcenters;
        try {
            vcenters = VcenterConnections.open(state);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot read the vCenter connections in " + state + ": " + e.getMessage(), e);
        }
        // the repository, the state directory and the mount inside it: never a restore target or a source
        RootsStore roots = RootsStore.open(state, List.of(state, config.repositoryPath(), files.mountPoint()));
        boolean hasPages = UiServer.class.getResource("/public/index.html") != null;
        app = Javalin.create(c -> {
            c.showJavalinBanner = false;
            c.http.maxRequestSize = Api.MAX_BODY;
            c.http.disableCompression();
            c.jetty.threadPool = new QueuedThreadPool(Math.max(16, 4 * config.threads()), 4, 60_000);
            c.jetty.addConnector(
                    (server, base) -> HttpsConnector.create(server, base, keys, config.bind(), config.port()));
            if (hasPages) {
                // the only part of the server outside the routes: public by nature, served before any route
                c.staticFiles.add(sf -> {
                    sf.hostedPath = "/";
                    sf.directory = "/public";
                    sf.location = Location.CLASSPATH;
                    sf.headers = Map.of("Cache-Control", "no-cache", "X-Content-Type-Options", "nosniff");
                });
            }
        });
        scheduler = ApiRoutes.install(
                app,
                new ApiRoutes.Services(
                        repo,
                        config.repositoryPath(),
                        state,
                        config.threads(),
                        users,
                        audit,
                        files,
                        jobs,
                        catalog,
                        stats,
                        vcenters,
                        roots,
                        vddk,
                        UiServer::log),
                hasPages);
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

    /**
     * The server log: one line on standard error, with the time; whatever the message holds (guest
     * file names, VM names) cannot break the line or reach the terminal as control characters
     * ({@link LogText}).
     */
    static void log(String message) {
        System.err.println(Instant.now().toString().substring(0, 19) + "Z " + LogText.escape(message));
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
        if (vddk != null) {
            try {
                vddk.close();
            } catch (IOException e) {
                log("closing the VDDK failed: " + e.getMessage());
            }
        }
        if (audit != null) {
            try {
                audit.close();
            } catch (IOException ignored) {
                // nothing left to flush: every line was forced
            }
        }
    }
}
