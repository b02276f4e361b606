package io.cairn.httpui.web;

import io.cairn.httpui.audit.AuditLog;
import io.cairn.httpui.auth.Sessions;
import io.cairn.httpui.http.Api;
import io.cairn.httpui.http.ApiException;
import io.cairn.httpui.http.Authorization;
import io.cairn.httpui.http.Body;
import io.cairn.httpui.vcenter.CertificateProbe;
import io.cairn.httpui.vcenter.VcenterConnections;
import io.cairn.vsphere.connect.Thumbprint;
import io.cairn.vsphere.connect.VsphereConnection;
import io.cairn.vsphere.connect.VsphereException;
import io.cairn.vsphere.inventory.Inventory;
import io.cairn.vsphere.inventory.InventoryNames;
import io.cairn.vsphere.inventory.VmSpec;
import io.javalin.http.Context;
import java.io.IOException;
import java.net.URI;
import java.util.Arrays;
import java.util.List;

/**
 * The saved vCenter connections (admin): {@code GET /vcenters} (never a password), {@code POST
 * /vcenters/probe} (the server's certificate, read without trusting it, to compare and pin), {@code
 * POST /vcenters} and {@code PUT /vcenters/{vc}} (saved only after one login with the pinned
 * thumbprint, or {@code "insecure": true} given explicitly), {@code DELETE /vcenters/{vc}}, {@code POST
 * /vcenters/{vc}/test}; and for operators {@code GET /vcenter-choices} (names only), {@code GET
 * /vcenters/{vc}/inventory} (the names a restore is placed by, every page of them) and {@code GET
 * /vcenters/{vc}/vms?spec=} (the VMs a spec selects, for the schedule form). A vSphere failure is one
 * line naming the server (the error mapping's 400), never a stack trace or a password.
 */
final class VcenterController {
    /** For operators choosing a connection: no user, no thumbprint. */
    record Choice(String id, String name, String url) {}

    record TestResult(boolean ok, String message, String apiVersion, Integer vms) {}

    record Deleted(String deleted) {}

    record VmView(String name, String moRef, String instanceUuid, String powerState, boolean template) {}

    private final VcenterConnections vcenters;
    private final AuditLog audit;

    VcenterController(VcenterConnections vcenters, AuditLog audit) {
        this.vcenters = vcenters;
        this.audit = audit;
    }

    void list(Context ctx) {
        Api.json(ctx, 200, vcenters.list());
    }

    void choices(Context ctx) {
        Api.json(
                ctx,
                200,
                vcenters.list().stream()
                        .map(v -> new Choice(v.id(), v.name(), v.url()))
                        .toList());
    }

    void probe(Context ctx) throws IOException {
        URI sdk = sdk(Body.of(ctx).text("url"));
        try {
            Api.json(ctx, 200, CertificateProbe.probe(sdk));
        } catch (IOException e) {
            throw ApiException.badRequest("cannot read the certificate of " + sdk + ": " + oneLine(e));
        }
    }

    void add(Context ctx) throws IOException {
        Body b = Body.of(ctx);
        String name = name(b.text("name"));
        URI sdk = sdk(b.text("url"));
        String user = limited(b.text("user"), "user", 256);
        char[] password = limited(b.text("password"), "password", 1024).toCharArray();
        try {
            boolean insecure = b.bool("insecure");
            String thumbprint = thumbprint(b.optionalText("thumbprint"), insecure);
            unique(name, null);
            VcenterConnections.Saved saved =
                    vcenters.add(new VcenterConnections.Settings(name, sdk, user, thumbprint, insecure), password);
            record(ctx, "vcenter-add", name + " " + sdk);
            Api.json(ctx, 201, saved);
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    void edit(Context ctx) throws IOException {
        VcenterConnections.Saved old = saved(ctx);
        Body b = Body.of(ctx);
        String name = b.has("name") ? name(b.text("name")) : old.name();
        URI sdk = b.has("url") ? sdk(b.text("url")) : URI.create(old.url());
        String user = b.has("user") ? limited(b.text("user"), "user", 256) : old.user();
        boolean insecure;
        String thumbprint;
        if (b.get("insecure") != null || b.has("thumbprint")) {
            insecure = b.bool("insecure");
            thumbprint = thumbprint(b.optionalText("thumbprint"), insecure);
        } else {
            insecure = old.insecure();
            thumbprint = old.thumbprint();
        }
        unique(name, old.id());
        char[] password = b.has("password")
                ? limited(b.text("password"), "password", 1024).toCharArray()
                : null;
        VcenterConnections.Settings settings = new VcenterConnections.Settings(name, sdk, user, thumbprint, insecure);
        List<String> changes = vcenters.changes(old.id(), settings);
        String what = old.name() + " " + old.url() + (changes.isEmpty() ? "" : " (" + String.join(", ", changes) + ")")
                + (password != null ? "; password entered" : "");
        try {
            VcenterConnections.Saved saved = vcenters.edit(old.id(), settings, password);
            record(ctx, "vcenter-edit", what, "ok");
            Api.json(ctx, 200, saved);
        } catch (IOException | RuntimeException e) {
            record(ctx, "vcenter-edit", what, "failed");
            throw e;
        } finally {
            if (password != null) {
                Arrays.fill(password, '\0');
            }
        }
    }

    void delete(Context ctx) throws IOException {
        VcenterConnections.Saved v = saved(ctx);
        vcenters.delete(v.id());
        record(ctx, "vcenter-delete", v.name() + " " + v.url());
        Api.json(ctx, 200, new Deleted(v.id()));
    }

    void test(Context ctx) throws IOException {
        VcenterConnections.Tested t = vcenters.test(saved(ctx).id());
        Api.json(ctx, 200, new TestResult(t.ok(), t.message(), t.apiVersion(), t.vms()));
    }

    void inventory(Context ctx) throws IOException {
        VcenterConnections.Saved v = saved(ctx);
        try (VsphereConnection c = vcenters.open(v.id())) {
            Api.json(ctx, 200, InventoryNames.read(c));
        }
    }

    /** The VMs a spec selects now ({@code ?spec=name:web01}), as a schedule with that spec would back them up. */
    void vms(Context ctx) throws IOException {
        VcenterConnections.Saved v = saved(ctx);
        String text = ctx.queryParam("spec");
        if (text == null || text.isBlank() || text.length() > 1024) {
            throw ApiException.badRequest(
                    "'spec' is required: name:, uuid:, moref:, ipaddr:, powerstate:on|off|suspended, any: or none:");
        }
        VmSpec spec;
        try {
            spec = VmSpec.parse(text.strip());
        } catch (IllegalArgumentException ex) {
            throw ApiException.badRequest(ex.getMessage());
        }
        try (VsphereConnection c = vcenters.open(v.id())) {
            List<VmView> out = spec.select(Inventory.vms(c)).stream()
                    .map(i -> new VmView(
                            i.name(), i.moRef(), i.instanceUuid(), i.power(), Boolean.TRUE.equals(i.template())))
                    .toList();
            Api.json(ctx, 200, out);
        }
    }

    // ---- translating the request ----

    private VcenterConnections.Saved saved(Context ctx) {
        return vcenters.get(ctx.pathParam("vc")).orElseThrow(() -> ApiException.notFound("no such vCenter connection"));
    }

    private void record(Context ctx, String action, String what) {
        record(ctx, action, what, "ok");
    }

    private void record(Context ctx, String action, String what, String outcome) {
        Sessions.Session s = Authorization.session(ctx);
        audit.record(s.user(), ctx.ip(), action, null, what, null, outcome);
    }

    private void unique(String name, String exceptId) {
        for (VcenterConnections.Saved v : vcenters.list()) {
            if (v.name().equals(name) && !v.id().equals(exceptId)) {
                throw ApiException.badRequest("a vCenter connection named '" + name + "' exists");
            }
        }
    }

    private static String name(String n) {
        String s = n.strip();
        if (s.isEmpty() || s.length() > 100 || s.chars().anyMatch(Character::isISOControl)) {
            throw ApiException.badRequest("'name' must be 1 to 100 printable characters");
        }
        return s;
    }

    private static URI sdk(String url) {
        if (url.length() > 2048 || url.chars().anyMatch(Character::isISOControl) || url.isBlank()) {
            throw ApiException.badRequest("'url' must be https://HOST[:PORT][/sdk]");
        }
        try {
            return VsphereConnection.sdkUri(URI.create(url.strip()));
        } catch (IllegalArgumentException | VsphereException e) {
            throw ApiException.badRequest("'url' must be https://HOST[:PORT][/sdk]: " + oneLine(e));
        }
    }

    private static String thumbprint(String t, boolean insecure) {
        if (insecure) {
            if (t != null && !t.isBlank()) {
                throw ApiException.badRequest("give either 'thumbprint' or \"insecure\": true, not both");
            }
            return null;
        }
        if (t == null || t.isBlank()) {
            throw ApiException.badRequest(
                    "'thumbprint' is required (the server certificate's SHA-1 or SHA-256, see probe),"
                            + " unless \"insecure\": true is given");
        }
        try {
            return Thumbprint.normalize(t);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
    }

    /** {@code v} when it has at most {@code max} characters and no NUL; else 400 naming {@code field}. */
    static String limited(String v, String field, int max) {
        if (v.length() > max || v.indexOf('\0') >= 0) {
            throw ApiException.badRequest("'" + field + "' is too long (at most " + max + " characters)");
        }
        return v;
    }

    private static String oneLine(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return m.lines().findFirst().orElse(m);
    }
}
