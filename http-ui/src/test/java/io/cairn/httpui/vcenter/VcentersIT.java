package io.cairn.httpui.vcenter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.vmware.vim25.VirtualDisk;
import com.vmware.vim25.VirtualDiskFlatVer2BackingInfo;
import com.vmware.vim25.VirtualMachineConfigInfo;
import io.cairn.httpui.ApiClient;
import io.cairn.httpui.UiConfig;
import io.cairn.httpui.UiServer;
import io.cairn.httpui.e2e.Browser;
import io.cairn.httpui.e2e.Tls;
import io.cairn.operations.job.Job;
import io.cairn.repository.Repository;
import io.cairn.repository.store.LocalStore;
import io.cairn.vsphere.backup.VmDisks;
import io.cairn.vsphere.connect.ConnectOptions;
import io.cairn.vsphere.connect.Props;
import io.cairn.vsphere.connect.VsphereConnection;
import io.cairn.vsphere.datastore.DatastoreClient;
import io.cairn.vsphere.datastore.DatastorePath;
import io.cairn.vsphere.inventory.Inventory;
import io.cairn.vsphere.inventory.VmInfo;
import io.cairn.vsphere.testing.SimVms;
import io.cairn.vsphere.testing.Vcsim;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The vCenter connections API and the restore of a backup onto vSphere, in process over HTTPS,
 * against govmomi's vCenter simulator (../scripts/vcsim; the test fails without it) started with a
 * fixed user and password. A VM with two disks of random bytes (qemu-img monolithicFlat pairs
 * uploaded to the datastore) is backed up with {@link io.cairn.operations.backup.VmBackup}, then re-created through the API.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class VcentersIT {
    private static final String SHA1 = Vcsim.SHA1;
    private static final String SHA256 = Vcsim.SHA256;
    private static final String WRONG_SHA1 = "2C:11:ED:D7:13:87:7D:B5:74:18:B8:1C:42:C2:56:1F:0D:B9:5B:00";
    private static final String VC_USER = "backup";
    private static final String VC_PASSWORD = "s3cret-Vc!pw";
    private static final ObjectMapper JSON = new ObjectMapper();

    private Path work;
    private Path state;
    private Vcsim vcsim;
    private String url;
    private VsphereConnection vc;
    private DatastoreClient ds;
    private Repository repo;
    private UiServer server;
    private ApiClient api;
    private String base;
    private String backupId;
    private String vcId;
    private final List<String> diskSha = new ArrayList<>();

    @BeforeAll
    void setUp() throws Exception {
        work = Path.of("target", "vc-it-" + System.nanoTime()).toAbsolutePath();
        Files.createDirectories(work);
        vcsim = Vcsim.start("-username", VC_USER, "-password", VC_PASSWORD);
        url = vcsim.url();
        staticUrl = url;
        vc = VsphereConnection.connect(
                new ConnectOptions(URI.create(url), VC_USER, VC_PASSWORD.toCharArray(), SHA1, false));
        ds = new DatastoreClient(
                vc.serverBase(), vc.sslSocketFactory(), vc.hostnameVerifier(), vc::sessionCookie, "DC0");
        Path[] images = {work.resolve("disk0.img"), work.resolve("disk1.img")};
        long[] sizes = {16L << 20, 8L << 20};
        for (int i = 0; i < 2; i++) {
            byte[] b = new byte[(int) sizes[i]];
            new Random(40 + i).nextBytes(b);
            Files.write(images[i], b);
            diskSha.add(HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(b)));
        }
        SimVms.createVm(vc, ds, "DC0", "DC0/host/DC0_H0/DC0_H0", "web01", images, work, true);

        repo = Repository.init(new LocalStore(work.resolve("repo")), 1 << 20, 1, null);
        VmInfo vm = Inventory.vms(vc).stream()
                .filter(v -> v.name().equals("web01"))
                .findFirst()
                .orElseThrow();
        Job job = Job.create("backup", "web01");
        job.start();
        backupId = new io.cairn.operations.backup.VmBackup(
                        vc,
                        repo,
                        new io.cairn.operations.backup.VmBackup.Options(false, false, 2, Duration.ZERO, Map.of(), null),
                        job)
                .run(vm)
                .ref()
                .id();
        job.succeed("backed up");

        state = work.resolve("state");
        Files.createDirectories(state);
        ApiClient.addUsers(state);
        server = UiServer.start(new UiConfig(repo, work.resolve("repo"), state, "127.0.0.1", 0, 2, null, null));
        api = ApiClient.login(server);
        base = api.base();
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
            api.assertNoLeaks(VC_PASSWORD);
        }
    }

    // ---- connections ----

    @Test
    @Order(1)
    @DisplayName("probe shows the server certificate's SHA-1 and SHA-256 without trusting it")
    void probe() throws Exception {
        HttpResponse<String> r = send("POST", "/api/v1/vcenters/probe", "admin", "{\"url\":\"" + url + "\"}");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode n = JSON.readTree(r.body());
        assertEquals(SHA1, n.get("sha1").asText());
        assertEquals(SHA256, n.get("sha256").asText());
        assertTrue(n.get("subject").asText().contains("Acme Co"), r.body());
        assertTrue(n.get("notAfter").asText().startsWith("2084-"), r.body());
        assertEquals(
                400,
                send("POST", "/api/v1/vcenters/probe", "admin", "{\"url\":\"http://127.0.0.1:1/\"}")
                        .statusCode());
    }

    @Test
    @Order(2)
    @DisplayName(
            "adding refuses a wrong thumbprint (naming both), a wrong password, and no thumbprint without an explicit insecure")
    void addRefusals() throws Exception {
        HttpResponse<String> wrongPin = send("POST", "/api/v1/vcenters", "admin", add("vc1", VC_PASSWORD, WRONG_SHA1));
        assertEquals(400, wrongPin.statusCode(), wrongPin.body());
        assertTrue(wrongPin.body().contains(SHA1) && wrongPin.body().contains(WRONG_SHA1), wrongPin.body());
        HttpResponse<String> wrongPw = send("POST", "/api/v1/vcenters", "admin", add("vc1", "not-the-password", SHA1));
        assertEquals(400, wrongPw.statusCode(), wrongPw.body());
        assertTrue(wrongPw.body().contains("incorrect user name or password"), wrongPw.body());
        HttpResponse<String> noPin = send("POST", "/api/v1/vcenters", "admin", add("vc1", VC_PASSWORD, null));
        assertEquals(400, noPin.statusCode(), noPin.body());
        assertTrue(noPin.body().contains("insecure"), noPin.body());
        assertEquals("[]", send("GET", "/api/v1/vcenters", "admin", null).body());
    }

    @Test
    @Order(3)
    @DisplayName(
            "adding with the right thumbprint and password stores it with the password sealed, files 0600; the list hides it")
    void addOk() throws Exception {
        HttpResponse<String> r = send(
                "POST",
                "/api/v1/vcenters",
                "admin",
                add("vc1", VC_PASSWORD, SHA1.replace(":", "").toLowerCase()));
        assertEquals(201, r.statusCode(), r.body());
        JsonNode n = JSON.readTree(r.body());
        vcId = n.get("id").asText();
        assertEquals(SHA1, n.get("thumbprint").asText());
        assertTrue(n.get("lastTest").get("ok").asBoolean(), r.body());
        assertEquals(
                400,
                send("POST", "/api/v1/vcenters", "admin", add("vc1", VC_PASSWORD, SHA1))
                        .statusCode(),
                "names are unique");

        Path file = state.resolve("vcenters.json");
        String stored = Files.readString(file);
        assertTrue(stored.contains(vcId) && stored.contains("sealedPassword"), stored);
        assertFalse(stored.contains(VC_PASSWORD), stored);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals(
                "rw-------",
                PosixFilePermissions.toString(Files.getPosixFilePermissions(state.resolve("vcenter.key"))));
        assertEquals(38, Files.size(state.resolve("vcenter.key")), "version 2: a 6-byte header and the key");

        HttpResponse<String> list = send("GET", "/api/v1/vcenters", "admin", null);
        assertEquals(200, list.statusCode());
        JsonNode l = JSON.readTree(list.body());
        assertEquals(1, l.size());
        assertEquals(List.of("id", "name", "url", "user", "thumbprint", "insecure", "lastTest"), fields(l.get(0)));
        assertFalse(list.body().contains(VC_PASSWORD) || list.body().contains("sealed"), list.body());
    }

    @Test
    @Order(4)
    @DisplayName("test logs in with the stored password; editing without a password keeps it")
    void testAndEdit() throws Exception {
        HttpResponse<String> t = send("POST", "/api/v1/vcenters/" + vcId + "/test", "admin", "{}");
        assertEquals(200, t.statusCode(), t.body());
        JsonNode n = JSON.readTree(t.body());
        assertTrue(n.get("ok").asBoolean(), t.body());
        assertTrue(n.get("vms").asInt() >= 1, t.body());
        assertFalse(n.get("apiVersion").asText().isEmpty(), t.body());
        HttpResponse<String> e = send("PUT", "/api/v1/vcenters/" + vcId, "admin", "{\"name\":\"lab vCenter\"}");
        assertEquals(200, e.statusCode(), e.body());
        assertEquals("lab vCenter", JSON.readTree(e.body()).get("name").asText());
        assertTrue(JSON.readTree(send("POST", "/api/v1/vcenters/" + vcId + "/test", "admin", "{}")
                        .body())
                .get("ok")
                .asBoolean());
        HttpResponse<String> bad = send("PUT", "/api/v1/vcenters/" + vcId, "admin", "{\"password\":\"nope\"}");
        assertEquals(400, bad.statusCode(), bad.body());
        assertTrue(
                JSON.readTree(send("POST", "/api/v1/vcenters/" + vcId + "/test", "admin", "{}")
                                .body())
                        .get("ok")
                        .asBoolean(),
                "a refused edit changes nothing");
    }

    @Test
    @Order(5)
    @DisplayName(
            "moving a saved connection to another URL, user or certificate setting needs its password again; audited")
    void editNeedsPassword() throws Exception {
        String before = send("GET", "/api/v1/vcenters", "admin", null).body();
        for (String body : List.of(
                "{\"url\":\"https://127.0.0.1:1/sdk\"}",
                "{\"user\":\"someone-else\"}",
                "{\"insecure\":true}",
                "{\"thumbprint\":\"" + SHA256 + "\"}")) {
            HttpResponse<String> r = send("PUT", "/api/v1/vcenters/" + vcId, "admin", body);
            assertEquals(400, r.statusCode(), body + ": " + r.body());
            assertTrue(ApiClient.error(r).contains("needs its password again"), r.body());
        }
        assertEquals(before, send("GET", "/api/v1/vcenters", "admin", null).body(), "nothing changed");
        String audit = Files.readString(state.resolve("audit.log"));
        assertTrue(
                audit.contains("\"action\":\"vcenter-edit\"")
                        && audit.contains("(URL)")
                        && audit.contains("\"outcome\":\"failed\""),
                audit);
        // with the password the same change is a login to the new settings: the SHA-256 pin works
        HttpResponse<String> ok = send(
                "PUT",
                "/api/v1/vcenters/" + vcId,
                "admin",
                "{\"thumbprint\":\"" + SHA256 + "\",\"password\":\"" + VC_PASSWORD + "\"}");
        assertEquals(200, ok.statusCode(), ok.body());
        assertEquals(SHA256, JSON.readTree(ok.body()).get("thumbprint").asText());
        assertTrue(JSON.readTree(send("POST", "/api/v1/vcenters/" + vcId + "/test", "admin", "{}")
                        .body())
                .get("ok")
                .asBoolean());
    }

    @Test
    @Order(5)
    @DisplayName("viewers and operators get 403 on the admin endpoints; a viewer may not restore")
    void roles() throws Exception {
        for (String role : List.of("viewer", "operator")) {
            assertEquals(403, send("GET", "/api/v1/vcenters", role, null).statusCode());
            assertEquals(
                    403,
                    send("POST", "/api/v1/vcenters/probe", role, "{\"url\":\"" + url + "\"}")
                            .statusCode());
            assertEquals(
                    403,
                    send("POST", "/api/v1/vcenters", role, add("x", VC_PASSWORD, SHA1))
                            .statusCode());
            assertEquals(
                    403,
                    send("PUT", "/api/v1/vcenters/" + vcId, role, "{\"name\":\"x\"}")
                            .statusCode());
            assertEquals(
                    403, send("DELETE", "/api/v1/vcenters/" + vcId, role, null).statusCode());
            assertEquals(
                    403,
                    send("POST", "/api/v1/vcenters/" + vcId + "/test", role, "{}")
                            .statusCode());
        }
        assertEquals(401, send("GET", "/api/v1/vcenters", null, null).statusCode());
        assertEquals(
                403,
                send("GET", "/api/v1/vcenters/" + vcId + "/inventory", "viewer", null)
                        .statusCode());
        assertEquals(
                403,
                send(
                                "POST",
                                "/api/v1/backups/" + backupId + "/restore-vm",
                                "viewer",
                                "{\"vcenter\":\"" + vcId + "\",\"name\":\"x\"}")
                        .statusCode());
        HttpResponse<String> choices = send("GET", "/api/v1/vcenter-choices", "operator", null);
        assertEquals(200, choices.statusCode(), choices.body());
        assertEquals(
                List.of("id", "name", "url"),
                fields(JSON.readTree(choices.body()).get(0)));
    }

    // ---- restore ----

    @Test
    @Order(6)
    @DisplayName("the inventory lists the datastore, the VM folder, pools, hosts and networks")
    void inventory() throws Exception {
        HttpResponse<String> r = send("GET", "/api/v1/vcenters/" + vcId + "/inventory", "operator", null);
        assertEquals(200, r.statusCode(), r.body());
        JsonNode n = JSON.readTree(r.body());
        assertTrue(texts(n.get("datastores")).contains("LocalDS_0"), r.body());
        assertTrue(texts(n.get("folders")).contains("DC0/vm"), r.body());
        assertTrue(texts(n.get("networks")).contains("VM Network"), r.body());
        assertFalse(texts(n.get("hosts")).isEmpty(), r.body());
        assertTrue(
                texts(n.get("pools")).stream().anyMatch(p -> p.startsWith("DC0/host/") && p.endsWith("/Resources")),
                r.body());
    }

    @Test
    @Order(7)
    @DisplayName(
            "restore-vm as-new re-creates the VM through a job that reaches SUCCEEDED, with every disk byte; a taken name fails the job")
    void restoreAsNew() throws Exception {
        assertEquals(
                400,
                send(
                                "POST",
                                "/api/v1/backups/" + backupId + "/restore-vm",
                                "operator",
                                "{\"vcenter\":\"" + vcId + "\",\"mode\":\"sideways\"}")
                        .statusCode());
        assertEquals(
                400,
                send(
                                "POST",
                                "/api/v1/backups/" + backupId + "/restore-vm",
                                "operator",
                                "{\"vcenter\":\"nope\",\"name\":\"x\"}")
                        .statusCode());
        assertEquals(
                404,
                send(
                                "POST",
                                "/api/v1/backups/00000000/restore-vm",
                                "operator",
                                "{\"vcenter\":\"" + vcId + "\",\"name\":\"x\"}")
                        .statusCode());
        // a VDDK transport needs the server's VDDK (this one has none), an unknown one is refused
        HttpResponse<String> noVddk = send(
                "POST",
                "/api/v1/backups/" + backupId + "/restore-vm",
                "operator",
                "{\"vcenter\":\"" + vcId + "\",\"name\":\"x\",\"transport\":\"nbdssl\"}");
        assertEquals(400, noVddk.statusCode(), noVddk.body());
        assertTrue(
                noVddk.body().contains("'transport' nbdssl writes disks through VMware's VDDK")
                        && noVddk.body().contains("cairn serve --vddk DIR"),
                noVddk.body());
        HttpResponse<String> ftp = send(
                "POST",
                "/api/v1/backups/" + backupId + "/restore-vm",
                "operator",
                "{\"vcenter\":\"" + vcId + "\",\"mode\":\"in-place\",\"transport\":\"ftp\"}");
        assertEquals(400, ftp.statusCode(), ftp.body());
        assertTrue(ftp.body().contains("'transport' takes https, nbd, nbdssl, hotadd or san, not 'ftp'"), ftp.body());
        String body = "{\"vcenter\":\"" + vcId
                + "\",\"mode\":\"as-new\",\"name\":\"web01-restored\",\"datastore\":\"LocalDS_0\","
                + "\"folder\":\"DC0/vm\",\"networkMap\":{\"VM Network\":\"VM Network\"},\"onConflict\":\"abort\",\"powerOn\":false,"
                + "\"transport\":\"https\"}";
        JsonNode done = runJob(body);
        assertEquals("SUCCEEDED", done.get("state").asText(), done.toString());
        assertEquals("restore-vm", done.get("kind").asText());
        assertTrue(done.get("result").asText().contains("as web01-restored"), done.toString());
        VmInfo restored = Inventory.vms(vc).stream()
                .filter(v -> v.name().equals("web01-restored"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no VM web01-restored"));
        List<VirtualDisk> disks = VmDisks.of((VirtualMachineConfigInfo) Props.one(vc, restored.ref(), "config"));
        assertEquals(2, disks.size());
        assertEquals(diskSha.get(0), sha256(disks.get(0)));
        assertEquals(diskSha.get(1), sha256(disks.get(1)));
        JsonNode again = runJob(body);
        assertEquals("FAILED", again.get("state").asText(), again.toString());
        assertTrue(again.get("result").asText().contains("already exists"), again.toString());
        String audit = Files.readString(state.resolve("audit.log"));
        assertTrue(audit.contains("\"action\":\"restore-vm\"") && audit.contains("\"outcome\":\"succeeded\""), audit);
        assertTrue(audit.contains("\"action\":\"vcenter-add\""), audit);
    }

    @Test
    @Order(8)
    @DisplayName(
            "in a real Chromium, an operator restores web01 in place through the wizard: the job reaches 100 % and the damaged disk is whole again")
    void restoreInPlaceInBrowser() throws Exception {
        VmInfo web01 = Inventory.vms(vc).stream()
                .filter(v -> v.name().equals("web01"))
                .findFirst()
                .orElseThrow();
        List<VirtualDisk> disks = VmDisks.of((VirtualMachineConfigInfo) Props.one(vc, web01.ref(), "config"));
        DatastorePath desc = DatastorePath.parse(
                ((VirtualDiskFlatVer2BackingInfo) disks.get(0).getBacking()).getFileName());
        DatastorePath flat =
                desc.resolveSibling(desc.fileName().substring(0, desc.fileName().length() - 5) + "-flat.vmdk");
        ds.upload(flat, new java.io.ByteArrayInputStream(new byte[16 << 20]), 16 << 20);
        assertFalse(diskSha.get(0).equals(sha256(disks.get(0))), "disk 0 was damaged");

        Path shots = Path.of("target", "screenshots-vsphere").toAbsolutePath();
        try (Browser b = Browser.start(work.resolve("chrome"), spki(), work.resolve("downloads"), shots)) {
            try {
                b.open(base + "/");
                b.await("#login-user");
                b.type("#login-user", "operator");
                b.type("#login-password", ApiClient.PASSWORD);
                b.click("#login button[type=submit]");
                b.await(".cards");
                b.open(base + "/#/backups/" + backupId + "/restore");
                b.await("#vmr-vcenter option[value='" + vcId + "']");
                b.script(
                        "const s = document.getElementById('vmr-vcenter'); s.value = arguments[0];"
                                + " s.dispatchEvent(new Event('change'));",
                        vcId);
                b.click("#vmr-mode-inplace");
                b.await("#vmr-inplace:not([hidden])");
                b.await("#vmr-asnew[hidden]");
                assertEquals("Restore into the VM", b.text("#vmr-start"));
                b.script("document.getElementById('vmr-form').scrollIntoView({block: 'start'})");
                b.screenshot("vsphere-restore-in-place");
                b.script("window.confirm = () => true"); // the "overwrite every disk?" question, answered yes
                b.click("#vmr-start");
                b.await("#job-progress");
                b.awaitText(
                        "#job-state",
                        t -> t.contains("SUCCEEDED") || t.contains("FAILED"),
                        Duration.ofMinutes(3),
                        "finishing");
                assertTrue(b.text("#job-state").contains("SUCCEEDED"), b.text("#main"));
                assertEquals("100 %", b.text("#job-percent"));
                b.screenshot("vsphere-restore-succeeded");
            } catch (Throwable t) {
                b.screenshot("vsphere-FAILED");
                throw t;
            }
        }
        assertEquals(diskSha.get(0), sha256(disks.get(0)), "disk 0 after the in-place restore");
        assertEquals(diskSha.get(1), sha256(disks.get(1)), "disk 1 after the in-place restore");
    }

    /** Chromium's certificate pin: the SHA-256 of the server key's SubjectPublicKeyInfo, from a pinned handshake. */
    private String spki() throws Exception {
        try (javax.net.ssl.SSLSocket sock =
                (javax.net.ssl.SSLSocket) io.cairn.httpui.PinnedTls.context(server.fingerprint())
                        .getSocketFactory()
                        .createSocket("127.0.0.1", server.port())) {
            sock.startHandshake();
            return Tls.spkiSha256(sock.getSession().getPeerCertificates()[0]);
        }
    }

    // ---- schedules with a vCenter source ----

    @Test
    @Order(9)
    @DisplayName(
            "a schedule with a vCenter source backs up the VMs its spec selects (snapshot removed), keeps one by retention;"
                    + " a spec matching nothing fails its job; unknown connections and specs without a prefix are 400")
    void vcenterSchedule() throws Exception {
        HttpResponse<String> m = send("GET", "/api/v1/vcenters/" + vcId + "/vms?spec=name:web01", "operator", null);
        assertEquals(200, m.statusCode(), m.body());
        JsonNode matched = JSON.readTree(m.body());
        assertEquals(1, matched.size(), m.body());
        assertEquals("web01", matched.get(0).get("name").asText());
        assertEquals(
                400,
                send("GET", "/api/v1/vcenters/" + vcId + "/vms?spec=web01", "operator", null)
                        .statusCode());
        assertEquals(
                403,
                send("GET", "/api/v1/vcenters/" + vcId + "/vms?spec=any:", "viewer", null)
                        .statusCode());

        HttpResponse<String> bad = send("POST", "/api/v1/schedules", "admin", vcSchedule("x", "nope", "name:web01"));
        assertEquals(400, bad.statusCode(), bad.body());
        assertTrue(bad.body().contains("'source.vcenter'"), bad.body());
        bad = send("POST", "/api/v1/schedules", "admin", vcSchedule("x", vcId, "web01"));
        assertEquals(400, bad.statusCode(), bad.body());
        assertTrue(bad.body().contains("'source.spec'") && bad.body().contains("name:"), bad.body());

        long before = backupsOf("web01");
        HttpResponse<String> r =
                send("POST", "/api/v1/schedules", "admin", vcSchedule("nightly web01", vcId, "name:web01"));
        assertEquals(201, r.statusCode(), r.body());
        JsonNode created = JSON.readTree(r.body());
        assertEquals("name:web01 on lab vCenter", created.get("vm").asText(), r.body());
        assertEquals(vcId, created.get("source").get("vcenter").asText());
        r = send("POST", "/api/v1/schedules/" + created.get("id").asText() + "/run", "operator", "{}");
        assertEquals(202, r.statusCode(), r.body());
        JsonNode job = awaitJob(JSON.readTree(r.body()).get("job").asText());
        assertEquals("SUCCEEDED", job.get("state").asText(), job.toString());
        // the same one-line summary as 'cairn backup --vc' prints, then the retention's
        assertTrue(job.get("result").asText().matches("backup [0-9a-f]+ of web01: .*"), job.toString());
        assertTrue(job.get("result").asText().contains("retention kept 1, removed " + before), job.toString());
        assertEquals(1, backupsOf("web01"));
        Repository.Listed latest = repo.backups().stream()
                .filter(l -> l.manifest().vm().name().equals("web01"))
                .findFirst()
                .orElseThrow();
        assertEquals("nightly web01", latest.manifest().labels().get("schedule"));
        VmInfo web01 = Inventory.vms(vc).stream()
                .filter(v -> v.name().equals("web01"))
                .findFirst()
                .orElseThrow();
        assertEquals(null, Props.one(vc, web01.ref(), "snapshot"), "the backup's snapshot is removed");

        r = send("POST", "/api/v1/schedules", "admin", vcSchedule("nothing", vcId, "name:no-such-vm"));
        assertEquals(201, r.statusCode(), r.body());
        r = send(
                "POST", "/api/v1/schedules/" + JSON.readTree(r.body()).get("id").asText() + "/run", "operator", "{}");
        JsonNode none = awaitJob(JSON.readTree(r.body()).get("job").asText());
        assertEquals("FAILED", none.get("state").asText(), none.toString());
        assertEquals(
                "no VM matches name:no-such-vm on lab vCenter",
                none.get("result").asText());
    }

    @Test
    @Order(10)
    @DisplayName("delete removes the connection; a schedule that used it says so")
    void delete() throws Exception {
        assertEquals(
                200, send("DELETE", "/api/v1/vcenters/" + vcId, "admin", null).statusCode());
        assertEquals(
                404, send("DELETE", "/api/v1/vcenters/" + vcId, "admin", null).statusCode());
        assertEquals("[]", send("GET", "/api/v1/vcenters", "admin", null).body());
        JsonNode schedules =
                JSON.readTree(send("GET", "/api/v1/schedules", "viewer", null).body());
        assertFalse(schedules.isEmpty());
        for (JsonNode s : schedules) {
            assertTrue(s.path("problem").asText().contains("vCenter connection was deleted"), s.toString());
            assertEquals(
                    "name:" + (s.get("name").asText().equals("nothing") ? "no-such-vm" : "web01")
                            + " on a deleted vCenter connection",
                    s.get("vm").asText());
        }
    }

    // ---- helpers ----

    private JsonNode runJob(String body) throws Exception {
        HttpResponse<String> r = send("POST", "/api/v1/backups/" + backupId + "/restore-vm", "operator", body);
        assertEquals(202, r.statusCode(), r.body());
        return awaitJob(JSON.readTree(r.body()).get("job").asText());
    }

    private static String vcSchedule(String name, String vcenter, String spec) throws Exception {
        return JSON.writeValueAsString(Map.of(
                "name",
                name,
                "cron",
                "0 3 29 2 *",
                "retention",
                Map.of("keepLast", 1),
                "source",
                Map.of("vcenter", vcenter, "spec", spec, "quiesce", false)));
    }

    private long backupsOf(String vm) throws Exception {
        return repo.backups().stream()
                .filter(l -> l.manifest().vm().name().equals(vm))
                .count();
    }

    private JsonNode awaitJob(String job) throws Exception {
        return api.awaitJob(job, Duration.ofMinutes(3));
    }

    private static String add(String name, String password, String thumbprint) throws Exception {
        Map<String, Object> m = new HashMap<>();
        m.put("name", name);
        m.put("url", "https://127.0.0.1:" + URI.create(VcentersIT.staticUrl).getPort());
        m.put("user", VC_USER);
        m.put("password", password);
        if (thumbprint != null) {
            m.put("thumbprint", thumbprint);
        }
        return JSON.writeValueAsString(m);
    }

    private static String staticUrl;

    private static List<String> fields(JsonNode n) {
        List<String> out = new ArrayList<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }

    private static List<String> texts(JsonNode arr) {
        assertNotNull(arr);
        List<String> out = new ArrayList<>();
        arr.forEach(x -> out.add(x.asText()));
        return out;
    }

    private HttpResponse<String> send(String method, String path, String role, String body) throws Exception {
        return api.send(method, path, role, body);
    }

    private String sha256(VirtualDisk d) throws Exception {
        return SimVms.sha256(ds, d);
    }
}
