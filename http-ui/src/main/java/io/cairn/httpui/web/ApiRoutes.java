package io.cairn.httpui.web;

import static io.cairn.httpui.auth.Role.ADMIN;
import static io.cairn.httpui.auth.Role.OPERATOR;
import static io.cairn.httpui.auth.Role.VIEWER;
import static io.cairn.httpui.http.Access.PUBLIC;

import io.cairn.httpui.audit.AuditLog;
import io.cairn.httpui.auth.LoginGate;
import io.cairn.httpui.auth.LoginLimiter;
import io.cairn.httpui.auth.Sessions;
import io.cairn.httpui.auth.Users;
import io.cairn.httpui.catalog.Catalog;
import io.cairn.httpui.catalog.StatsCache;
import io.cairn.httpui.files.BackupFiles;
import io.cairn.httpui.http.Authorization;
import io.cairn.httpui.http.Routes;
import io.cairn.httpui.jobs.Jobs;
import io.cairn.httpui.roots.RootsStore;
import io.cairn.httpui.schedule.Scheduler;
import io.cairn.httpui.vcenter.VcenterConnections;
import io.cairn.operations.disk.Vddk;
import io.cairn.repository.Repository;
import io.javalin.Javalin;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * The web layer assembled, and every route of the API in one table: method, path, who may call it
 * (deny by default: {@link Authorization}) and the controller method that translates it.
 */
public final class ApiRoutes {
    /** Every API path starts with this. */
    public static final String API = "/api/v1";

    /** Idle sessions end after this. */
    static final Duration SESSION_IDLE = Duration.ofMinutes(30);

    /** Every session ends this long after its login, however busy (a stolen cookie is not good forever). */
    static final Duration SESSION_LIFETIME = Duration.ofHours(12);

    /** Failed logins per user name and client address within {@link #LOGIN_WINDOW} before 429. */
    static final int LOGIN_FAILURES = 5;

    /** Failed logins per client address, whatever the user names, within {@link #LOGIN_WINDOW} before 429. */
    static final int LOGIN_FAILURES_PER_ADDRESS = 20;

    /** Password checks (logins, password changes) in flight at once; more are answered 503 at once. */
    static final int LOGINS_AT_ONCE = 4;

    /**
     * Job event streams one user may hold open (in all their sessions), and everyone together: each holds one of the
     * server's at least 16 threads while its job runs, so together they may take at most half.
     */
    static final int STREAMS_PER_USER = 3;

    static final int STREAMS_IN_ALL = 8;

    static final Duration LOGIN_WINDOW = Duration.ofMinutes(1);

    /**
     * What the controllers work with, made by the server at start.
     *
     * @param repositoryPath where the repository is (shown on the dashboard)
     * @param stateDir the server's state directory (a restore may not write into it)
     * @param threads workers of maintenance jobs and scheduled backups
     * @param roots where restores may write and scheduled backups read files (roots.json)
     * @param vddk VMware's VDDK for backups and restores over nbd, nbdssl, hotadd or san (loaded when
     *     first used, once for the server's lifetime; {@link Vddk#named()} false without one)
     * @param log the server log (one line per call)
     */
    public record Services(
            Repository repo,
            Path repositoryPath,
            Path stateDir,
            int threads,
            Users users,
            AuditLog audit,
            BackupFiles files,
            Jobs jobs,
            Catalog catalog,
            StatsCache stats,
            VcenterConnections vcenters,
            RootsStore roots,
            Vddk vddk,
            Consumer<String> log) {}

    private ApiRoutes() {}

    /**
     * Installs the security headers, the authorization before every route, the error mapping and every
     * route on {@code app}.
     *
     * @param hasPages whether the pages are served as static files; without them {@code /} says where the API is
     * @return the scheduler the schedules API works with, not started yet
     */
    public static Scheduler install(Javalin app, Services s, boolean hasPages) {
        SecurityHeaders.install(app);
        Sessions sessions = new Sessions(SESSION_IDLE, SESSION_LIFETIME, s.users()::stamp);
        app.beforeMatched(new Authorization(sessions)::check);
        new ErrorMapping(s.log()).install(app);
        Routes routes = new Routes(app);

        Scheduler scheduler = Scheduler.create(
                s.repo(), s.jobs(), s.vcenters(), s.stateDir(), s.threads(), s.vddk(), s.roots()::sourceRoots, s.log());
        boolean hasVddk = s.vddk().named();

        PageController pages = new PageController();
        SessionController session = new SessionController(
                s.users(),
                sessions,
                new LoginLimiter(LOGIN_FAILURES, LOGIN_FAILURES_PER_ADDRESS, LOGIN_WINDOW),
                new LoginGate(LOGINS_AT_ONCE),
                s.audit());
        JobController jobs =
                new JobController(s.jobs(), s.audit(), sessions, new EventStreams(STREAMS_PER_USER, STREAMS_IN_ALL));
        DashboardController dashboard =
                new DashboardController(s.repo(), s.repositoryPath(), s.catalog(), s.stats(), jobs, scheduler);
        VmController vms = new VmController(s.catalog(), s.files(), scheduler);
        FileController files = new FileController(s.repo(), s.catalog(), s.files(), s.audit(), s.log());
        RestoreController restores =
                new RestoreController(s.catalog(), s.jobs(), s.vcenters(), s.audit(), s.roots(), s.vddk());
        VcenterController vcenters = new VcenterController(s.vcenters(), s.audit());
        ScheduleController schedules =
                new ScheduleController(scheduler, s.vcenters(), s.audit(), hasVddk, s.roots()::sourceRoots);
        MaintenanceController maintenance = new MaintenanceController(s.repo(), s.jobs(), s.threads(), s.audit());
        RootsController roots = new RootsController(s.roots(), s.audit());

        if (!hasPages) {
            routes.get("/", PUBLIC, pages::noPages);
        }
        routes.get(API + "/openapi.json", PUBLIC, pages::openApi);
        routes.post(API + "/login", PUBLIC, session::login);
        routes.post(API + "/logout", VIEWER, session::logout);
        routes.get(API + "/me", VIEWER, session::me);
        routes.post(API + "/me/password", VIEWER, session::password);
        routes.get(API + "/users", ADMIN, session::users);

        routes.get(API + "/dashboard", VIEWER, dashboard::show);
        routes.get(API + "/vms", VIEWER, vms::vms);
        routes.get(API + "/vms/{name}/backups", VIEWER, vms::backups);
        routes.get(API + "/backups/{id}", VIEWER, vms::backup);

        routes.get(API + "/backups/{id}/files", VIEWER, files::list);
        routes.get(API + "/backups/{id}/search", VIEWER, files::search);
        routes.get(API + "/backups/{id}/download", OPERATOR, files::download);
        routes.get(API + "/backups/{id}/archive", OPERATOR, files::archive);

        routes.post(API + "/backups/{id}/restore", OPERATOR, restores::toDirectory);
        routes.post(API + "/backups/{id}/restore-vm", OPERATOR, restores::toVsphere);

        routes.get(API + "/roots", OPERATOR, roots::show);
        routes.put(API + "/roots", ADMIN, roots::replace);

        routes.get(API + "/jobs", VIEWER, jobs::list);
        routes.get(API + "/jobs/{id}", VIEWER, jobs::get);
        routes.get(API + "/jobs/{id}/events", VIEWER, jobs::events);
        routes.post(API + "/jobs/{id}/cancel", OPERATOR, jobs::cancel);

        routes.get(API + "/vcenters", ADMIN, vcenters::list);
        routes.post(API + "/vcenters/probe", ADMIN, vcenters::probe);
        routes.post(API + "/vcenters", ADMIN, vcenters::add);
        routes.put(API + "/vcenters/{vc}", ADMIN, vcenters::edit);
        routes.delete(API + "/vcenters/{vc}", ADMIN, vcenters::delete);
        routes.post(API + "/vcenters/{vc}/test", ADMIN, vcenters::test);
        routes.get(API + "/vcenter-choices", OPERATOR, vcenters::choices);
        routes.get(API + "/vcenters/{vc}/inventory", OPERATOR, vcenters::inventory);
        routes.get(API + "/vcenters/{vc}/vms", OPERATOR, vcenters::vms);

        routes.get(API + "/schedules", VIEWER, schedules::list);
        routes.get(API + "/schedules/preview", VIEWER, schedules::preview);
        routes.post(API + "/schedules", ADMIN, schedules::create);
        routes.put(API + "/schedules/{id}", ADMIN, schedules::replace);
        routes.delete(API + "/schedules/{id}", ADMIN, schedules::delete);
        routes.post(API + "/schedules/{id}/run", OPERATOR, schedules::runNow);

        routes.post(API + "/maintenance/check", ADMIN, maintenance::check);
        routes.post(API + "/maintenance/prune", ADMIN, maintenance::prune);
        routes.post(API + "/maintenance/gc", ADMIN, maintenance::gc);
        return scheduler;
    }
}
