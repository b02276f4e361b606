package io.cairn.httpui.vcenter;

import com.fasterxml.jackson.databind.JsonNode;
import io.cairn.httpui.Api;
import io.cairn.httpui.auth.Role;
import io.cairn.httpui.auth.Sessions;
import io.cairn.httpui.jobs.Jobs;
import io.cairn.operations.job.Job;
import io.cairn.repository.Repository;
import io.cairn.vsphere.connect.ConnectOptions;
import io.cairn.vsphere.connect.Thumbprint;
import io.cairn.vsphere.connect.VsphereConnection;
import io.cairn.vsphere.connect.VsphereException;
import io.cairn.vsphere.inventory.Inventory;
import io.cairn.vsphere.inventory.VmInfo;
import io.cairn.vsphere.inventory.VmSpec;
import io.cairn.vsphere.restore.VmRestore;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * The vCenter connections API (admin) and the restore of a backup onto vSphere (operator):
 *
 * <ul>
 *   <li>{@code GET /api/v1/vcenters}: the saved connections, never their passwords;
 *   <li>{@code POST /api/v1/vcenters/probe {"url"}}: the server's certificate (SHA-1, SHA-256,
 *       subject, expiry), read without trusting it, for the admin to compare and accept;
 *   <li>{@code POST /api/v1/vcenters}, {@code PUT /api/v1/vcenters/{id}}: logs in once with the
 *       pinned thumbprint (or {@code "insecure": true}, only when given explicitly), then saves;
 *   <li>{@code DELETE /api/v1/vcenters/{id}}, {@code POST /api/v1/vcenters/{id}/test};
 *   <li>{@code GET /api/v1/vcenters/{id}/inventory}: names and paths for the restore wizard;
 *   <li>{@code GET /api/v1/vcenters/{id}/vms?spec=}: the VMs a spec selects (the schedule form);
 *   <li>{@code POST /api/v1/backups/{id}/restore-vm}: a {@code restore-vm} job in the job list.
 * </ul>
 *
 * Failures are thrown as Javalin {@link HttpResponseException}s with a one-line message, which the
 * server's one error mapping turns into {@code {"error": ...}}; a vSphere failure is a 400 (or a
 * job failure) naming the server, never a stack trace or a password.
 */
public final class VcenterApi {
    private static final String API = "/api/v1";
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Writes one audit line (the server's audit log). */
    @FunctionalInterface
    public interface Audit {
        void record(String user, String ip, String action, String backup, String path, String outcome);
    }

    private final VcenterStore store;
    private final VcenterConnections connections;
    private final Repository repo;
    private final Jobs jobs;
    private final Audit audit;

    private VcenterApi(VcenterStore store, Repository repo, Jobs jobs, Audit audit) {
        this.store = store;
        this.connections = new VcenterConnections(store);
        this.repo = repo;
        this.jobs = jobs;
        this.audit = audit;
    }

    /**
     * Adds the routes to {@code app}; connections are kept in {@code stateDir}.
     *
     * @return the saved connections, for the scheduler's vCenter backups
     */
    public static VcenterConnections register(Javalin app, Path stateDir, Repository repo, Jobs jobs, Audit audit) {
        VcenterApi a;
        try {
            a = new VcenterApi(VcenterStore.open(stateDir), repo, jobs, audit);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(
                    "cannot read the vCenter connections in " + stateDir + ": " + e.getMessage(), e);
        }
        app.get(API + "/vcenters", a::list, Role.ADMIN);
        app.post(API + "/vcenters/probe", a::probe, Role.ADMIN);
        app.post(API + "/vcenters", a::add, Role.ADMIN);
        app.put(API + "/vcenters/{vc}", a::edit, Role.ADMIN);
        app.delete(API + "/vcenters/{vc}", a::delete, Role.ADMIN);
        app.post(API + "/vcenters/{vc}/test", a::test, Role.ADMIN);
        app.get(API + "/vcenters/{vc}/inventory", a::inventory, Role.OPERATOR);
        app.get(API + "/vcenters/{vc}/vms", a::vms, Role.OPERATOR);
        app.get(API + "/vcenter-choices", a::choices, Role.OPERATOR);
        app.post(API + "/backups/{id}/restore-vm", a::restoreVm, Role.OPERATOR);
        return a.connections;
    }

    // ---- connections ----

    private static Map<String, Object> view(VcenterStore.Entry e) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("id", e.id());
        o.put("name", e.name());
        o.put("url", e.url());
        o.put("user", e.user());
        o.put("thumbprint", e.thumbprint());
        o.put("insecure", e.insecure());
        o.put("lastTest", e.lastTest());
        return o;
    }

    private void list(Context ctx) {
        Api.json(ctx, 200, store.list().stream().map(VcenterApi::view).toList());
    }

    /** Names only, for operators choosing a connection in the restore wizard. */
    private void choices(Context ctx) {
        Api.json(
                ctx,
                200,
                store.list().stream()
                        .map(e -> {
                            Map<String, Object> o = new LinkedHashMap<>();
                            o.put("id", e.id());
                            o.put("name", e.name());
                            o.put("url", e.url());
                            return o;
                        })
                        .toList());
    }

    private void probe(Context ctx) throws IOException {
        JsonNode b = Api.body(ctx);
        URI sdk = sdk(text(b, "url", true));
        X509Certificate leaf;
        try {
            leaf = certificate(sdk);
        } catch (IOException e) {
            throw bad("cannot read the certificate of " + sdk + ": " + oneLine(e));
        }
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("url", sdk.toString());
        o.put("sha1", Thumbprint.sha1(leaf));
        o.put("sha256", Thumbprint.sha256(leaf));
        o.put("subject", leaf.getSubjectX500Principal().getName());
        o.put("issuer", leaf.getIssuerX500Principal().getName());
        o.put("notAfter", leaf.getNotAfter().toInstant().toString());
        Api.json(ctx, 200, o);
    }

    private void add(Context ctx) throws IOException {
        JsonNode b = Api.body(ctx);
        String id = HexFormat.of().formatHex(randomBytes(8));
        String name = name(text(b, "name", true));
        URI sdk = sdk(text(b, "url", true));
        String user = limited(text(b, "user", true), "user", 256);
        String pw = limited(text(b, "password", true), "password", 1024);
        boolean insecure = insecure(b);
        String thumbprint = thumbprint(text(b, "thumbprint", false), insecure);
        unique(name, null);
        char[] password = pw.toCharArray();
        try {
            Tested t = tryLogin(sdk, user, password, thumbprint, insecure);
            if (!t.ok()) {
                throw bad(t.message());
            }
            VcenterStore.Entry e = new VcenterStore.Entry(
                    id, name, sdk.toString(), user, thumbprint, insecure, store.seal(id, password), t.last());
            store.put(e);
            record(ctx, "vcenter-add", name + " " + sdk, "ok");
            Api.json(ctx, 201, view(e));
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    private void edit(Context ctx) throws IOException {
        VcenterStore.Entry old = entry(ctx);
        JsonNode b = Api.body(ctx);
        String name = b.hasNonNull("name") ? name(text(b, "name", true)) : old.name();
        URI sdk = b.hasNonNull("url") ? sdk(text(b, "url", true)) : URI.create(old.url());
        String user = b.hasNonNull("user") ? limited(text(b, "user", true), "user", 256) : old.user();
        boolean insecure;
        String thumbprint;
        if (b.has("insecure") || b.hasNonNull("thumbprint")) {
            insecure = insecure(b);
            thumbprint = thumbprint(text(b, "thumbprint", false), insecure);
        } else {
            insecure = old.insecure();
            thumbprint = old.thumbprint();
        }
        unique(name, old.id());
        char[] password = b.hasNonNull("password")
                ? limited(text(b, "password", true), "password", 1024).toCharArray()
                : store.open(old);
        try {
            Tested t = tryLogin(sdk, user, password, thumbprint, insecure);
            if (!t.ok()) {
                throw bad(t.message());
            }
            VcenterStore.Entry e = new VcenterStore.Entry(
                    old.id(),
                    name,
                    sdk.toString(),
                    user,
                    thumbprint,
                    insecure,
                    b.hasNonNull("password") ? store.seal(old.id(), password) : old.sealedPassword(),
                    t.last());
            store.put(e);
            record(ctx, "vcenter-edit", name + " " + sdk, "ok");
            Api.json(ctx, 200, view(e));
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    private void delete(Context ctx) throws IOException {
        VcenterStore.Entry e = entry(ctx);
        store.remove(e.id());
        record(ctx, "vcenter-delete", e.name() + " " + e.url(), "ok");
        Api.json(ctx, 200, Map.of("deleted", e.id()));
    }

    private void test(Context ctx) throws IOException {
        VcenterStore.Entry e = entry(ctx);
        char[] password = store.open(e);
        Tested t;
        try {
            t = tryLogin(URI.create(e.url()), e.user(), password, e.thumbprint(), e.insecure());
        } finally {
            Arrays.fill(password, '\0');
        }
        VcenterStore.Entry now = store.get(e.id());
        if (now != null) {
            store.put(now.withLastTest(t.last()));
        }
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("ok", t.ok());
        o.put("message", t.message());
        o.put("apiVersion", t.apiVersion());
        o.put("vms", t.vms());
        Api.json(ctx, 200, o);
    }

    private record Tested(boolean ok, String message, String apiVersion, Integer vms) {
        VcenterStore.LastTest last() {
            return new VcenterStore.LastTest(Instant.now().toString(), ok, message);
        }
    }

    /** Logs in once and counts the VMs; a refusal is a result, not an exception. */
    private static Tested tryLogin(URI sdk, String user, char[] password, String thumbprint, boolean insecure) {
        try (VsphereConnection c =
                VsphereConnection.connect(new ConnectOptions(sdk, user, password, thumbprint, insecure))) {
            int vms = Inventory.vms(c).size();
            String kind = c.isVCenter() ? "vCenter Server" : "ESXi host";
            return new Tested(
                    true,
                    "logged in to " + kind + " " + sdk.getHost() + " as " + user + " (API " + c.apiVersion() + ", "
                            + vms + " VMs)",
                    c.apiVersion(),
                    vms);
        } catch (VsphereException e) {
            return new Tested(false, oneLine(e), null, null);
        } catch (RuntimeException e) {
            return new Tested(false, "connecting to " + sdk + " failed: " + oneLine(e), null, null);
        }
    }

    private VsphereConnection connect(VcenterStore.Entry e) throws IOException {
        return connections.open(e);
    }

    // ---- inventory and restore ----

    private void inventory(Context ctx) throws IOException {
        VcenterStore.Entry e = entry(ctx);
        try (VsphereConnection c = connect(e)) {
            Api.json(ctx, 200, InventoryNames.read(c));
        } catch (VsphereException ve) {
            throw bad(oneLine(ve));
        }
    }

    /** The VMs a spec selects now ({@code ?spec=name:web01}), as a schedule with that spec would back them up. */
    private void vms(Context ctx) throws IOException {
        VcenterStore.Entry e = entry(ctx);
        String text = ctx.queryParam("spec");
        if (text == null || text.isBlank() || text.length() > 1024) {
            throw bad("'spec' is required: name:, uuid:, moref:, ipaddr:, powerstate:on|off|suspended, any: or none:");
        }
        VmSpec spec;
        try {
            spec = VmSpec.parse(text.strip());
        } catch (IllegalArgumentException ex) {
            throw bad(ex.getMessage());
        }
        try (VsphereConnection c = connect(e)) {
            List<Map<String, Object>> out = new java.util.ArrayList<>();
            for (VmInfo v : spec.select(Inventory.vms(c))) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("name", v.name());
                o.put("moRef", v.moRef());
                o.put("instanceUuid", v.instanceUuid());
                o.put(
                        "powerState",
                        v.powerState() == null ? null : v.powerState().value());
                o.put("template", Boolean.TRUE.equals(v.template()));
                out.add(o);
            }
            Api.json(ctx, 200, out);
        } catch (VsphereException ve) {
            throw bad(oneLine(ve));
        }
    }

    private void restoreVm(Context ctx) throws IOException {
        Sessions.Session s = ctx.attribute("session");
        Repository.Listed l = backup(ctx.pathParam("id"));
        JsonNode b = Api.body(ctx);
        VcenterStore.Entry vc = store.get(text(b, "vcenter", true));
        if (vc == null) {
            throw bad("no such vCenter connection: " + b.get("vcenter").asText());
        }
        String mode = b.hasNonNull("mode") ? text(b, "mode", true) : "as-new";
        VmRestore.AsNew asNew = null;
        boolean force = bool(b, "force");
        String target;
        if (mode.equals("as-new")) {
            String name = limited(text(b, "name", true), "name", 80);
            if (name.isBlank()) {
                throw bad("'name' must not be empty");
            }
            String conflict = b.hasNonNull("onConflict") ? text(b, "onConflict", true) : "abort";
            VmRestore.Conflict onConflict;
            try {
                onConflict = VmRestore.Conflict.valueOf(conflict.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException ex) {
                throw bad("'onConflict' must be abort, keep or overwrite");
            }
            Map<String, String> networks = new LinkedHashMap<>();
            JsonNode nm = b.get("networkMap");
            if (nm != null && !nm.isNull()) {
                if (!nm.isObject()) {
                    throw bad("'networkMap' must be an object {\"old network\": \"new network\"}");
                }
                for (Iterator<Map.Entry<String, JsonNode>> it = nm.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> f = it.next();
                    if (!f.getValue().isTextual() || f.getValue().asText().isBlank()) {
                        throw bad("'networkMap' values must be network names");
                    }
                    networks.put(f.getKey(), f.getValue().asText());
                }
            }
            asNew = new VmRestore.AsNew(
                    name,
                    optional(b, "datastore"),
                    optional(b, "datacenter"),
                    optional(b, "folder"),
                    optional(b, "pool"),
                    optional(b, "host"),
                    networks,
                    onConflict,
                    bool(b, "powerOn"),
                    null);
            target = name;
        } else if (mode.equals("in-place")) {
            target = l.manifest().vm().name();
        } else {
            throw bad("'mode' must be as-new or in-place");
        }
        String ip = ctx.ip();
        String what = vc.name() + ": " + mode + " " + target;
        Job j = jobs.vsphereRestore(
                l,
                target,
                () -> connect(vc),
                asNew,
                force,
                done -> audit.record(
                        s.user(),
                        ip,
                        "restore-vm",
                        l.ref().id(),
                        what,
                        done.state().name().toLowerCase(Locale.ROOT)));
        audit.record(s.user(), ip, "restore-vm", l.ref().id(), what, "started");
        Api.json(ctx, 202, Map.of("job", j.id()));
    }

    private Repository.Listed backup(String id) throws IOException {
        if (id.matches("[0-9a-f]{4,64}")) {
            for (Repository.Listed l : repo.backups()) {
                if (l.ref().id().equals(id)) {
                    return l;
                }
            }
        }
        throw new HttpResponseException(404, "no such backup");
    }

    // ---- helpers ----

    private VcenterStore.Entry entry(Context ctx) {
        VcenterStore.Entry e = store.get(ctx.pathParam("vc"));
        if (e == null) {
            throw new HttpResponseException(404, "no such vCenter connection");
        }
        return e;
    }

    private void record(Context ctx, String action, String what, String outcome) {
        Sessions.Session s = ctx.attribute("session");
        audit.record(s.user(), ctx.ip(), action, null, what, outcome);
    }

    private void unique(String name, String exceptId) {
        for (VcenterStore.Entry e : store.list()) {
            if (e.name().equals(name) && !e.id().equals(exceptId)) {
                throw bad("a vCenter connection named '" + name + "' exists");
            }
        }
    }

    private static String name(String n) {
        String s = n.strip();
        if (s.isEmpty() || s.length() > 100 || s.chars().anyMatch(Character::isISOControl)) {
            throw bad("'name' must be 1 to 100 printable characters");
        }
        return s;
    }

    private static URI sdk(String url) {
        if (url.length() > 2048 || url.chars().anyMatch(Character::isISOControl) || url.isBlank()) {
            throw bad("'url' must be https://HOST[:PORT][/sdk]");
        }
        try {
            return VsphereConnection.sdkUri(URI.create(url.strip()));
        } catch (IllegalArgumentException | VsphereException e) {
            throw bad("'url' must be https://HOST[:PORT][/sdk]: " + oneLine(e));
        }
    }

    private static boolean insecure(JsonNode b) {
        JsonNode v = b.get("insecure");
        if (v == null || v.isNull()) {
            return false;
        }
        if (!v.isBoolean()) {
            throw bad("'insecure' must be true or false");
        }
        return v.booleanValue();
    }

    private static String thumbprint(String t, boolean insecure) {
        if (insecure) {
            if (t != null && !t.isBlank()) {
                throw bad("give either 'thumbprint' or \"insecure\": true, not both");
            }
            return null;
        }
        if (t == null || t.isBlank()) {
            throw bad("'thumbprint' is required (the server certificate's SHA-1 or SHA-256, see probe),"
                    + " unless \"insecure\": true is given");
        }
        try {
            return Thumbprint.normalize(t);
        } catch (IllegalArgumentException e) {
            throw bad(e.getMessage());
        }
    }

    private static boolean bool(JsonNode b, String field) {
        JsonNode v = b.get(field);
        if (v == null || v.isNull()) {
            return false;
        }
        if (!v.isBoolean()) {
            throw bad("'" + field + "' must be true or false");
        }
        return v.booleanValue();
    }

    private static String optional(JsonNode b, String field) {
        String v = text(b, field, false);
        if (v == null || v.isBlank()) {
            return null;
        }
        return limited(v.strip(), field, 1024);
    }

    private static String limited(String v, String field, int max) {
        if (v.length() > max || v.indexOf('\0') >= 0) {
            throw bad("'" + field + "' is too long (at most " + max + " characters)");
        }
        return v;
    }

    private static String text(JsonNode body, String field, boolean required) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw bad("'" + field + "' is required (a string)");
            }
            return null;
        }
        if (!v.isTextual()) {
            throw bad("'" + field + "' must be a string");
        }
        return v.asText();
    }

    private static HttpResponseException bad(String message) {
        return new HttpResponseException(400, message);
    }

    private static String oneLine(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return m.lines().findFirst().orElse(m);
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    /**
     * The server's leaf certificate, read with one TLS handshake that trusts anything: it is only
     * shown to the admin to compare, nothing is sent over that connection.
     */
    static X509Certificate certificate(URI sdk) throws IOException {
        int port = sdk.getPort() < 0 ? 443 : sdk.getPort();
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {new LookOnly()}, null);
            try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket()) {
                s.connect(new InetSocketAddress(sdk.getHost(), port), 20_000);
                s.setSoTimeout(20_000);
                s.startHandshake();
                if (s.getSession().getPeerCertificates()[0] instanceof X509Certificate leaf) {
                    return leaf;
                }
                throw new IOException("the certificate is not X.509");
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up TLS", e);
        }
    }

    /** Accepts any server certificate: used only to read it, see {@link #certificate}. */
    private static final class LookOnly implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType)
                throws java.security.cert.CertificateException {
            throw new java.security.cert.CertificateException("not a server");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
            // looked at, not trusted: nothing is sent over this connection
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }

    static List<String> sorted(java.util.Collection<String> c) {
        return c.stream().distinct().sorted().toList();
    }
}
