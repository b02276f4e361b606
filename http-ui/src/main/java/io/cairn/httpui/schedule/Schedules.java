package io.cairn.httpui.schedule;

import com.fasterxml.jackson.databind.JsonNode;
import io.cairn.httpui.auth.Role;
import io.cairn.httpui.http.Api;
import io.cairn.httpui.http.ApiException;
import io.cairn.httpui.http.Routes;
import io.cairn.httpui.jobs.Jobs;
import io.cairn.httpui.vcenter.VcenterConnections;
import io.cairn.operations.disk.Vddk;
import io.cairn.operations.job.Job;
import io.cairn.operations.source.Transports;
import io.cairn.repository.Repository;
import io.cairn.repository.maintenance.RetentionPolicy;
import io.cairn.vixmntbridge.vddk.Transport;
import io.cairn.vsphere.inventory.VmSpec;
import io.javalin.http.Context;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The schedules API: {@code GET/POST /api/v1/schedules}, {@code PUT/DELETE /api/v1/schedules/{id}}
 * (admin to change, viewer to read), {@code POST /api/v1/schedules/{id}/run} (operator: a run now,
 * refused with 409 while the previous one runs) and {@code GET /api/v1/schedules/preview?cron=} (the next runs of
 * an expression, for the form). Bad input is answered 400 with one line naming the field.
 */
public final class Schedules {
    private static final String PATH = "/api/v1/schedules";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String SOURCE_FORMS =
            "'source' is required: {\"vcenter\": CONNECTION_ID, \"spec\": \"name:web01\"}"
                    + " for vCenter VMs, or \"file:/absolute/path\" of a raw disk image, VMDK or .vmx on the appliance";
    private static final List<String> VCENTER_FIELDS = List.of("vcenter", "spec", "quiesce", "enableCbt", "transport");

    private final ScheduleStore store;
    private final Scheduler scheduler;
    private final VcenterConnections vcenters;
    private final boolean hasVddk;

    private Schedules(ScheduleStore store, Scheduler scheduler, VcenterConnections vcenters, boolean hasVddk) {
        this.store = store;
        this.scheduler = scheduler;
        this.vcenters = vcenters;
        this.hasVddk = hasVddk;
    }

    /**
     * Adds the routes and makes the scheduler (in the server's local time zone); the caller starts
     * it once the server listens and closes it before the jobs.
     *
     * @param vddk the server's VMware VDDK ({@code cairn serve --vddk DIR} or {@code VDDK_HOME}; a VDDK
     *     transport is refused when neither names one), kept for the server's lifetime
     */
    public static Scheduler register(
            Routes routes,
            Repository repo,
            Jobs jobs,
            VcenterConnections vcenters,
            Path stateDir,
            int threads,
            Vddk vddk,
            Consumer<String> log) {
        Clock clock = Clock.systemDefaultZone();
        ScheduleStore store = new ScheduleStore(stateDir);
        Scheduler scheduler = new Scheduler(
                store, jobs, new ScheduledRun(repo, vcenters, threads, clock.getZone(), vddk), clock, log);
        Schedules s = new Schedules(store, scheduler, vcenters, vddk.named());
        routes.get(PATH, Role.VIEWER, s::list);
        routes.get(PATH + "/preview", Role.VIEWER, s::preview);
        routes.post(PATH, Role.ADMIN, s::create);
        routes.put(PATH + "/{id}", Role.ADMIN, s::replace);
        routes.delete(PATH + "/{id}", Role.ADMIN, s::delete);
        routes.post(PATH + "/{id}/run", Role.OPERATOR, s::runNow);
        return scheduler;
    }

    /** A request that cannot be answered as asked: the status and the one line the client sees (the web layer's error mapping). */
    static final class Invalid extends ApiException {
        private static final long serialVersionUID = 1L;

        Invalid(int status, String message) {
            super(status, message);
        }
    }

    private void list(Context ctx) throws IOException {
        List<Object> out = new ArrayList<>();
        for (Schedule s : store.list()) {
            out.add(view(s));
        }
        Api.json(ctx, 200, out);
    }

    private void preview(Context ctx) {
        Cron c = cron(ctx.queryParam("cron"));
        Api.json(
                ctx,
                200,
                Map.of(
                        "cron",
                        c.expression(),
                        "timeZone",
                        scheduler.clock().getZone().getId(),
                        "nextRuns",
                        nextRuns(c)));
    }

    private void create(Context ctx) throws IOException {
        Schedule s = parse(Api.body(ctx), newId(), null, vcenters, hasVddk);
        store.put(s);
        Api.json(ctx, 201, view(s));
    }

    private void replace(Context ctx) throws IOException {
        Schedule old = store.get(ctx.pathParam("id")).orElseThrow(() -> new Invalid(404, "no such schedule"));
        Schedule s =
                parse(Api.body(ctx), old.id(), old.lastRun(), vcenters, hasVddk).withOutcome(old.lastOutcome());
        store.put(s);
        Api.json(ctx, 200, view(s));
    }

    private void runNow(Context ctx) throws IOException {
        Schedule s = store.get(ctx.pathParam("id")).orElseThrow(() -> new Invalid(404, "no such schedule"));
        Job j = scheduler.runNow(s);
        if (j == null) {
            throw new Invalid(
                    409,
                    "schedule '" + s.name() + "' is running already (job "
                            + scheduler.lastJob(s.id()).id() + ")");
        }
        Api.json(ctx, 202, Map.of("job", j.id()));
    }

    private void delete(Context ctx) throws IOException {
        if (!store.remove(ctx.pathParam("id"))) {
            throw new Invalid(404, "no such schedule");
        }
        Api.json(ctx, 200, Map.of("deleted", ctx.pathParam("id")));
    }

    private static String newId() {
        byte[] b = new byte[6];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private Map<String, Object> view(Schedule s) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("id", s.id());
        o.put("name", s.name());
        o.put("cron", s.cron());
        o.put("source", s.source().json());
        o.put("vm", scheduler.target(s));
        o.put("retention", ScheduleStore.retention(s.retention()));
        o.put("enabled", s.enabled());
        o.put("timeZone", scheduler.clock().getZone().getId());
        List<String> next = List.of();
        try {
            next = s.enabled() ? nextRuns(Cron.parse(s.cron())) : List.of();
        } catch (IllegalArgumentException e) {
            o.put("problem", e.getMessage());
        }
        if (s.source() instanceof Source.VcenterVms v
                && vcenters.name(v.vcenter()).isEmpty()) {
            o.put("problem", "its vCenter connection was deleted: choose another one, or runs will fail");
        }
        o.put("nextRuns", next);
        o.put("lastRun", s.lastRun() == null ? null : s.lastRun().toString());
        o.put("lastOutcome", ScheduleStore.outcome(s.lastOutcome()));
        Job j = scheduler.lastJob(s.id());
        o.put(
                "lastJob",
                j == null ? null : Map.of("id", j.id(), "state", j.state().name()));
        return o;
    }

    private List<String> nextRuns(Cron c) {
        List<String> out = new ArrayList<>();
        for (ZonedDateTime t : c.next(ZonedDateTime.now(scheduler.clock()), 3)) {
            out.add(t.toOffsetDateTime().toString());
        }
        return out;
    }

    private static Cron cron(String text) {
        if (text == null) {
            throw new Invalid(400, "'cron' is required: 5 fields, minute hour day-of-month month day-of-week");
        }
        try {
            return Cron.parse(text);
        } catch (IllegalArgumentException e) {
            throw new Invalid(400, e.getMessage());
        }
    }

    /**
     * A schedule from a request body: every field checked, the first problem answered 400.
     *
     * @param hasVddk whether the server was given a VDDK (else a VDDK transport is refused)
     */
    static Schedule parse(JsonNode b, String id, Instant lastRun, VcenterConnections vcenters, boolean hasVddk) {
        JsonNode n = b.get("name");
        if (n == null
                || !n.isTextual()
                || n.asText().isBlank()
                || n.asText().length() > 100
                || n.asText().chars().anyMatch(Character::isISOControl)) {
            throw new Invalid(400, "'name' is required: 1 to 100 characters, no control characters");
        }
        JsonNode c = b.get("cron");
        Cron cron = cron(c == null || !c.isTextual() ? null : c.asText());
        Source source = source(b.get("source"), vcenters, hasVddk);
        RetentionPolicy retention = retention(b.get("retention"));
        JsonNode e = b.get("enabled");
        if (e != null && !e.isNull() && !e.isBoolean()) {
            throw new Invalid(400, "'enabled' must be true or false");
        }
        boolean enabled = e == null || e.isNull() || e.asBoolean();
        return new Schedule(
                id, n.asText().trim(), cron.expression(), source, retention, enabled, Instant.now(), lastRun, null);
    }

    private static Source source(JsonNode s, VcenterConnections vcenters, boolean hasVddk) {
        if (s != null && s.isObject()) {
            return vcenterSource(s, vcenters, hasVddk);
        }
        if (s == null || !s.isTextual()) {
            throw new Invalid(400, SOURCE_FORMS);
        }
        String v = s.asText();
        if (!v.startsWith("file:")) {
            throw new Invalid(400, SOURCE_FORMS);
        }
        String p = v.substring("file:".length());
        if (!p.startsWith("/") || p.length() > 4096 || p.indexOf('\0') >= 0 || p.endsWith("/")) {
            throw new Invalid(
                    400, "'source' must be file: followed by the absolute path of a raw disk image, a VMDK or a .vmx");
        }
        return new Source.File(Path.of(p).normalize());
    }

    private static Source vcenterSource(JsonNode s, VcenterConnections vcenters, boolean hasVddk) {
        for (Iterator<String> it = s.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!VCENTER_FIELDS.contains(f)) {
                throw new Invalid(
                        400,
                        "'source." + f + "' is not a field of a vCenter source (" + String.join(", ", VCENTER_FIELDS)
                                + ")");
            }
        }
        JsonNode vc = s.get("vcenter");
        if (vc == null || !vc.isTextual() || vcenters.name(vc.asText()).isEmpty()) {
            throw new Invalid(
                    400, "'source.vcenter' must be the id of a saved vCenter connection (see the vCenter page)");
        }
        JsonNode spec = s.get("spec");
        if (spec == null
                || !spec.isTextual()
                || spec.asText().isBlank()
                || spec.asText().length() > 1024) {
            throw new Invalid(
                    400,
                    "'source.spec' is required: which VMs, as in 'cairn backup --vm': name:web01, uuid:..., moref:vm-42,"
                            + " ipaddr:10.0.0.5, powerstate:on|off|suspended, any:");
        }
        try {
            VmSpec.parse(spec.asText().strip());
        } catch (IllegalArgumentException e) {
            throw new Invalid(400, "'source.spec': " + e.getMessage());
        }
        return new Source.VcenterVms(
                vc.asText(),
                spec.asText().strip(),
                flag(s, "quiesce", true),
                flag(s, "enableCbt", false),
                transport(s.get("transport"), hasVddk));
    }

    /** https unless given; a VDDK transport only when the server has a VDDK to load. */
    private static Transport transport(JsonNode t, boolean hasVddk) {
        if (t == null || t.isNull()) {
            return Transport.HTTPS;
        }
        Transport transport;
        try {
            transport = Transports.parse(t.isTextual() ? t.asText() : t.toString());
        } catch (IllegalArgumentException e) {
            throw new Invalid(400, "'source.transport' " + e.getMessage());
        }
        if (transport.needsVddk() && !hasVddk) {
            throw new Invalid(
                    400,
                    "'source.transport' " + transport.cliName() + " reads disks through VMware's VDDK, which this"
                            + " server was not given: start it with 'cairn serve --vddk DIR' (or set VDDK_HOME),"
                            + " or choose https");
        }
        return transport;
    }

    private static boolean flag(JsonNode s, String field, boolean dflt) {
        JsonNode v = s.get(field);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isBoolean()) {
            throw new Invalid(400, "'source." + field + "' must be true or false");
        }
        return v.booleanValue();
    }

    private static RetentionPolicy retention(JsonNode r) {
        if (r == null || r.isNull()) {
            return null;
        }
        if (!r.isObject()) {
            throw new Invalid(
                    400, "'retention' must be null or {\"keepLast\", \"keepDaily\", \"keepWeekly\", \"keepMonthly\"}");
        }
        int[] k = new int[4];
        String[] names = {"keepLast", "keepDaily", "keepWeekly", "keepMonthly"};
        for (int i = 0; i < 4; i++) {
            JsonNode v = r.get(names[i]);
            if (v == null || v.isNull()) {
                continue;
            }
            if (!v.isInt() || v.asInt() < 0 || v.asInt() > 100_000) {
                throw new Invalid(400, "'retention." + names[i] + "' must be a whole number from 0 to 100000");
            }
            k[i] = v.asInt();
        }
        RetentionPolicy p = new RetentionPolicy(k[0], k[1], k[2], k[3]);
        if (p.keepsNothing()) {
            throw new Invalid(
                    400,
                    "'retention' keeps nothing, which would delete every backup of the VM;"
                            + " set at least one keep count above 0, or give null to keep every backup");
        }
        return p;
    }
}
