package io.cairn.httpui.web;

import com.fasterxml.jackson.databind.JsonNode;
import io.cairn.httpui.http.ApiException;
import io.cairn.httpui.schedule.Cron;
import io.cairn.httpui.schedule.Schedule;
import io.cairn.httpui.schedule.Source;
import io.cairn.httpui.vcenter.VcenterConnections;
import io.cairn.operations.roots.SourceRoots;
import io.cairn.operations.source.Transports;
import io.cairn.repository.error.UnsafePathException;
import io.cairn.repository.maintenance.RetentionPolicy;
import io.cairn.vixmntbridge.vddk.Transport;
import io.cairn.vsphere.inventory.VmSpec;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;

/**
 * A schedule from the body of {@code POST /schedules} or {@code PUT /schedules/{id}}: every field
 * checked, the first problem answered 400 with one line naming the field.
 */
final class ScheduleForm {
    private static final String SOURCE_FORMS =
            "'source' is required: {\"vcenter\": CONNECTION_ID, \"spec\": \"name:web01\"}"
                    + " for vCenter VMs, or \"file:/absolute/path\" of a raw disk image, VMDK or .vmx on the appliance";
    private static final List<String> VCENTER_FIELDS = List.of("vcenter", "spec", "quiesce", "enableCbt", "transport");

    private ScheduleForm() {}

    /** A cron expression from a request: 400 when absent or invalid, naming the field that is wrong. */
    static Cron cron(String text) {
        if (text == null) {
            throw ApiException.badRequest("'cron' is required: 5 fields, minute hour day-of-month month day-of-week");
        }
        try {
            return Cron.parse(text);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
    }

    /**
     * A schedule from a request body: every field checked, the first problem answered 400.
     *
     * @param hasVddk whether the server was given a VDDK (else a VDDK transport is refused)
     * @param roots the source roots a {@code file:} source must lie below
     */
    static Schedule parse(
            JsonNode b, String id, Instant lastRun, VcenterConnections vcenters, boolean hasVddk, SourceRoots roots) {
        JsonNode n = b.get("name");
        if (n == null
                || !n.isTextual()
                || n.asText().isBlank()
                || n.asText().length() > 100
                || n.asText().chars().anyMatch(Character::isISOControl)) {
            throw ApiException.badRequest("'name' is required: 1 to 100 characters, no control characters");
        }
        JsonNode c = b.get("cron");
        Cron cron = cron(c == null || !c.isTextual() ? null : c.asText());
        Source source = source(b.get("source"), vcenters, hasVddk, roots);
        RetentionPolicy retention = retention(b.get("retention"));
        JsonNode e = b.get("enabled");
        if (e != null && !e.isNull() && !e.isBoolean()) {
            throw ApiException.badRequest("'enabled' must be true or false");
        }
        boolean enabled = e == null || e.isNull() || e.asBoolean();
        return new Schedule(
                id, n.asText().trim(), cron.expression(), source, retention, enabled, Instant.now(), lastRun, null);
    }

    private static Source source(JsonNode s, VcenterConnections vcenters, boolean hasVddk, SourceRoots roots) {
        if (s != null && s.isObject()) {
            return vcenterSource(s, vcenters, hasVddk);
        }
        if (s == null || !s.isTextual()) {
            throw ApiException.badRequest(SOURCE_FORMS);
        }
        String v = s.asText();
        if (!v.startsWith("file:")) {
            throw ApiException.badRequest(SOURCE_FORMS);
        }
        String p = v.substring("file:".length());
        if (!p.startsWith("/") || p.length() > 4096 || p.indexOf('\0') >= 0 || p.endsWith("/")) {
            throw ApiException.badRequest(
                    "'source' must be file: followed by the absolute path of a raw disk image, a VMDK or a .vmx");
        }
        try {
            return new Source.File(roots.check(p));
        } catch (UnsafePathException e) {
            throw ApiException.badRequest("'source': " + e.getMessage());
        }
    }

    private static Source vcenterSource(JsonNode s, VcenterConnections vcenters, boolean hasVddk) {
        for (Iterator<String> it = s.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!VCENTER_FIELDS.contains(f)) {
                throw ApiException.badRequest("'source." + f + "' is not a field of a vCenter source ("
                        + String.join(", ", VCENTER_FIELDS) + ")");
            }
        }
        JsonNode vc = s.get("vcenter");
        if (vc == null || !vc.isTextual() || vcenters.name(vc.asText()).isEmpty()) {
            throw ApiException.badRequest(
                    "'source.vcenter' must be the id of a saved vCenter connection (see the vCenter page)");
        }
        JsonNode spec = s.get("spec");
        if (spec == null
                || !spec.isTextual()
                || spec.asText().isBlank()
                || spec.asText().length() > 1024) {
            throw ApiException.badRequest(
                    "'source.spec' is required: which VMs, as in 'cairn backup --vm': name:web01, uuid:..., moref:vm-42,"
                            + " ipaddr:10.0.0.5, powerstate:on|off|suspended, any:");
        }
        try {
            VmSpec.parse(spec.asText().strip());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("'source.spec': " + e.getMessage());
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
            throw ApiException.badRequest("'source.transport' " + e.getMessage());
        }
        if (transport.needsVddk() && !hasVddk) {
            throw ApiException.badRequest(
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
            throw ApiException.badRequest("'source." + field + "' must be true or false");
        }
        return v.booleanValue();
    }

    private static RetentionPolicy retention(JsonNode r) {
        if (r == null || r.isNull()) {
            return null;
        }
        if (!r.isObject()) {
            throw ApiException.badRequest(
                    "'retention' must be null or {\"keepLast\", \"keepDaily\", \"keepWeekly\", \"keepMonthly\"}");
        }
        int[] k = new int[4];
        String[] names = {"keepLast", "keepDaily", "keepWeekly", "keepMonthly"};
        for (int i = 0; i < 4; i++) {
            JsonNode v = r.get(names[i]);
            if (v == null || v.isNull()) {
                continue;
            }
            if (!v.isInt() || v.asInt() < 0 || v.asInt() > 100_000) {
                throw ApiException.badRequest("'retention." + names[i] + "' must be a whole number from 0 to 100000");
            }
            k[i] = v.asInt();
        }
        RetentionPolicy p = new RetentionPolicy(k[0], k[1], k[2], k[3]);
        if (p.keepsNothing()) {
            throw ApiException.badRequest("'retention' keeps nothing, which would delete every backup of the VM;"
                    + " set at least one keep count above 0, or give null to keep every backup");
        }
        return p;
    }
}
