package io.cairn.httpui.vcenter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.vmware.vim25.ManagedObjectReference;
import com.vmware.vim25.VirtualDeviceConfigSpec;
import com.vmware.vim25.VirtualDeviceConfigSpecOperation;
import com.vmware.vim25.VirtualDisk;
import com.vmware.vim25.VirtualDiskFlatVer2BackingInfo;
import com.vmware.vim25.VirtualMachineConfigSpec;
import io.cairn.httpui.ApiClient;
import io.cairn.httpui.UiConfig;
import io.cairn.httpui.UiServer;
import io.cairn.operations.backup.VmBackup;
import io.cairn.operations.job.Job;
import io.cairn.repository.Repository;
import io.cairn.repository.store.LocalStore;
import io.cairn.vsphere.connect.ConnectOptions;
import io.cairn.vsphere.connect.VsphereConnection;
import io.cairn.vsphere.datastore.DatastoreClient;
import io.cairn.vsphere.inventory.Inventory;
import io.cairn.vsphere.task.Tasks;
import io.cairn.vsphere.testing.SimVms;
import io.cairn.vsphere.testing.Vcsim;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The web UI's JSON API for the placement a vSphere restore takes and for a backup that left a disk
 * out, against vcsim: {@code restore-vm} with {@code diskFormat} and {@code diskDatastores}
 * re-creates the VM with disks of that provisioning and every byte; bad values are 400; {@code
 * mode: original} with {@code keepIdentity} is refused (the job fails, nothing created) while the
 * original exists; a backup whose independent disk was left out carries its warning in its JSON.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RestorePlacementIT {
    private static final String VC_USER = "backup";
    private static final String VC_PASSWORD = "s3cret-Vc!pw";
    private static final ObjectMapper JSON = new ObjectMapper();

    private Path work;
    private Vcsim vcsim;
    private VsphereConnection vc;
    private DatastoreClient ds;
    private Repository repo;
    private UiServer server;
    private ApiClient api;
    private String vcId;
    private String backupId;
    private String indepBackupId;
    private final String[] sha = new String[2];

    @BeforeAll
    void setUp() throws Exception {
        work = Path.of("target", "placement-it-" + System.nanoTime()).toAbsolutePath();
        Files.createDirectories(work);
        vcsim = Vcsim.start("-username", VC_USER, "-password", VC_PASSWORD);
        vc = VsphereConnection.connect(
                new ConnectOptions(URI.create(vcsim.url()), VC_USER, VC_PASSWORD.toCharArray(), Vcsim.SHA1, false));
        ds = new DatastoreClient(
                vc.serverBase(), vc.sslSocketFactory(), vc.hostnameVerifier(), vc::sessionCookie, "DC0");
        Path[] images = {work.resolve("disk0.img"), work.resolve("disk1.img")};
        long[] sizes = {4L << 20, 2L << 20};
        for (int i = 0; i < 2; i++) {
            byte[] b = new byte[(int) sizes[i]];
            new Random(140 + i).nextBytes(b);
            Files.write(images[i], b);
            sha[i] = HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        }
        SimVms.createVm(vc, ds, "DC0", "DC0/host/DC0_H0/DC0_H0", "place01", images, work, true);
        SimVms.createVm(vc, ds, "DC0", "DC0/host/DC0_H0/DC0_H0", "indep01", images, work, true);
        ManagedObjectReference indep = SimVms.vm(vc, "indep01").ref();
        VirtualDisk second = SimVms.disks(SimVms.config(vc, indep)).get(1);
        ((VirtualDiskFlatVer2BackingInfo) second.getBacking()).setDiskMode("independent_persistent");
        VirtualMachineConfigSpec spec = new VirtualMachineConfigSpec();
        VirtualDeviceConfigSpec edit = new VirtualDeviceConfigSpec();
        edit.setOperation(VirtualDeviceConfigSpecOperation.EDIT);
        edit.setDevice(second);
        spec.getDeviceChange().add(edit);
        Tasks.await(vc, vc.port().reconfigVMTask(indep, spec), null);

        repo = Repository.init(new LocalStore(work.resolve("repo")), 1 << 20, 1, null);
        backupId = backup("place01");
        indepBackupId = backup("indep01");

        Path state = work.resolve("state");
        Files.createDirectories(state);
        ApiClient.addUsers(state);
        server = UiServer.start(new UiConfig(repo, work.resolve("repo"), state, "127.0.0.1", 0, 2, null, null));
        api = ApiClient.login(server);
        HttpResponse<String> r = api.send(
                "POST",
                "/api/v1/vcenters",
                "admin",
                JSON.writeValueAsString(Map.of(
                        "name",
                        "lab",
                        "url",
                        "https://127.0.0.1:" + URI.create(vcsim.url()).getPort(),
                        "user",
                        VC_USER,
                        "password",
                        VC_PASSWORD,
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
    }

    private String backup(String name) throws Exception {
        Job job = Job.create("backup", name);
        job.start();
        return new VmBackup(vc, repo, new VmBackup.Options(false, false, 1, Duration.ZERO, Map.of(), null), job)
                .run(SimVms.vm(vc, name))
                .ref()
                .id();
    }

    private HttpResponse<String> restoreVm(String body) throws Exception {
        return api.send("POST", "/api/v1/backups/" + backupId + "/restore-vm", "operator", body);
    }

    private JsonNode run(String body) throws Exception {
        HttpResponse<String> r = restoreVm(body);
        assertEquals(202, r.statusCode(), r.body());
        return api.awaitJob(JSON.readTree(r.body()).get("job").asText(), Duration.ofMinutes(3));
    }

    @Test
    @DisplayName("diskFormat and diskDatastores place the re-created disks: thick, eager-zeroed for one, every byte")
    void placement() throws Exception {
        String body = "{\"vcenter\":\"" + vcId + "\",\"mode\":\"as-new\",\"name\":\"place01-thick\","
                + "\"datastore\":\"LocalDS_0\",\"diskFormat\":\"thick\",\"diskFormats\":{\"scsi1:0\":\"eagerzeroedthick\"},"
                + "\"diskDatastores\":{\"scsi0:0\":\"LocalDS_0\"}}";
        JsonNode done = run(body);
        assertEquals("SUCCEEDED", done.get("state").asText(), done.toString());
        List<VirtualDisk> disks =
                SimVms.disks(SimVms.config(vc, SimVms.vm(vc, "place01-thick").ref()));
        var b0 = (VirtualDiskFlatVer2BackingInfo) disks.get(0).getBacking();
        var b1 = (VirtualDiskFlatVer2BackingInfo) disks.get(1).getBacking();
        assertFalse(b0.isThinProvisioned(), "thick");
        assertFalse(b0.isEagerlyScrub(), "lazy zeroed");
        assertFalse(b1.isThinProvisioned(), "eager-zeroed thick");
        assertTrue(b1.isEagerlyScrub(), "eager-zeroed thick");
        assertEquals(sha[0], SimVms.sha256(ds, disks.get(0)));
        assertEquals(sha[1], SimVms.sha256(ds, disks.get(1)));
    }

    @Test
    @DisplayName("a bad disk format, a disk the VM does not have, a bad mode: 400 or a failed job, nothing created")
    void refusals() throws Exception {
        HttpResponse<String> r = restoreVm(
                "{\"vcenter\":\"" + vcId + "\",\"name\":\"x1\",\"datastore\":\"LocalDS_0\",\"diskFormat\":\"fat\"}");
        assertEquals(400, r.statusCode(), r.body());
        assertTrue(r.body().contains("thin, thick or eagerzeroedthick"), r.body());
        r = restoreVm("{\"vcenter\":\"" + vcId + "\",\"name\":\"x1\",\"diskDatastores\":[\"LocalDS_0\"]}");
        assertEquals(400, r.statusCode(), r.body());
        int before = Inventory.vms(vc).size();
        JsonNode done = run("{\"vcenter\":\"" + vcId + "\",\"name\":\"x2\",\"datastore\":\"LocalDS_0\","
                + "\"diskDatastores\":{\"scsi7:0\":\"LocalDS_0\"}}");
        assertEquals("FAILED", done.get("state").asText(), done.toString());
        assertTrue(done.get("result").asText().contains("has no disk 'scsi7:0'"), done.toString());
        done = run("{\"vcenter\":\"" + vcId + "\",\"mode\":\"original\",\"keepIdentity\":true}");
        assertEquals("FAILED", done.get("state").asText(), done.toString());
        assertTrue(done.get("result").asText().contains("a VM named place01 already exists"), done.toString());
        assertEquals(before, Inventory.vms(vc).size(), "nothing created");
    }

    @Test
    @DisplayName("a backup that left an independent disk out says so in its JSON; one without has no warnings field")
    void warnings() throws Exception {
        HttpResponse<String> r = api.send("GET", "/api/v1/backups/" + indepBackupId, "viewer", null);
        assertEquals(200, r.statusCode(), r.body());
        JsonNode w = JSON.readTree(r.body()).get("warnings");
        assertEquals(1, w.size(), r.body());
        assertTrue(w.get(0).asText().contains("is independent-persistent"), r.body());
        assertEquals(1, JSON.readTree(r.body()).get("disks").size(), r.body());
        r = api.send("GET", "/api/v1/backups/" + backupId, "viewer", null);
        assertFalse(JSON.readTree(r.body()).has("warnings"), r.body());
    }
}
