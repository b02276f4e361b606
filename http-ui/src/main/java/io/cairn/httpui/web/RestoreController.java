package io.cairn.httpui.web;

import com.fasterxml.jackson.databind.JsonNode;
import io.cairn.httpui.audit.AuditLog;
import io.cairn.httpui.auth.Sessions;
import io.cairn.httpui.catalog.Catalog;
import io.cairn.httpui.http.ApiException;
import io.cairn.httpui.http.Authorization;
import io.cairn.httpui.http.Body;
import io.cairn.httpui.jobs.Jobs;
import io.cairn.httpui.roots.RootsStore;
import io.cairn.httpui.vcenter.VcenterConnections;
import io.cairn.operations.disk.Vddk;
import io.cairn.operations.job.Job;
import io.cairn.operations.roots.RestoreRoots;
import io.cairn.operations.source.Transports;
import io.cairn.repository.Repository;
import io.cairn.repository.backup.Restorer;
import io.cairn.vixmntbridge.vddk.Transport;
import io.cairn.vsphere.config.DiskFormat;
import io.cairn.vsphere.restore.VmRestore;
import io.javalin.http.Context;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Restores as jobs (operator; 202 with the job's id, progress through the job's events):
 * {@code POST /backups/{id}/restore} writes the disks and files into a directory on the appliance
 * ({@code to}, at or below one of the administrator's restore roots; {@code format}, {@code onConflict});
 * {@code POST /backups/{id}/restore-vm} re-creates the VM on a saved vCenter connection ({@code mode:
 * as-new} with its placement and disk formats and datastores, {@code mode: original} where the backup
 * found it, either with {@code keepIdentity}) or writes it back into the VM it came from ({@code mode:
 * in-place}, {@code force}); {@code transport} https or, with the server's VDDK, nbd, nbdssl, hotadd or
 * san. Both are audited when they start
 * and when they end.
 */
final class RestoreController {
    private static final List<String> FORMATS =
            List.of("raw", "vmdk-flat", "vmdk-sparse", "vmdk-stream", "vmdk-2gbsparse");

    private final Catalog catalog;
    private final Jobs jobs;
    private final VcenterConnections vcenters;
    private final AuditLog audit;
    private final RootsStore roots;
    private final Vddk vddk;

    /**
     * @param roots the restore roots a target must lie in (never the repository, the state or its mount)
     * @param vddk the server's VDDK, for restores over nbd, nbdssl, hotadd or san
     */
    RestoreController(
            Catalog catalog, Jobs jobs, VcenterConnections vcenters, AuditLog audit, RootsStore roots, Vddk vddk) {
        this.catalog = catalog;
        this.jobs = jobs;
        this.vcenters = vcenters;
        this.audit = audit;
        this.roots = roots;
        this.vddk = vddk;
    }

    void toDirectory(Context ctx) throws IOException {
        Sessions.Session s = Authorization.session(ctx);
        Repository.Listed l = catalog.backup(ctx.pathParam("id"));
        Body b = Body.of(ctx);
        String to = b.text("to");
        String format = b.has("format") ? b.text("format") : "raw";
        String onConflict = b.has("onConflict") ? b.text("onConflict") : "abort";
        RestoreRoots allowed = roots.restoreRoots();
        // at once, without touching the disk (400); the job walks it without links and may still refuse
        Path target = allowed.check(to);
        Restorer.Conflict conflict;
        try {
            conflict = Restorer.Conflict.valueOf(onConflict.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("'onConflict' must be abort, keep or overwrite");
        }
        if (!FORMATS.contains(format)) {
            throw ApiException.badRequest(
                    "'format' must be raw, vmdk-flat, vmdk-sparse, vmdk-stream or vmdk-2gbsparse");
        }
        String ip = ctx.ip();
        Job j = jobs.restore(
                l,
                target,
                format,
                conflict,
                allowed,
                s.user(),
                done -> audit.record(
                        s.user(),
                        ip,
                        "restore",
                        l.ref().id(),
                        target.toString(),
                        done.state() == Job.State.SUCCEEDED ? l.manifest().logicalBytes() : null,
                        done.state().name().toLowerCase(Locale.ROOT)));
        audit.record(s.user(), ip, "restore", l.ref().id(), target.toString(), null, "started");
        JobController.started(ctx, j);
    }

    void toVsphere(Context ctx) throws IOException {
        Sessions.Session s = Authorization.session(ctx);
        Repository.Listed l = catalog.backup(ctx.pathParam("id"));
        Body b = Body.of(ctx);
        String vcId = b.text("vcenter");
        VcenterConnections.Saved vc =
                vcenters.get(vcId).orElseThrow(() -> ApiException.badRequest("no such vCenter connection: " + vcId));
        String mode = b.has("mode") ? b.text("mode") : "as-new";
        VmRestore.AsNew asNew = null;
        String target;
        if (mode.equals("as-new")) {
            asNew = asNew(b, false);
            target = asNew.name();
        } else if (mode.equals("original")) {
            asNew = asNew(b, true).atOriginalLocation();
            target = asNew.name() != null ? asNew.name() : l.manifest().vm().name();
        } else if (mode.equals("in-place")) {
            target = l.manifest().vm().name();
        } else {
            throw ApiException.badRequest("'mode' must be as-new, original or in-place");
        }
        boolean force = b.bool("force");
        Transport transport = transport(b);
        String ip = ctx.ip();
        String what =
                vc.name() + ": " + mode + " " + target + (transport.needsVddk() ? " over " + transport.cliName() : "");
        Job j = jobs.vsphereRestore(
                l,
                target,
                () -> vcenters.open(vc.id()),
                () -> vcenters.credentials(vc.id()),
                asNew,
                force,
                transport,
                vddk,
                s.user(),
                done -> audit.record(
                        s.user(),
                        ip,
                        "restore-vm",
                        l.ref().id(),
                        what,
                        null,
                        done.state().name().toLowerCase(Locale.ROOT)));
        audit.record(s.user(), ip, "restore-vm", l.ref().id(), what, null, "started");
        JobController.started(ctx, j);
    }

    /** https unless given; a VDDK transport only when the server has a VDDK to load. */
    private Transport transport(Body b) {
        String name = b.has("transport") ? b.text("transport") : "https";
        Transport t;
        try {
            t = Transports.parse(name);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("'transport' " + e.getMessage());
        }
        if (t.needsVddk() && !vddk.named()) {
            throw ApiException.badRequest("'transport' " + t.cliName()
                    + " writes disks through VMware's VDDK, which this server was not given: start it with"
                    + " 'cairn serve --vddk DIR' (or set VDDK_HOME), or choose https");
        }
        return t;
    }

    /** @param original the name may be left out (the backup's is taken) */
    private static VmRestore.AsNew asNew(Body b, boolean original) {
        String name = original ? optional(b, "name") : VcenterController.limited(b.text("name"), "name", 80);
        if (name != null && name.length() > 80) {
            throw ApiException.badRequest("'name' must be at most 80 characters");
        }
        if (name != null && name.isBlank()) {
            throw ApiException.badRequest("'name' must not be empty");
        }
        String conflict = b.has("onConflict") ? b.text("onConflict") : "abort";
        VmRestore.Conflict onConflict;
        try {
            onConflict = VmRestore.Conflict.valueOf(conflict.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException ex) {
            throw ApiException.badRequest("'onConflict' must be abort, keep or overwrite");
        }
        return new VmRestore.AsNew(
                        name,
                        optional(b, "datastore"),
                        optional(b, "datacenter"),
                        optional(b, "folder"),
                        optional(b, "pool"),
                        optional(b, "host"),
                        networkMap(b.get("networkMap")),
                        onConflict,
                        b.bool("powerOn"),
                        null)
                .withDisks(
                        diskFormat(b),
                        diskFormats(b.get("diskFormats")),
                        names(b.get("diskDatastores"), "diskDatastores"))
                .withKeepIdentity(b.bool("keepIdentity"));
    }

    private static DiskFormat diskFormat(Body b) {
        String f = optional(b, "diskFormat");
        try {
            return f == null ? null : DiskFormat.parse(f);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("'diskFormat' must be thin, thick or eagerzeroedthick");
        }
    }

    private static Map<String, DiskFormat> diskFormats(JsonNode n) {
        Map<String, DiskFormat> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : names(n, "diskFormats").entrySet()) {
            try {
                out.put(e.getKey(), DiskFormat.parse(e.getValue()));
            } catch (IllegalArgumentException ex) {
                throw ApiException.badRequest("'diskFormats' values must be thin, thick or eagerzeroedthick");
            }
        }
        return out;
    }

    /** A {@code {"disk": "value"}} object of at most 64 short entries (disks are named by slot, label or key). */
    private static Map<String, String> names(JsonNode n, String field) {
        Map<String, String> out = new LinkedHashMap<>();
        if (n == null || n.isNull()) {
            return out;
        }
        if (!n.isObject() || n.size() > 64) {
            throw ApiException.badRequest(
                    "'" + field + "' must be an object {\"disk\": \"value\"} of at most 64 disks");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            if (!f.getValue().isTextual()
                    || f.getValue().asText().isBlank()
                    || f.getKey().length() > 80
                    || f.getValue().asText().length() > 1024) {
                throw ApiException.badRequest("'" + field + "' maps disk names to non-empty names");
            }
            out.put(f.getKey(), f.getValue().asText().strip());
        }
        return out;
    }

    private static Map<String, String> networkMap(JsonNode nm) {
        Map<String, String> networks = new LinkedHashMap<>();
        if (nm == null || nm.isNull()) {
            return networks;
        }
        if (!nm.isObject()) {
            throw ApiException.badRequest("'networkMap' must be an object {\"old network\": \"new network\"}");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = nm.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            if (!f.getValue().isTextual() || f.getValue().asText().isBlank()) {
                throw ApiException.badRequest("'networkMap' values must be network names");
            }
            networks.put(f.getKey(), f.getValue().asText());
        }
        return networks;
    }

    /** An optional placement field: null when absent or blank, else stripped and at most 1024 characters. */
    private static String optional(Body b, String field) {
        String v = b.optionalText(field);
        if (v == null || v.isBlank()) {
            return null;
        }
        return VcenterController.limited(v.strip(), field, 1024);
    }
}
