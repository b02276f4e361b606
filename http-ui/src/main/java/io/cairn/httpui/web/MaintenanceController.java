package io.cairn.httpui.web;

import io.cairn.httpui.audit.AuditLog;
import io.cairn.httpui.auth.Sessions;
import io.cairn.httpui.http.ApiException;
import io.cairn.httpui.http.Authorization;
import io.cairn.httpui.http.Body;
import io.cairn.httpui.jobs.Jobs;
import io.cairn.httpui.jobs.QueueFullException;
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
import java.util.Locale;

/**
 * Repository maintenance as jobs (admin only): {@code POST /maintenance/check {"readData"}}, {@code
 * /prune {"keepLast", "keepDaily", "keepWeekly", "keepMonthly", "dryRun"}} and {@code /gc} answer 202
 * {@code {"job": id}} and run the operations {@link Check}, {@link Prune} and {@link Gc} with their
 * own locks, as {@code cairn check|prune|gc} do (gc exclusive), with the CLI's default lock wait
 * (none: a busy repository fails the job at once, saying who holds it), one at a time on the
 * maintenance pool. The summary line is the job's result; notes, errors and each prune decision go
 * to its log. Each is audited when it starts and when it ends.
 */
final class MaintenanceController {
    private static final Duration LOCK_WAIT = Duration.ZERO;

    /** Thrown to fail a check job that found errors (they are in its log). */
    private static final class CheckFailed extends IOException {
        CheckFailed(String summary) {
            super(summary);
        }
    }

    private final Repository repo;
    private final Jobs jobs;
    private final int threads;
    private final AuditLog audit;
    private final String name;

    MaintenanceController(Repository repo, Jobs jobs, int threads, AuditLog audit) {
        this.repo = repo;
        this.jobs = jobs;
        this.threads = threads;
        this.audit = audit;
        this.name = "repository " + repo.config().id();
    }

    void check(Context ctx) throws IOException {
        boolean readData = Body.of(ctx).bool("readData");
        start(ctx, readData ? "check (read data)" : "check", "check", readData ? "read data" : null, (job, p) -> {
            Check.Result rep = new Check(repo, threads, LOCK_WAIT).run(readData, job);
            rep.details().forEach(job::log);
            if (!rep.ok()) {
                throw new CheckFailed(rep.summary() + " (see the log)");
            }
            return rep.summary();
        });
    }

    void prune(Context ctx) throws IOException {
        Body b = Body.of(ctx);
        RetentionPolicy policy = new RetentionPolicy(
                count(b, "keepLast"), count(b, "keepDaily"), count(b, "keepWeekly"), count(b, "keepMonthly"));
        if (policy.keepsNothing()) {
            throw ApiException.badRequest("give at least one of keepLast, keepDaily, keepWeekly, keepMonthly above 0"
                    + " (a policy that keeps nothing would delete every backup)");
        }
        boolean dryRun = b.bool("dryRun");
        String rules = "keep last " + policy.keepLast() + ", daily " + policy.keepDaily() + ", weekly "
                + policy.keepWeekly() + ", monthly " + policy.keepMonthly() + (dryRun ? ", dry run" : "");
        start(ctx, dryRun ? "prune (dry run)" : "prune", "prune", rules, (job, p) -> {
            Prune.Result res =
                    new Prune(repo, LOCK_WAIT, ZoneId.systemDefault()).run(new Prune.Request(policy, dryRun), job);
            return res.summary() + (res.gcWorthwhile() ? "; run gc to free their space" : "");
        });
    }

    void gc(Context ctx) throws IOException {
        start(ctx, "gc", "gc", null, (job, p) -> {
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
    }

    /** Queues the work as the admin's job, audited now ({@code started}) and when it ends (its final state). */
    private void start(Context ctx, String kind, String action, String details, Jobs.Work work) throws IOException {
        Sessions.Session s = Authorization.session(ctx);
        String ip = ctx.ip();
        String what = name + (details == null ? "" : " (" + details + ")");
        audit.record(s.user(), ip, action, null, what, null, "started"); // first: a quick job may end at once
        Job j;
        try {
            j = jobs.submit(
                    kind,
                    name,
                    s.user(),
                    Jobs.Pool.MAINTENANCE,
                    done -> audit.record(
                            s.user(),
                            ip,
                            action,
                            null,
                            what,
                            null,
                            done.state().name().toLowerCase(Locale.ROOT)),
                    work);
        } catch (QueueFullException e) {
            audit.record(s.user(), ip, action, null, what, null, "refused");
            throw e;
        }
        JobController.started(ctx, j);
    }

    private static int count(Body b, String field) {
        if (!b.has(field)) {
            return 0;
        }
        com.fasterxml.jackson.databind.JsonNode v = b.get(field);
        if (!v.isInt() || v.asInt() < 0 || v.asInt() > 100_000) {
            throw ApiException.badRequest("'" + field + "' must be a whole number from 0 to 100000");
        }
        return v.asInt();
    }
}
