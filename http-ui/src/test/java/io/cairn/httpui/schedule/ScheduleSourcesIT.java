package io.cairn.httpui.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cairn.httpui.ApiClient;
import io.cairn.httpui.UiConfig;
import io.cairn.httpui.UiServer;
import io.cairn.operations.job.Job;
import io.cairn.operations.restore.FolderRestore;
import io.cairn.operations.roots.RestoreRoots;
import io.cairn.repository.Repository;
import io.cairn.repository.backup.Restorer;
import io.cairn.repository.manifest.Manifest;
import io.cairn.repository.store.LocalStore;
import io.cairn.vixmntbridge.vddk.Transport;
import io.cairn.vixmntbridge.vmdk.VmdkWriter;
import io.cairn.vsphere.connect.ConnectOptions;
import io.cairn.vsphere.connect.Props;
import io.cairn.vsphere.connect.VsphereConnection;
import io.cairn.vsphere.datastore.DatastoreClient;
import io.cairn.vsphere.testing.SimVms;
import io.cairn.vsphere.testing.Vcsim;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Scheduled backups of every source kind the CLI takes, through the API of a server in process
 * (root: it mounts the repository): a VMDK made by {@code qemu-img convert -O vmdk} from an
 * mkfs'd image, a {@code .vmx} with two disks, and VMs on govmomi's vCenter simulator with an
 * explicit transport (https runs; nbdssl without a VDDK is refused in one line at the API, and a
 * stored nbdssl schedule fails its run in one line before any snapshot). Each backup is restored
 * and compared byte for byte with the image it came from. Needs no VDDK_HOME in the environment.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ScheduleSourcesIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Path work;
    private Path state;
    private Vcsim vcsim;
    private VsphereConnection vc;
    private Repository repo;
    private UiServer server;
    private ApiClient api;
    private String vcId;

    @BeforeAll
    void setUp() throws Exception {
        assertNull(System.getenv("VDDK_HOME"), "this test checks the answers of a server without a VDDK");
        work = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "it-sources-")
                .toRealPath();
        vcsim = Vcsim.start();
        vc = VsphereConnection.connect(
                new ConnectOptions(URI.create(vcsim.url()), "user", "pass".toCharArray(), Vcsim.SHA1, false));
        DatastoreClient ds = new DatastoreClient(
                vc.serverBase(), vc.sslSocketFactory(), vc.hostnameVerifier(), vc::sessionCookie, "DC0");
        Path[] images = {random(work.resolve("vc0.img"), 4, 1), random(work.resolve("vc1.img"), 2, 2)};
        SimVms.createVm(vc, ds, "DC0", "DC0/host/DC0_H0/DC0_H0", "web01", images, work, true);

        repo = Repository.init(new LocalStore(work.resolve("repo")), 1 << 20, 1, null);
        state = Files.createDirectories(work.resolve("state"));
        ApiClient.addUsers(state);
        server = UiServer.start(new UiConfig(repo, work.resolve("repo"), state, "127.0.0.1", 0, 2, null, null));
        api = ApiClient.login(server);
        api.roots(List.of(), List.of(work.resolve("sources")));
        HttpResponse<String> r = api.send(
                "POST",
                "/api/v1/vcenters",
                "admin",
                JSON.writeValueAsString(Map.of(
                        "name",
                        "sim",
                        "url",
                        vcsim.url(),
                        "user",
                        "user",
                        "password",
                        "pass",
                        "thumbprint",
                        Vcsim.SHA1)));
        assertEquals(201, r.statusCode(), r.body());
        vcId = JSON.readTree(r.body()).get("id").asText();
    }

    @AfterAll
    void tearDown() throws Exception {
        try {
            if (server != null) {
                server.close();
            }
            if (vc != null) {
                vc.close();
            }
        } finally {
            if (vcsim != null) {
                vcsim.close();
            }
        }
        if (api != null) {
            api.assertNoLeaks();
        }
    }

    @Test
    @DisplayName("a VMDK made by qemu-img from an ext4 image: the schedule backs up the guest's bytes")
    void vmdk() throws Exception {
        Path raw = ext4(work.resolve("db01.raw"), 16, 3);
        Path vmdk = qemuVmdk(raw, work.resolve("sources/db01.vmdk"), "monolithicSparse");
        JsonNode created = create(Map.of("name", "db01 nightly", "cron", "0 3 29 2 *", "source", "file:" + vmdk));
        assertEquals("db01", created.get("vm").asText(), created.toString());
        JsonNode job = runNow(created);
        assertEquals("SUCCEEDED", job.get("state").asText(), job.toString());
        assertTrue(job.get("result").asText().matches("backup [0-9a-f]+ of db01: 16\\.0 MiB disk, .*"), job.toString());
        Repository.Listed b = latest("db01");
        assertEquals("db01 nightly", b.manifest().labels().get("schedule"));
        assertEquals("lsilogic", b.manifest().disks().get(0).metadata().get("adapterType"));
        Path out = restore(b);
        assertEquals(sha256(raw), sha256(out.resolve("db01.img")));
    }

    @Test
    @DisplayName(
            "a .vmx with two disks: both back up in controller order with the .vmx and NVRAM, named by displayName")
    void vmx() throws Exception {
        Path raw0 = ext4(work.resolve("app0.raw"), 16, 4);
        Path raw1 = random(work.resolve("app1.raw"), 3, 5);
        Path dir = Files.createDirectories(work.resolve("sources/app"));
        qemuVmdk(raw0, dir.resolve("app.vmdk"), "monolithicSparse");
        qemuVmdk(raw1, dir.resolve("app_1.vmdk"), "streamOptimized");
        Files.write(dir.resolve("app.nvram"), new byte[] {1, 2, 3});
        Path vmx = dir.resolve("app.vmx");
        Files.writeString(
                vmx,
                "displayName = \"App Server\"\nscsi0:1.present = \"TRUE\"\nscsi0:1.fileName = \"app_1.vmdk\"\n"
                        + "scsi0:0.present = \"TRUE\"\nscsi0:0.fileName = \"app.vmdk\"\n");
        JsonNode created = create(Map.of("name", "app", "cron", "0 3 29 2 *", "source", "file:" + vmx));
        assertEquals("App Server", created.get("vm").asText(), created.toString());
        JsonNode job = runNow(created);
        assertEquals("SUCCEEDED", job.get("state").asText(), job.toString());
        Repository.Listed b = latest("App Server");
        assertEquals(
                List.of("app.vmdk", "app_1.vmdk"),
                b.manifest().disks().stream().map(Manifest.DiskEntry::name).toList());
        assertEquals(
                List.of("vmx", "nvram"),
                b.manifest().files().stream().map(Manifest.FileEntry::role).toList());
        Path out = restore(b);
        assertEquals(sha256(raw0), sha256(out.resolve("app.img")));
        assertEquals(sha256(raw1), sha256(out.resolve("app_1.img")));
        assertEquals(Files.readString(vmx), Files.readString(out.resolve("app.vmx")));
    }

    @Test
    @DisplayName("file sources only below the source roots: /dev/sda, the state directory, a link and a path outside"
            + " are refused in one line; a .vmx inside naming a disk outside fails its run, and backs nothing up")
    void sourceRoots() throws Exception {
        Path sources = work.resolve("sources");
        Path outside = Files.createDirectories(work.resolve("outside"));
        Files.createSymbolicLink(sources.resolve("link.img"), random(outside.resolve("secret.img"), 1, 9));
        Map<String, String> refusals = new LinkedHashMap<>();
        refusals.put("/dev/sda", "'source': the source /dev/sda is not in a source root (" + sources + ")");
        refusals.put(
                state.resolve("vcenter.key").toString(),
                "'source': the source " + state.resolve("vcenter.key") + " lies in " + state
                        + ", which backups never read");
        refusals.put(
                outside.resolve("secret.img").toString(),
                "'source': the source " + outside.resolve("secret.img") + " is not in a source root (" + sources + ")");
        refusals.put(sources + "/../outside/secret.img", null);
        for (Map.Entry<String, String> e : refusals.entrySet()) {
            HttpResponse<String> r = api.send(
                    "POST",
                    "/api/v1/schedules",
                    "admin",
                    JSON.writeValueAsString(Map.of("name", "x", "cron", "0 3 29 2 *", "source", "file:" + e.getKey())));
            assertEquals(400, r.statusCode(), e.getKey() + ": " + r.body());
            if (e.getValue() != null) {
                assertEquals(e.getValue(), ApiClient.error(r));
            }
        }
        int before = repo.backups().size();
        JsonNode link =
                create(Map.of("name", "link", "cron", "0 3 29 2 *", "source", "file:" + sources.resolve("link.img")));
        JsonNode linked = runNow(link);
        assertEquals("FAILED", linked.get("state").asText(), linked.toString());
        assertTrue(linked.get("result").asText().contains("is a symbolic link"), linked.toString());

        qemuVmdk(random(work.resolve("evil.raw"), 1, 10), outside.resolve("stolen.vmdk"), "monolithicSparse");
        Path vmx = sources.resolve("evil.vmx");
        Files.writeString(
                vmx,
                "displayName = \"evil\"\nscsi0:0.present = \"TRUE\"\nscsi0:0.fileName = \"../outside/stolen.vmdk\"\n");
        JsonNode evil = runNow(create(Map.of("name", "evil", "cron", "0 3 29 2 *", "source", "file:" + vmx)));
        assertEquals("FAILED", evil.get("state").asText(), evil.toString());
        String result = evil.get("result").asText();
        assertTrue(result.contains("is not in a source root") && result.lines().count() == 1, result);
        assertEquals(before, repo.backups().size(), "nothing was backed up");
    }

    @Test
    @DisplayName("vCenter VMs with an explicit transport: https runs; nbdssl without a VDDK is refused in one line,"
            + " and a stored one fails its run in one line before any snapshot")
    void vcenterTransports() throws Exception {
        JsonNode created = create(vcenter("web01 https", "https"));
        assertEquals("https", created.get("source").get("transport").asText(), created.toString());
        JsonNode job = runNow(created);
        assertEquals("SUCCEEDED", job.get("state").asText(), job.toString());
        Repository.Listed b = latest("web01");
        assertEquals("https", b.manifest().labels().get("transport"));
        assertEquals(2, b.manifest().disks().size());
        assertNull(Props.one(vc, SimVms.vm(vc, "web01").ref(), "snapshot"), "the backup's snapshot is removed");

        HttpResponse<String> refused =
                api.send("POST", "/api/v1/schedules", "admin", JSON.writeValueAsString(vcenter("x", "nbdssl")));
        assertEquals(400, refused.statusCode(), refused.body());
        String error = ApiClient.error(refused);
        assertTrue(error.startsWith("'source.transport' nbdssl reads disks through VMware's VDDK"), error);
        assertTrue(error.contains("cairn serve --vddk DIR"), error);
        HttpResponse<String> unknown =
                api.send("POST", "/api/v1/schedules", "admin", JSON.writeValueAsString(vcenter("x", "pigeon")));
        assertEquals(400, unknown.statusCode(), unknown.body());
        assertEquals(
                "'source.transport' takes https, nbd, nbdssl, hotadd or san, not 'pigeon'", ApiClient.error(unknown));

        // a schedule saved while the server had a VDDK (or edited by hand): its run fails in one line, no snapshot
        int before = repo.backups().size();
        Schedule stored = new Schedule(
                "0123456789ab",
                "web01 nbdssl",
                "0 3 29 2 *",
                new Source.VcenterVms(vcId, "name:web01", false, false, Transport.NBDSSL),
                null,
                true,
                Instant.now(),
                null,
                null);
        new ScheduleStore(state).put(stored);
        JsonNode failed = runNow(JSON.valueToTree(Map.of("id", stored.id())));
        assertEquals("FAILED", failed.get("state").asText(), failed.toString());
        String result = failed.get("result").asText();
        assertTrue(result.contains("VDDK") && result.lines().count() == 1, result);
        assertNull(Props.one(vc, SimVms.vm(vc, "web01").ref(), "snapshot"), "no snapshot was taken");
        assertEquals(before, repo.backups().size());
    }

    @Test
    @DisplayName("schedules.json of version 1 is read (its vCenter sources over https) and written back as version 2")
    void versionOne() throws Exception {
        Path file = state.resolve(ScheduleStore.FILE);
        String old = Files.exists(file) ? Files.readString(file) : null;
        try {
            Files.writeString(
                    file,
                    "{\"version\": 1, \"schedules\": [{\"id\": \"aaaaaaaaaaaa\", \"name\": \"old\", \"cron\": \"0 1 * * *\","
                            + " \"source\": {\"vcenter\": \"" + vcId
                            + "\", \"spec\": \"name:web01\", \"quiesce\": true,"
                            + " \"enableCbt\": false}, \"retention\": null, \"enabled\": true, \"updated\": null,"
                            + " \"lastRun\": null, \"lastOutcome\": null}]}");
            JsonNode listed =
                    JSON.readTree(api.get("/api/v1/schedules", "viewer").body());
            assertEquals(1, listed.size(), listed.toString());
            assertEquals("https", listed.get(0).get("source").get("transport").asText(), listed.toString());
            HttpResponse<String> r = api.send(
                    "PUT", "/api/v1/schedules/aaaaaaaaaaaa", "admin", JSON.writeValueAsString(vcenter("old", "https")));
            assertEquals(200, r.statusCode(), r.body());
            JsonNode now = JSON.readTree(Files.readString(file));
            assertEquals(2, now.get("version").asInt());
            assertEquals(
                    "https",
                    now.get("schedules").get(0).get("source").get("transport").asText());
        } finally {
            if (old == null) {
                Files.delete(file);
            } else {
                Files.writeString(file, old);
            }
        }
    }

    // ---- helpers ----

    private Map<String, Object> vcenter(String name, String transport) {
        Map<String, Object> source = new LinkedHashMap<>();
        source.put("vcenter", vcId);
        source.put("spec", "name:web01");
        source.put("quiesce", false);
        source.put("transport", transport);
        return Map.of("name", name, "cron", "0 3 29 2 *", "source", source);
    }

    private JsonNode create(Map<String, Object> schedule) throws Exception {
        HttpResponse<String> r = api.send("POST", "/api/v1/schedules", "admin", JSON.writeValueAsString(schedule));
        assertEquals(201, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    private JsonNode runNow(JsonNode schedule) throws Exception {
        HttpResponse<String> r =
                api.send("POST", "/api/v1/schedules/" + schedule.get("id").asText() + "/run", "operator", "{}");
        assertEquals(202, r.statusCode(), r.body());
        return api.awaitJob(JSON.readTree(r.body()).get("job").asText(), Duration.ofMinutes(3));
    }

    private Repository.Listed latest(String vm) throws IOException {
        Repository.Listed found = null;
        for (Repository.Listed l : repo.backups()) {
            if (l.manifest().vm().name().equals(vm)
                    && (found == null
                            || !l.manifest().instant().isBefore(found.manifest().instant()))) {
                found = l;
            }
        }
        assertTrue(found != null, "a backup of " + vm);
        return found;
    }

    private Path restore(Repository.Listed b) throws IOException {
        Path out = Files.createDirectories(work.resolve("restored-" + b.ref().id()));
        Job job = Job.create("restore", b.ref().id());
        job.start();
        new FolderRestore(repo, 2, Duration.ZERO, null, RestoreRoots.given(List.of()))
                .run(new FolderRestore.Request(b.ref().id(), out, VmdkWriter.Format.RAW, Restorer.Conflict.ABORT), job);
        return out;
    }

    private static void sh(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), String.join(" ", cmd) + ": " + output);
    }

    /** An ext4 image made by mkfs.ext4 -d from a tree with a random file and a text file. */
    private static Path ext4(Path img, int mib, long seed) throws Exception {
        Path tree = Files.createDirectories(img.resolveSibling(img.getFileName() + ".tree"));
        byte[] b = new byte[(mib / 4) << 20];
        new Random(seed).nextBytes(b);
        Files.write(tree.resolve("random.bin"), b);
        Files.writeString(tree.resolve("hello.txt"), "hello from " + seed + "\n");
        sh("truncate", "-s", mib + "M", img.toString());
        sh("mkfs.ext4", "-q", "-F", "-d", tree.toString(), img.toString());
        return img;
    }

    private static Path qemuVmdk(Path raw, Path vmdk, String subformat) throws Exception {
        sh(
                "qemu-img",
                "convert",
                "-f",
                "raw",
                "-O",
                "vmdk",
                "-o",
                "subformat=" + subformat + ",adapter_type=lsilogic",
                raw.toString(),
                vmdk.toString());
        return vmdk;
    }

    private static Path random(Path img, int mib, long seed) throws IOException {
        byte[] b = new byte[mib << 20];
        new Random(seed).nextBytes(b);
        Files.write(img, b);
        return img;
    }

    private static String sha256(Path f) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f)));
    }
}
