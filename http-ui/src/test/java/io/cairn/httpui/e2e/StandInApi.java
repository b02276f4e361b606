package io.cairn.httpui.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A STAND-IN for the real cairn server, used to develop and test the pages before {@code UiServer}
 * exists: it serves {@code public/} and answers the {@code /api/v1} contract with canned JSON, over
 * HTTPS with a self-signed certificate made by keytool. The backup it shows is the {@code gpt.img}
 * fixture; its guest volumes are the fixture's content tree on the host (not read through the
 * mount layer), and its "restore" copies {@code gpt.img} to the target directory slowly enough to
 * show progress. Everything here is fake except the browser-facing behaviour: session cookie
 * ({@code Secure; HttpOnly; SameSite=Strict}), CSRF header on every POST but login, a strict CSP,
 * JSON errors, attachments and Server-Sent Events.
 */
final class StandInApi implements UiUnderTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BACKUP = "20261122T0300-7f3a";
    private static final String OLDER = "20261121T0300-1c9e";
    private static final String VM = "gpt-vm";

    private final HttpsServer server;
    private final Path publicDir;
    private final Path fixtures;
    private final String spki;
    private final String password = HexFormat.of().formatHex(new SecureRandom().generateSeed(8));
    private final Map<String, String> sessions = new ConcurrentHashMap<>(); // token -> csrf
    private final Map<String, Job> jobs = new ConcurrentHashMap<>();
    private final AtomicInteger jobIds = new AtomicInteger(40);

    static StandInApi start(Path publicDir, Path fixtures, Path work) throws IOException {
        return new StandInApi(publicDir, fixtures, work);
    }

    private StandInApi(Path publicDir, Path fixtures, Path work) throws IOException {
        this.publicDir = publicDir.toRealPath();
        this.fixtures = fixtures;
        char[] pw = "stand-in".toCharArray();
        Path ks = Tls.selfSigned(work.resolve("stand-in-tls.p12"), pw);
        this.spki = Tls.spkiSha256(ks, pw);
        try {
            KeyStore k = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(ks)) {
                k.load(in, pw);
            }
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(k, pw);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), null, null);
            server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
            server.setHttpsConfigurator(new HttpsConfigurator(ctx));
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException("stand-in TLS setup failed: " + e.getMessage(), e);
        }
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "stand-in-api");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", this::handle);
        server.start();
    }

    @Override
    public String baseUrl() {
        return "https://localhost:" + server.getAddress().getPort() + "/";
    }

    @Override
    public String spkiSha256() {
        return spki;
    }

    @Override
    public String user() {
        return "admin";
    }

    @Override
    public String password() {
        return password;
    }

    @Override
    public void close() {
        server.stop(0);
    }

    // ------------------------------------------------------------------ dispatch

    private void handle(HttpExchange x) throws IOException {
        try {
            String path = x.getRequestURI().getRawPath();
            if (path.startsWith("/api/v1/")) {
                api(x, path.substring("/api/v1".length()));
            } else {
                file(x, path);
            }
        } catch (Failure f) {
            error(x, f.status, f.getMessage());
        } catch (RuntimeException e) {
            error(x, 500, "internal error");
        } finally {
            x.close();
        }
    }

    private static final class Failure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int status;

        Failure(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    private void file(HttpExchange x, String raw) throws IOException {
        String rel = URLDecoder.decode(raw, StandardCharsets.UTF_8);
        if (rel.equals("/")) {
            rel = "/index.html";
        }
        Path f = publicDir.resolve(rel.substring(1)).normalize();
        if (!f.startsWith(publicDir) || !Files.isRegularFile(f)) {
            throw new Failure(404, "not found");
        }
        String name = f.getFileName().toString();
        String type = name.endsWith(".html")
                ? "text/html; charset=utf-8"
                : name.endsWith(".js")
                        ? "text/javascript; charset=utf-8"
                        : name.endsWith(".css")
                                ? "text/css; charset=utf-8"
                                : name.endsWith(".svg") ? "image/svg+xml" : "application/octet-stream";
        x.getResponseHeaders().set("Content-Type", type);
        x.getResponseHeaders().set("Cache-Control", "no-cache");
        securityHeaders(x);
        byte[] b = Files.readAllBytes(f);
        x.sendResponseHeaders(200, b.length);
        x.getResponseBody().write(b);
    }

    private static void securityHeaders(HttpExchange x) {
        x.getResponseHeaders()
                .set(
                        "Content-Security-Policy",
                        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
                                + "frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
        x.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        x.getResponseHeaders().set("Referrer-Policy", "no-referrer");
    }

    private void api(HttpExchange x, String path) throws IOException {
        String method = x.getRequestMethod();
        Map<String, String> q = query(x);
        if (method.equals("POST") && path.equals("/login")) {
            JsonNode b = body(x);
            if (!user().equals(b.path("user").asText())
                    || !password.equals(b.path("password").asText())) {
                throw new Failure(401, "wrong user or password");
            }
            String token = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
            String csrf = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
            sessions.put(token, csrf);
            x.getResponseHeaders()
                    .add("Set-Cookie", "cairn_session=" + token + "; Path=/; Secure; HttpOnly; SameSite=Strict");
            json(x, 200, me(csrf));
            return;
        }
        String token = cookie(x);
        String csrf = token == null ? null : sessions.get(token);
        if (csrf == null) {
            throw new Failure(401, "not logged in");
        }
        if (method.equals("POST") && !csrf.equals(x.getRequestHeaders().getFirst("X-CSRF-Token"))) {
            throw new Failure(403, "missing or wrong CSRF token");
        }
        String[] p = path.substring(1).split("/");
        String key = method + " " + p[0] + (p.length > 2 ? "/*/" + p[2] : p.length == 2 ? "/*" : "");
        switch (key) {
            case "GET me" -> json(x, 200, me(csrf));
            case "POST logout" -> {
                sessions.remove(token);
                x.getResponseHeaders()
                        .add("Set-Cookie", "cairn_session=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Strict");
                json(x, 200, JSON.createObjectNode());
            }
            case "GET dashboard" -> json(x, 200, dashboard());
            case "GET vms" -> json(x, 200, vms());
            case "GET vms/*/backups" -> {
                if (!VM.equals(dec(p[1]))) {
                    throw new Failure(404, "no VM named " + dec(p[1]));
                }
                json(
                        x,
                        200,
                        JSON.createArrayNode()
                                .add(backupSummary(BACKUP, "2026-11-22T03:00:12Z", "nightly"))
                                .add(backupSummary(OLDER, "2026-11-21T03:00:09Z", "nightly")));
            }
            case "GET backups/*" -> json(x, 200, backup(id(p[1])));
            case "GET backups/*/files" -> json(x, 200, listing(id(p[1]), q.getOrDefault("path", "/")));
            case "GET backups/*/search" ->
                json(x, 200, search(id(p[1]), q.getOrDefault("q", ""), q.getOrDefault("path", "/")));
            case "GET backups/*/download" -> download(x, id(p[1]), q.getOrDefault("path", ""));
            case "GET backups/*/archive" ->
                archive(x, id(p[1]), q.getOrDefault("path", ""), q.getOrDefault("format", "zip"));
            case "POST backups/*/restore" -> restore(x, id(p[1]), body(x));
            case "GET jobs" -> {
                ArrayNode a = JSON.createArrayNode();
                jobs.values().stream().sorted((m, n) -> n.id - m.id).forEach(j -> a.add(j.json()));
                json(x, 200, a);
            }
            case "GET jobs/*" -> json(x, 200, job(p[1]).json());
            case "GET jobs/*/events" -> events(x, job(p[1]));
            case "POST jobs/*/cancel" -> {
                job(p[1]).cancelled = true;
                json(x, 202, JSON.createObjectNode());
            }
            default -> throw new Failure(404, "no such endpoint: " + method + " " + path);
        }
    }

    // ------------------------------------------------------------------ canned data

    private ObjectNode me(String csrf) {
        return JSON.createObjectNode().put("user", user()).put("role", "admin").put("csrf", csrf);
    }

    private long imageSize() {
        try {
            return Files.size(fixtures.resolve("gpt.img"));
        } catch (IOException e) {
            return 0;
        }
    }

    private ObjectNode dashboard() {
        long logical = 2 * imageSize();
        ObjectNode d = JSON.createObjectNode();
        d.putObject("repository")
                .put("id", "5d1f0a2b")
                .put("path", "/var/lib/cairn/repo")
                .put("logicalBytes", logical)
                .put("storedBytes", 9_437_184L)
                .put("uniqueBytes", 11_534_336L)
                .put("dedupRatio", logical / 11_534_336.0)
                .put("compressionRatio", 1.22)
                .put("chunks", 11);
        d.put("vms", 1).put("backups", 2);
        ArrayNode h = d.putArray("history");
        long[] stored = {0, 5_242_880, 8_388_608, 9_437_184};
        String[] times = {"2026-11-19T03:00:00Z", "2026-11-20T03:00:00Z", "2026-11-21T03:00:09Z", "2026-11-22T03:00:12Z"
        };
        for (int i = 0; i < times.length; i++) {
            h.addObject()
                    .put("time", times[i])
                    .put("storedBytes", stored[i])
                    .put("logicalBytes", i * imageSize() * 2 / 3);
        }
        ArrayNode last = d.putArray("lastJobs");
        jobs.values().stream().sorted((m, n) -> n.id - m.id).limit(5).forEach(j -> last.add(j.json()));
        if (last.isEmpty()) {
            last.addObject()
                    .put("id", "39")
                    .put("kind", "backup")
                    .put("target", VM)
                    .put("state", "SUCCEEDED")
                    .put("phase", "done")
                    .put("done", imageSize())
                    .put("total", imageSize())
                    .put("bytesPerSecond", 0)
                    .put("created", "2026-11-22T03:00:00Z")
                    .put("started", "2026-11-22T03:00:01Z")
                    .put("finished", "2026-11-22T03:00:12Z");
        }
        return d;
    }

    private ArrayNode vms() {
        ArrayNode a = JSON.createArrayNode();
        ObjectNode v = a.addObject()
                .put("name", VM)
                .put("identity", "file:" + fixtures.resolve("gpt.vmx"))
                .put("instanceUuid", "502e7c1d-93a4-4c2b-8f1a-6b0c5d2e9a11")
                .put("backups", 2);
        v.putObject("lastBackup")
                .put("id", BACKUP)
                .put("time", "2026-11-22T03:00:12Z")
                .put("logicalBytes", imageSize());
        return a;
    }

    private ObjectNode backupSummary(String id, String time, String label) {
        ObjectNode b = JSON.createObjectNode().put("id", id).put("time", time).put("logicalBytes", imageSize());
        b.putObject("labels").put("schedule", label).put("<b>escape</b>", "me & you");
        b.putArray("disks").addObject().put("name", "scsi0:0").put("capacity", imageSize());
        return b;
    }

    private String id(String raw) {
        String id = dec(raw);
        if (!id.equals(BACKUP) && !id.equals(OLDER)) {
            throw new Failure(404, "no backup " + id);
        }
        return id;
    }

    private ObjectNode backup(String id) {
        ObjectNode b = JSON.createObjectNode()
                .put("id", id)
                .put("time", id.equals(BACKUP) ? "2026-11-22T03:00:12Z" : "2026-11-21T03:00:09Z")
                .put("vm", VM);
        b.putObject("labels").put("schedule", "nightly");
        ObjectNode c = b.putObject("config");
        c.put("name", VM)
                .put("guestId", "debian12_64Guest")
                .put("guestFullName", "Debian GNU/Linux 12 (64-bit)")
                .put("version", "vmx-19")
                .put("firmware", "efi")
                .put("numCPU", 2)
                .put("numCoresPerSocket", 1)
                .put("memoryMB", 2048);
        c.putArray("disks")
                .addObject()
                .put("label", "Hard disk 1")
                .put("controller", "VirtualLsiLogicController 0")
                .put("unitNumber", 0)
                .put("fileName", "[datastore1] gpt-vm/gpt-vm.vmdk")
                .put("capacityInBytes", imageSize());
        c.putArray("nics")
                .addObject()
                .put("label", "Network adapter 1")
                .put("type", "VirtualVmxnet3")
                .put("network", "VM Network")
                .put("macAddress", "00:50:56:8a:12:34");
        b.putArray("disks").addObject().put("name", "scsi0:0").put("capacity", imageSize());
        ArrayNode f = b.putArray("files");
        f.addObject().put("role", "vmx").put("name", "gpt-vm.vmx").put("size", 1234);
        b.putNull("keyId");
        b.putArray("volumes").add("gpt-p1").add("gpt-p2");
        return b;
    }

    /** Maps a backup path to a host file: volumes show the fixture's content tree. */
    private Path host(String path) {
        if (path.contains("..") || !path.startsWith("/")) {
            throw new Failure(400, "bad path");
        }
        String[] p = path.substring(1).split("/", 3);
        if (p[0].equals("disks") && p.length == 2 && p[1].equals("scsi0-0.img")) {
            return fixtures.resolve("gpt.img");
        }
        if (p[0].equals("volumes") && p.length >= 2 && (p[1].equals("gpt-p1") || p[1].equals("gpt-p2"))) {
            return p.length == 2
                    ? fixtures.resolve("content")
                    : fixtures.resolve("content").resolve(p[2]);
        }
        return null;
    }

    private ObjectNode listing(String id, String path) throws IOException {
        ObjectNode o = JSON.createObjectNode().put("path", path);
        ArrayNode e = o.putArray("entries");
        switch (path) {
            case "/" -> {
                for (String n : List.of("config", "disks", "volumes")) {
                    e.addObject()
                            .put("name", n)
                            .put("type", "dir")
                            .put("size", 0)
                            .put("modified", "2026-11-22T03:00:12Z");
                }
                return o;
            }
            case "/config" -> {
                e.addObject()
                        .put("name", "gpt-vm.vmx")
                        .put("type", "file")
                        .put("size", 1234)
                        .put("modified", "2026-11-22T03:00:12Z");
                return o;
            }
            case "/disks" -> {
                e.addObject()
                        .put("name", "scsi0-0.img")
                        .put("type", "file")
                        .put("size", imageSize())
                        .put("modified", "2026-11-22T03:00:12Z");
                return o;
            }
            case "/volumes" -> {
                for (String n : List.of("gpt-p1", "gpt-p2")) {
                    e.addObject()
                            .put("name", n)
                            .put("type", "dir")
                            .put("size", 0)
                            .put("modified", "2026-11-22T03:00:12Z");
                }
                return o;
            }
            default -> {}
        }
        Path dir = host(path);
        if (dir == null || !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new Failure(404, "no folder " + path + " in backup " + id);
        }
        try (Stream<Path> s = Files.list(dir)) {
            for (Path f : s.sorted().toList()) {
                BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                e.addObject()
                        .put("name", f.getFileName().toString())
                        .put("type", a.isDirectory() ? "dir" : a.isSymbolicLink() ? "link" : "file")
                        .put("size", a.size())
                        .put("modified", a.lastModifiedTime().toInstant().toString());
            }
        }
        return o;
    }

    private ArrayNode search(String id, String q, String path) throws IOException {
        ArrayNode a = JSON.createArrayNode();
        String prefix =
                path.startsWith("/volumes/gpt-p") ? path.substring(0, "/volumes/gpt-p2".length()) : "/volumes/gpt-p2";
        Path root = fixtures.resolve("content");
        try (Stream<Path> s = Files.walk(root)) {
            for (Path f : s.filter(Files::isRegularFile).sorted().toList()) {
                if (f.getFileName().toString().toLowerCase().contains(q.toLowerCase())) {
                    a.addObject()
                            .put("path", prefix + "/" + root.relativize(f))
                            .put("size", Files.size(f))
                            .put(
                                    "modified",
                                    Files.getLastModifiedTime(f).toInstant().toString());
                }
            }
        }
        return a;
    }

    private void download(HttpExchange x, String id, String path) throws IOException {
        Path f = host(path);
        if (f == null || !Files.isRegularFile(f)) {
            throw new Failure(404, "no file " + path + " in backup " + id);
        }
        attachment(x, f.getFileName().toString(), "application/octet-stream");
        x.sendResponseHeaders(200, Files.size(f));
        try (OutputStream out = x.getResponseBody()) {
            Files.copy(f, out);
        }
    }

    private void archive(HttpExchange x, String id, String path, String format) throws IOException {
        Path dir = host(path);
        if (dir == null || !Files.isDirectory(dir)) {
            throw new Failure(404, "no folder " + path + " in backup " + id);
        }
        if (!format.equals("zip")) {
            throw new Failure(400, "the stand-in makes only .zip archives");
        }
        String name = path.substring(path.lastIndexOf('/') + 1);
        attachment(x, name + ".zip", "application/zip");
        x.sendResponseHeaders(200, 0);
        try (ZipOutputStream z = new ZipOutputStream(x.getResponseBody());
                Stream<Path> s = Files.walk(dir)) {
            for (Path f : s.filter(Files::isRegularFile).sorted().toList()) {
                z.putNextEntry(new ZipEntry(name + "/" + dir.relativize(f)));
                Files.copy(f, z);
                z.closeEntry();
            }
        }
    }

    private static void attachment(HttpExchange x, String name, String type) {
        x.getResponseHeaders().set("Content-Type", type);
        x.getResponseHeaders()
                .set(
                        "Content-Disposition",
                        "attachment; filename*=UTF-8''"
                                + URLEncoder.encode(name, StandardCharsets.UTF_8)
                                        .replace("+", "%20"));
    }

    // ------------------------------------------------------------------ jobs

    private final class Job {
        final int id;
        final String target;
        final String created = Instant.now().toString();
        volatile String started;
        volatile String finished;
        volatile String state = "QUEUED";
        volatile String phase = "queued";
        volatile long done;
        volatile long total;
        volatile long rate;
        volatile boolean cancelled;
        volatile String result;
        final List<ObjectNode> events = new ArrayList<>();

        Job(int id, String target) {
            this.id = id;
            this.target = target;
        }

        ObjectNode json() {
            ObjectNode o = JSON.createObjectNode()
                    .put("id", String.valueOf(id))
                    .put("kind", "restore")
                    .put("target", target)
                    .put("state", state)
                    .put("phase", phase)
                    .put("done", done)
                    .put("total", total)
                    .put("bytesPerSecond", rate)
                    .put("created", created)
                    .put("started", started)
                    .put("finished", finished);
            o.put("result", result);
            return o;
        }

        synchronized void emit(String message) {
            ObjectNode e = JSON.createObjectNode()
                    .put("jobId", String.valueOf(id))
                    .put("seq", events.size() + 1)
                    .put("time", Instant.now().toString())
                    .put("state", state)
                    .put("phase", phase)
                    .put("done", done)
                    .put("total", total)
                    .put("bytesPerSecond", rate)
                    .put("message", message);
            events.add(e);
            notifyAll();
        }

        synchronized ObjectNode next(int i) throws InterruptedException {
            while (events.size() <= i) {
                wait(15_000);
                if (events.size() <= i) {
                    return null;
                }
            }
            return events.get(i);
        }
    }

    private Job job(String raw) {
        Job j = jobs.get(dec(raw));
        if (j == null) {
            throw new Failure(404, "no job " + dec(raw));
        }
        return j;
    }

    private void restore(HttpExchange x, String id, JsonNode b) throws IOException {
        String to = b.path("to").asText("");
        String format = b.path("format").asText("raw");
        if (!to.startsWith("/")) {
            throw new Failure(400, "'to' must be an absolute directory");
        }
        if (!format.equals("raw")) {
            throw new Failure(400, "the stand-in restores only raw disks");
        }
        Job j = new Job(jobIds.incrementAndGet(), VM + " → " + to);
        jobs.put(String.valueOf(j.id), j);
        Thread t = new Thread(() -> runRestore(j, Path.of(to)), "stand-in-restore-" + j.id);
        t.setDaemon(true);
        t.start();
        json(x, 202, JSON.createObjectNode().put("job", String.valueOf(j.id)));
    }

    /** Copies gpt.img in 40 steps of about 60 ms each, so that the page can show progress. */
    private void runRestore(Job j, Path to) {
        Path src = fixtures.resolve("gpt.img");
        try {
            Thread.sleep(300);
            j.started = Instant.now().toString();
            j.state = "RUNNING";
            j.phase = "writing scsi0-0.img";
            j.total = Files.size(src);
            j.emit("restoring backup " + BACKUP + " to " + to);
            Files.createDirectories(to);
            long t0 = System.nanoTime();
            byte[] buf = new byte[(int) (j.total / 40)];
            try (InputStream in = Files.newInputStream(src);
                    OutputStream out = Files.newOutputStream(to.resolve("scsi0-0.img"))) {
                int n;
                while ((n = in.readNBytes(buf, 0, buf.length)) > 0) {
                    if (j.cancelled) {
                        j.state = "CANCELLED";
                        j.phase = "cancelled";
                        j.finished = Instant.now().toString();
                        j.emit("cancelled");
                        return;
                    }
                    out.write(buf, 0, n);
                    j.done += n;
                    j.rate = (long) (j.done / ((System.nanoTime() - t0) / 1e9));
                    Thread.sleep(60);
                    j.emit(null);
                }
            }
            j.phase = "done";
            j.state = "SUCCEEDED";
            j.finished = Instant.now().toString();
            j.result = "1 disk restored to " + to;
            j.emit("restored 1 disk");
        } catch (IOException | InterruptedException e) {
            j.state = "FAILED";
            j.result = e.getMessage();
            j.finished = Instant.now().toString();
            j.emit("failed: " + e.getMessage());
        }
    }

    private void events(HttpExchange x, Job j) throws IOException {
        x.getResponseHeaders().set("Content-Type", "text/event-stream");
        x.getResponseHeaders().set("Cache-Control", "no-cache");
        x.sendResponseHeaders(200, 0);
        OutputStream out = x.getResponseBody();
        try {
            for (int i = 0; ; i++) {
                ObjectNode e = j.next(i);
                if (e == null) {
                    out.write(": keep-alive\n\n".getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    i--;
                    continue;
                }
                out.write(("event: progress\nid: " + e.path("seq").asInt() + "\ndata: " + JSON.writeValueAsString(e)
                                + "\n\n")
                        .getBytes(StandardCharsets.UTF_8));
                out.flush();
                String st = e.path("state").asText();
                if (st.equals("SUCCEEDED") || st.equals("FAILED") || st.equals("CANCELLED")) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // the browser went away
        }
    }

    // ------------------------------------------------------------------ HTTP helpers

    private static String dec(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    private static Map<String, String> query(HttpExchange x) {
        Map<String, String> m = new LinkedHashMap<>();
        String raw = x.getRequestURI().getRawQuery();
        if (raw != null) {
            for (String kv : raw.split("&")) {
                int i = kv.indexOf('=');
                m.put(dec(i < 0 ? kv : kv.substring(0, i)), i < 0 ? "" : dec(kv.substring(i + 1)));
            }
        }
        return m;
    }

    private static String cookie(HttpExchange x) {
        for (String h : x.getRequestHeaders().getOrDefault("Cookie", List.of())) {
            for (String c : h.split(";")) {
                String t = c.trim();
                if (t.startsWith("cairn_session=")) {
                    return t.substring("cairn_session=".length());
                }
            }
        }
        return null;
    }

    private static JsonNode body(HttpExchange x) throws IOException {
        byte[] b = x.getRequestBody().readNBytes(65536);
        try {
            return b.length == 0 ? JSON.createObjectNode() : JSON.readTree(b);
        } catch (IOException e) {
            throw new Failure(400, "malformed JSON");
        }
    }

    private static void json(HttpExchange x, int status, JsonNode body) throws IOException {
        byte[] b = JSON.writeValueAsBytes(body);
        x.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        x.getResponseHeaders().set("Cache-Control", "no-store");
        x.sendResponseHeaders(status, b.length);
        x.getResponseBody().write(b);
    }

    private static void error(HttpExchange x, int status, String message) {
        try {
            json(x, status, JSON.createObjectNode().put("error", message));
        } catch (IOException | RuntimeException e) {
            // headers already sent: nothing more to say
        }
    }
}
