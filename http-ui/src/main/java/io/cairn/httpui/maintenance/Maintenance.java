package io.cairn.httpui.maintenance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cairn.httpui.Api;
import io.cairn.httpui.auth.Role;
import io.cairn.httpui.jobs.Jobs;
import io.cairn.operations.job.Job;
import io.cairn.repository.Repository;
import io.cairn.repository.lock.LockConflictException;
import io.cairn.repository.maintenance.Checker;
import io.cairn.repository.maintenance.GarbageCollector;
import io.cairn.repository.maintenance.Pruner;
import io.cairn.repository.maintenance.RetentionPolicy;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.io.IOException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;

/**
 * Repository maintenance as jobs (admin only): {@code POST /api/v1/maintenance/check {"readData"}},
 * {@code /prune {"keepLast", "keepDaily", "keepWeekly", "keepMonthly", "dryRun"}} and {@code /gc}
 * answer 202 {@code {"job": id}} and run the repository's {@link Checker}, {@link Pruner} and
 * {@link GarbageCollector} with their own locks, as {@code cairn check|prune|gc} do (gc exclusive),
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

    public static void register(Javalin app, Repository repo, Jobs jobs, int threads) {
        Maintenance m = new Maintenance(repo, jobs, threads);
        app.post(PATH + "/check", answering(m::check), Role.ADMIN);
        app.post(PATH + "/prune", answering(m::prune), Role.ADMIN);
        app.post(PATH + "/gc", answering(m::gc), Role.ADMIN);
    }

    /** A request body that cannot be used: answered 400 with this one line. */
    private static final class Invalid extends RuntimeException {
        Invalid(String message) {
            super(message, null, false, false);
        }
    }

    private static Handler answering(Handler h) {
        return ctx -> {
            try {
                h.handle(ctx);
            } catch (Invalid e) {
                ctx.status(400)
                        .contentType("application/json")
                        .header("Cache-Control", "no-store")
                        .result(JSON.writeValueAsBytes(Map.of("error", e.getMessage())));
            }
        };
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
            Checker.Report rep = new Checker(repo, threads, progress, LOCK_WAIT).run(readData);
            for (String n : rep.notes()) {
                job.log("note: " + n);
            }
            for (String e : rep.errors()) {
                job.log("error: " + e);
            }
            for (Checker.Damage d : rep.damaged()) {
                for (String a : d.affects()) {
                    job.log("chunk " + d.chunk().substring(0, 16) + " affects " + a);
                }
            }
            String summary = "checked " + rep.backups() + " backups"
                    + (readData ? ", read " + rep.chunksChecked() + " chunks (" + rep.bytesChecked() + " bytes)" : "")
                    + ": "
                    + (rep.ok()
                            ? "no errors"
                            : rep.errors().size() + " error" + (rep.errors().size() == 1 ? "" : "s")
                                    + " (see the log)");
            if (!rep.ok()) {
                throw new CheckFailed(summary);
            }
            return summary;
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
            List<Pruner.Decision> ds = new Pruner(repo, LOCK_WAIT).run(policy, ZoneId.systemDefault(), dryRun);
            int removed = 0;
            for (Pruner.Decision d : ds) {
                var m = d.backup().manifest();
                job.log((d.keep() ? "keep " : dryRun ? "would remove " : "remove ") + m.id() + " " + m.time() + " "
                        + m.vm().name() + (d.keep() ? " (" + String.join(", ", d.reasons()) + ")" : ""));
                if (!d.keep()) {
                    removed++;
                }
            }
            return (ds.size() - removed) + " kept, " + removed + (dryRun ? " would be removed" : " removed")
                    + (removed > 0 && !dryRun ? "; run gc to free their space" : "");
        });
        started(ctx, j);
    }

    private void gc(Context ctx) {
        Job j = jobs.submit("gc", name, (job, progress) -> {
            GarbageCollector.Report rep;
            try {
                rep = new GarbageCollector(repo, GarbageCollector.DEFAULT_MARGIN, LOCK_WAIT).run();
            } catch (LockConflictException e) {
                // downloads, restores and backups in flight hold shared locks; gc waits for none of them
                throw new IOException(
                        e.getMessage() + " (gc needs the repository to itself: try again when the"
                                + " running backups, restores and downloads have finished)",
                        e);
            }
            return "gc: " + rep.backups() + " backups reference " + rep.marked() + " chunks; deleted "
                    + rep.chunksDeleted() + " unused chunks (" + rep.bytesFreed() + " bytes)"
                    + (rep.chunksTooNew() > 0
                            ? ", kept " + rep.chunksTooNew() + " unused but newer than the 1 h safety margin"
                            : "")
                    + (rep.incompleteRemoved() > 0
                            ? ", removed " + rep.incompleteRemoved() + " incomplete backup directories"
                            : "")
                    + (rep.temporariesRemoved() > 0
                            ? ", removed " + rep.temporariesRemoved() + " unfinished temporary files"
                            : "")
                    + (rep.staleLocksRemoved() > 0 ? ", removed " + rep.staleLocksRemoved() + " stale locks" : "");
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
