package io.cairn.httpui.maintenance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cairn.httpui.auth.Role;
import io.cairn.httpui.http.Api;
import io.cairn.httpui.http.ApiException;
import io.cairn.httpui.http.Routes;
import io.cairn.httpui.jobs.Jobs;
import io.cairn.operations.job.Job;
import io.cairn.operations.maintenance.Check;
import io.cairn.operations.maintenance.Gc;
import io.cairn.operations.maintenance.Prune;
import io.cairn.repository.Repository;
import io.cairn.repository.lock.LockConflictException;
import io.cairn.repository.maintenance.GarbageCollector;
import io.cairn.repository.maintenance.RetentionPolicy;
import io.javalin.http.Context;
import java.io.IOException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Map;

/**
 * Repository maintenance as jobs (admin only): {@code POST /api/v1/maintenance/check {"readData"}},
 * {@code /prune {"keepLast", "keepDaily", "keepWeekly", "keepMonthly", "dryRun"}} and {@code /gc}
 * answer 202 {@code {"job": id}} and run the operations {@link Check}, {@link Prune} and {@link Gc}
 * with their own locks, as {@code cairn check|prune|gc} do (gc exclusive),
 * with the CLI's default lock wait (none: a busy repository fails the job at once, saying who holds it).
 * The summary line is the job's result; notes, errors and each prune decision go to its log.
 */
public final class Maintenance {
    private static final String PATH = "/api/v1/maintenance";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration LOCK_WAIT = Duration.ZERO;

    private final Repository repo;
    private final Jobs jobs;
    private final int threads;
    private final String name;

    private Maintenance(Repository repo, Jobs jobs, int threads) {
        this.repo = repo;
        this.jobs = jobs;
        this.threads = threads;
        this.name = "repository " + repo.config().id();
    }

    public static void register(Routes routes, Repository repo, Jobs jobs, int threads) {
        Maintenance m = new Maintenance(repo, jobs, threads);
        routes.post(PATH + "/check", Role.ADMIN, m::check);
        routes.post(PATH + "/prune", Role.ADMIN, m::prune);
        routes.post(PATH + "/gc", Role.ADMIN, m::gc);
    }

    /** A request body that cannot be used: answered 400 with this one line (the web layer's error mapping). */
    private static final class Invalid extends ApiException {
        private static final long serialVersionUID = 1L;

        Invalid(String message) {
            super(400, message);
        }
    }

    /** Thrown to fail a check job that found errors (they are in its log). */
    private static final class CheckFailed extends IOException {
        CheckFailed(String summary) {
            super(summary);
        }
    }

    private void check(Context ctx) throws IOException {
        JsonNode b = Api.body(ctx);
        boolean readData = bool(b, "readData");
        Job j = jobs.submit(readData ? "check (read data)" : "check", name, (job, progress) -> {
            Check.Result rep = new Check(repo, threads, LOCK_WAIT).run(readData, job);
            rep.details().forEach(job::log);
            if (!rep.ok()) {
                throw new CheckFailed(rep.summary() + " (see the log)");
            }
            return rep.summary();
        });
        started(ctx, j);
    }

    private void prune(Context ctx) throws IOException {
        JsonNode b = Api.body(ctx);
        RetentionPolicy policy = new RetentionPolicy(
                count(b, "keepLast"), count(b, "keepDaily"), count(b, "keepWeekly"), count(b, "keepMonthly"));
        if (policy.keepsNothing()) {
            throw new Invalid("give at least one of keepLast, keepDaily, keepWeekly, keepMonthly above 0"
                    + " (a policy that keeps nothing would delete every backup)");
        }
        boolean dryRun = bool(b, "dryRun");
        Job j = jobs.submit(dryRun ? "prune (dry run)" : "prune", name, (job, progress) -> {
            Prune.Result res =
                    new Prune(repo, LOCK_WAIT, ZoneId.systemDefault()).run(new Prune.Request(policy, dryRun), job);
            return res.summary() + (res.gcWorthwhile() ? "; run gc to free their space" : "");
        });
        started(ctx, j);
    }

    private void gc(Context ctx) {
        Job j = jobs.submit("gc", name, (job, progress) -> {
            try {
                return new Gc(repo, LOCK_WAIT)
                        .run(GarbageCollector.DEFAULT_MARGIN, job)
                        .summary();
            } catch (LockConflictException e) {
                // downloads, restores and backups in flight hold shared locks; gc waits for none of them
                throw new IOException(
                        e.getMessage() + " (gc needs the repository to itself: try again when the"
                                + " running backups, restores and downloads have finished)",
                        e);
            }
        });
        started(ctx, j);
    }

    private static int count(JsonNode b, String field) {
        JsonNode v = b.get(field);
        if (v == null || v.isNull()) {
            return 0;
        }
        if (!v.isInt() || v.asInt() < 0 || v.asInt() > 100_000) {
            throw new Invalid("'" + field + "' must be a whole number from 0 to 100000");
        }
        return v.asInt();
    }

    private static boolean bool(JsonNode b, String field) {
        JsonNode v = b.get(field);
        if (v == null || v.isNull()) {
            return false;
        }
        if (!v.isBoolean()) {
            throw new Invalid("'" + field + "' must be true or false");
        }
        return v.asBoolean();
    }

    private static void started(Context ctx, Job j) {
        try {
            ctx.status(202)
                    .contentType("application/json")
                    .header("Cache-Control", "no-store")
                    .result(JSON.writeValueAsBytes(Map.of("job", j.id())));
        } catch (IOException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }
}
