package io.cairn.httpui.web;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import io.cairn.httpui.audit.AuditLog;
import io.cairn.httpui.auth.Sessions;
import io.cairn.httpui.http.Api;
import io.cairn.httpui.http.ApiException;
import io.cairn.httpui.http.Authorization;
import io.cairn.httpui.jobs.QueueFullException;
import io.cairn.httpui.schedule.Cron;
import io.cairn.httpui.schedule.Schedule;
import io.cairn.httpui.schedule.ScheduleStore;
import io.cairn.httpui.schedule.Scheduler;
import io.cairn.httpui.schedule.Source;
import io.cairn.httpui.vcenter.VcenterConnections;
import io.cairn.operations.job.Job;
import io.cairn.operations.roots.SourceRoots;
import io.cairn.repository.error.UnsafePathException;
import io.cairn.repository.maintenance.RetentionPolicy;
import io.javalin.http.Context;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The schedules: {@code GET /schedules} (viewer), {@code POST /schedules}, {@code PUT} and {@code
 * DELETE /schedules/{id}} (admin), {@code POST /schedules/{id}/run} (operator: a run now, refused
 * with 409 while the previous one runs) and {@code GET /schedules/preview?cron=} (the next runs of an
 * expression, for the form). Bad input is answered 400 with one line naming the field
 * ({@link ScheduleForm}). Every change and every run now is audited.
 */
final class ScheduleController {
    private static final SecureRandom RANDOM = new SecureRandom();

    /** The latest job a schedule started. */
    record JobRef(String id, String state) {
        static JobRef of(Job j) {
            return j == null ? null : new JobRef(j.id(), j.state().name());
        }
    }

    /** How a schedule's last run ended ({@code failedVms}: VM name to reason, sorted). */
    record OutcomeView(String state, String finished, String summary, Map<String, String> failedVms) {
        static OutcomeView of(Schedule.Outcome o) {
            return o == null
                    ? null
                    : new OutcomeView(
                            o.state(),
                            o.finished() == null ? null : o.finished().toString(),
                            o.summary(),
                            new TreeMap<>(o.failedVms()));
        }
    }

    /** The retention as the API writes it. */
    record RetentionView(int keepLast, int keepDaily, int keepWeekly, int keepMonthly) {
        static RetentionView of(RetentionPolicy p) {
            return p == null ? null : new RetentionView(p.keepLast(), p.keepDaily(), p.keepWeekly(), p.keepMonthly());
        }
    }

    /**
     * A schedule as the schedules page shows it.
     *
     * @param vm what a run backs up, for people
     * @param problem present when the cron expression no longer parses, the vCenter connection was deleted
     *     or a file source is no longer below a source root
     */
    record ScheduleView(
            String id,
            String name,
            String cron,
            JsonNode source,
            String vm,
            RetentionView retention,
            boolean enabled,
            String timeZone,
            @JsonInclude(JsonInclude.Include.NON_NULL) String problem,
            List<String> nextRuns,
            String lastRun,
            OutcomeView lastOutcome,
            JobRef lastJob) {}

    /** A schedule as the dashboard shows it. */
    record OverviewView(
            String id,
            String name,
            String vm,
            boolean enabled,
            String nextRun,
            String lastRun,
            JobRef lastJob,
            OutcomeView lastOutcome) {
        static OverviewView of(Scheduler.Overview o) {
            Schedule s = o.schedule();
            return new OverviewView(
                    s.id(),
                    s.name(),
                    o.target(),
                    s.enabled(),
                    o.nextRun() == null ? null : o.nextRun().toOffsetDateTime().toString(),
                    s.lastRun() == null ? null : s.lastRun().toString(),
                    JobRef.of(o.lastJob()),
                    OutcomeView.of(s.lastOutcome()));
        }
    }

    record Preview(String cron, String timeZone, List<String> nextRuns) {}

    record Deleted(String deleted) {}

    private final Scheduler scheduler;
    private final ScheduleStore store;
    private final VcenterConnections vcenters;
    private final AuditLog audit;
    private final boolean hasVddk;
    private final Supplier<SourceRoots> roots;

    /**
     * @param hasVddk whether the server has a VDDK (else a VDDK transport is refused)
     * @param roots the administrator's source roots as they are now: a {@code file:} source must lie
     *     below one when it is saved and when it runs
     */
    ScheduleController(
            Scheduler scheduler,
            VcenterConnections vcenters,
            AuditLog audit,
            boolean hasVddk,
            Supplier<SourceRoots> roots) {
        this.roots = roots;
        this.scheduler = scheduler;
        this.store = scheduler.store();
        this.vcenters = vcenters;
        this.audit = audit;
        this.hasVddk = hasVddk;
    }

    void list(Context ctx) throws IOException {
        List<ScheduleView> out = new ArrayList<>();
        for (Schedule s : store.list()) {
            out.add(view(s));
        }
        Api.json(ctx, 200, out);
    }

    void preview(Context ctx) {
        Cron c = ScheduleForm.cron(ctx.queryParam("cron"));
        Api.json(
                ctx,
                200,
                new Preview(c.expression(), scheduler.clock().getZone().getId(), nextRuns(c)));
    }

    void create(Context ctx) throws IOException {
        Schedule s = ScheduleForm.parse(Api.body(ctx), newId(), null, vcenters, hasVddk, roots.get());
        store.put(s);
        record(ctx, "schedule-create", s, "ok");
        Api.json(ctx, 201, view(s));
    }

    void replace(Context ctx) throws IOException {
        Schedule old = schedule(ctx);
        Schedule s = ScheduleForm.parse(Api.body(ctx), old.id(), old.lastRun(), vcenters, hasVddk, roots.get())
                .withOutcome(old.lastOutcome());
        store.put(s);
        record(ctx, "schedule-replace", s, "ok");
        Api.json(ctx, 200, view(s));
    }

    void delete(Context ctx) throws IOException {
        Schedule s = schedule(ctx);
        if (!store.remove(s.id())) {
            throw ApiException.notFound("no such schedule");
        }
        record(ctx, "schedule-delete", s, "ok");
        Api.json(ctx, 200, new Deleted(s.id()));
    }

    void runNow(Context ctx) throws IOException {
        Sessions.Session session = Authorization.session(ctx);
        Schedule s = schedule(ctx);
        String ip = ctx.ip();
        Job j;
        try {
            j = scheduler.runNow(
                    s,
                    session.user(),
                    done -> audit.record(
                            session.user(),
                            ip,
                            "schedule-run",
                            null,
                            what(s),
                            null,
                            done.state().name().toLowerCase(Locale.ROOT)));
        } catch (QueueFullException e) {
            record(ctx, "schedule-run", s, "refused");
            throw e;
        }
        if (j == null) {
            Job running = scheduler.lastJob(s.id());
            throw new ApiException(
                    409,
                    "schedule '" + s.name() + "' is running already"
                            + (running == null ? "" : " (job " + running.id() + ")"));
        }
        record(ctx, "schedule-run", s, "started");
        JobController.started(ctx, j);
    }

    private Schedule schedule(Context ctx) throws IOException {
        return store.get(ctx.pathParam("id")).orElseThrow(() -> ApiException.notFound("no such schedule"));
    }

    private void record(Context ctx, String action, Schedule s, String outcome) {
        audit.record(Authorization.session(ctx).user(), ctx.ip(), action, null, what(s), null, outcome);
    }

    /** The schedule in the audit log: its id, name, time and what it backs up. */
    private String what(Schedule s) {
        return s.id() + " '" + s.name() + "' (" + s.cron() + "): " + scheduler.target(s);
    }

    private static String newId() {
        byte[] b = new byte[6];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private ScheduleView view(Schedule s) {
        String problem = null;
        List<String> next = List.of();
        try {
            next = s.enabled() ? nextRuns(Cron.parse(s.cron())) : List.of();
        } catch (IllegalArgumentException e) {
            problem = e.getMessage();
        }
        if (s.source() instanceof Source.VcenterVms v
                && vcenters.name(v.vcenter()).isEmpty()) {
            problem = "its vCenter connection was deleted: choose another one, or runs will fail";
        }
        if (s.source() instanceof Source.File f) {
            try {
                roots.get().check(f.path().toString());
            } catch (UnsafePathException e) {
                problem = e.getMessage() + ": runs will fail until an administrator allows it";
            }
        }
        return new ScheduleView(
                s.id(),
                s.name(),
                s.cron(),
                s.source().json(),
                scheduler.target(s),
                RetentionView.of(s.retention()),
                s.enabled(),
                scheduler.clock().getZone().getId(),
                problem,
                next,
                s.lastRun() == null ? null : s.lastRun().toString(),
                OutcomeView.of(s.lastOutcome()),
                JobRef.of(scheduler.lastJob(s.id())));
    }

    private List<String> nextRuns(Cron c) {
        List<String> out = new ArrayList<>();
        for (ZonedDateTime t : c.next(ZonedDateTime.now(scheduler.clock()), 3)) {
            out.add(t.toOffsetDateTime().toString());
        }
        return out;
    }
}
