package io.cairn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.vmware.vim25.ManagedObjectReference;
import com.vmware.vim25.VirtualDisk;
import com.vmware.vim25.VirtualMachineConfigInfo;
import io.cairn.vsphere.connect.ConnectOptions;
import io.cairn.vsphere.connect.Props;
import io.cairn.vsphere.connect.VsphereConnection;
import io.cairn.vsphere.datastore.DatastoreClient;
import io.cairn.vsphere.datastore.DatastorePath;
import io.cairn.vsphere.inventory.VmInfo;
import io.cairn.vsphere.task.Tasks;
import io.cairn.vsphere.testing.SimVms;
import io.cairn.vsphere.testing.Vcsim;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end against govmomi's vCenter simulator (vcsim, built from Debian packages by
 * ../scripts/vcsim): a VM with two disks on two SCSI controllers and a NIC, its disks filled with
 * real VMDK content (qemu-img monolithicFlat of an ext4 image and of random bytes, uploaded to the
 * datastore), backed up by the real cairn jar, restored in place and re-created with --as-new; every
 * disk byte and the device layout compared. vcsim has no changed block tracking, so every backup
 * here reads whole disks (the CBT path falls back and says so).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class VsphereIT {
    private static final String SHA1 = Vcsim.SHA1;
    private static final Map<String, String> ENV = Map.of("CAIRN_VC_USER", "backup", "CAIRN_VC_PASSWORD", "s3cret!");

    @TempDir
    static Path tmp;

    static final Cairn cairn = new Cairn();
    static Vcsim vcsim;
    static String url;
    static VsphereConnection vc;
    static DatastoreClient ds;
    static Path repo;
    static Path disk0;
    static Path disk1;
    static String backupId;

    @BeforeAll
    static void setUp() throws Exception {
        vcsim = Vcsim.start("-username", "backup", "-password", "s3cret!");
        url = vcsim.url();
        vc = VsphereConnection.connect(
                new ConnectOptions(URI.create(url), "backup", "s3cret!".toCharArray(), SHA1, false));
        ds = new DatastoreClient(
                vc.serverBase(), vc.sslSocketFactory(), vc.hostnameVerifier(), vc::sessionCookie, "DC0");
        disk0 = tmp.resolve("app-disk0.img");
        Util.ext4Image(disk0, 64, 8, 8, 11);
        disk1 = tmp.resolve("app-disk1.img");
        Util.randomFile(disk1, 24L << 20, 12);
        createVm("app01", true);
        createVm("app02", true);
        repo = tmp.resolve("repo");
        cairn.init(repo);
    }

    @AfterAll
    static void tearDown() throws Exception {
        try {
            if (vc != null) {
                vc.close();
            }
        } finally {
            cairn.close();
            if (vcsim != null) {
                vcsim.close();
            }
        }
    }

    private static String[] vcArgs(String... more) {
        List<String> a = new ArrayList<>(List.of("--vc", url, "--thumbprint", SHA1));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    private static String[] concat(String[] a, String... b) {
        List<String> l = new ArrayList<>(List.of(a));
        l.addAll(List.of(b));
        return l.toArray(String[]::new);
    }

    @Test
    @Order(1)
    @DisplayName("a VM with two disks on two SCSI controllers and a NIC backs up; the snapshot is gone afterwards")
    void backup() throws Exception {
        Cairn.Result r = cairn.run(
                        ENV, concat(new String[] {"backup", "--repo", repo.toString(), "--vm", "name:app01"}, vcArgs()))
                .ok();
        backupId = Cairn.backupId(r);
        assertTrue(r.out().contains("2 disks"), r.describe());
        assertNull(Props.one(vc, vm("app01").ref(), "snapshot"), "the backup snapshot must be removed");
        var list = cairn.run("list", "--repo", repo.toString(), "--json").ok().json();
        var m = list.get(0);
        assertEquals("app01", m.get("vm").asText());
        assertEquals(vm("app01").instanceUuid(), m.get("instanceUuid").asText());
        assertEquals(
                vc.instanceUuid() + "/" + vm("app01").instanceUuid(),
                m.get("vmIdentity").asText());
        assertEquals("quiesced", m.get("labels").get("consistency").asText());
        assertEquals(
                List.of(64L << 20, 24L << 20),
                List.of(
                        m.get("disks").get(0).get("capacity").asLong(),
                        m.get("disks").get(1).get("capacity").asLong()));
        // the disks of the backup are the uploaded images
        Path restored = cairn.restore(repo, backupId, tmp, "app01.img");
        assertEquals(Util.sha256(disk0), Util.sha256(restored));
    }

    @Test
    @Order(2)
    @DisplayName("restore --in-place writes the backup back over a damaged disk")
    void inPlace() throws Exception {
        VirtualDisk second = disks(config(vm("app01").ref())).get(1);
        DatastorePath flat = flatOf(second);
        byte[] zeros = new byte[1 << 20];
        ds.upload(flat, new ByteArrayInputStream(zeros), zeros.length); // the disk is now wrong (and short)
        cairn.run(ENV, concat(new String[] {"restore", "--repo", repo.toString(), backupId, "--in-place"}, vcArgs()))
                .ok();
        assertEquals(Util.sha256(disk1), sha256(second));
        assertEquals(Util.sha256(disk0), sha256(disks(config(vm("app01").ref())).get(0)));
    }

    @Test
    @Order(3)
    @DisplayName(
            "after the VM is destroyed, restore --as-new re-creates it: same devices (minus defaults), same disk bytes")
    void asNew() throws Exception {
        VirtualMachineConfigInfo before = config(vm("app01").ref());
        Tasks.await(vc, vc.port().destroyTask(vm("app01").ref()), null);
        Cairn.Result r = cairn.run(
                        ENV,
                        concat(
                                new String[] {
                                    "restore",
                                    "--repo",
                                    repo.toString(),
                                    backupId,
                                    "--as-new",
                                    "app01-restored",
                                    "--datastore",
                                    "LocalDS_0"
                                },
                                vcArgs()))
                .ok();
        assertTrue(r.out().contains("restored " + backupId + " as app01-restored"), r.describe());
        VirtualMachineConfigInfo after = config(vm("app01-restored").ref());
        assertEquals(layout(before), layout(after));
        List<VirtualDisk> d = disks(after);
        assertEquals(Util.sha256(disk0), sha256(d.get(0)));
        assertEquals(Util.sha256(disk1), sha256(d.get(1)));
        // the name is now taken: abort by default, keep leaves it alone
        cairn.run(
                        ENV,
                        concat(
                                new String[] {
                                    "restore",
                                    "--repo",
                                    repo.toString(),
                                    backupId,
                                    "--as-new",
                                    "app01-restored",
                                    "--datastore",
                                    "LocalDS_0"
                                },
                                vcArgs()))
                .expectFailure(1, "restore", "already exists", "--on-conflict");
        Cairn.Result keep = cairn.run(
                        ENV,
                        concat(
                                new String[] {
                                    "restore",
                                    "--repo",
                                    repo.toString(),
                                    backupId,
                                    "--as-new",
                                    "app01-restored",
                                    "--datastore",
                                    "LocalDS_0",
                                    "--on-conflict",
                                    "keep"
                                },
                                vcArgs()))
                .ok();
        assertTrue(keep.out().contains("kept it"), keep.describe());
    }

    @Test
    @Order(4)
    @DisplayName("a spec matching several VMs backs up each; one matching nothing fails in one line")
    void specs() throws Exception {
        Cairn.Result none = cairn.run(
                ENV, concat(new String[] {"backup", "--repo", repo.toString(), "--vm", "name:nope"}, vcArgs()));
        none.expectFailure(1, "backup", "no VM matches name:nope");
        // vcsim's own VMs are powered on; app02 and the restored VM are off
        Cairn.Result many = cairn.run(
                        ENV,
                        concat(new String[] {"backup", "--repo", repo.toString(), "--vm", "powerstate:off"}, vcArgs()))
                .ok();
        assertTrue(many.out().contains(" of app02: ") && many.out().contains(" of app01-restored: "), many.describe());
    }

    @Test
    @Order(5)
    @DisplayName(
            "a backup that fails half-way removes its snapshot and commits nothing; a leftover cairn snapshot is removed by the next run")
    void failureLeavesNoSnapshot() throws Exception {
        createVm("broken", false); // its second disk holds no VMDK descriptor: reading it fails after the first disk
        int before = cairn.listIds(repo).size();
        Cairn.Result r = cairn.run(
                ENV, concat(new String[] {"backup", "--repo", repo.toString(), "--vm", "name:broken"}, vcArgs()));
        r.expectFailure(1, "backup");
        assertNull(Props.one(vc, vm("broken").ref(), "snapshot"), "a failed backup must remove its snapshot");
        assertEquals(before, cairn.listIds(repo).size(), "a failed backup must not be listed");

        // a killed run leaves its snapshot: the next run removes it before taking its own
        Tasks.await(
                vc,
                vc.port()
                        .createSnapshotTask(
                                vm("app02").ref(), "cairn-backup-killed", "left by a killed run", false, false),
                null);
        Cairn.Result ok = cairn.run(
                        ENV, concat(new String[] {"backup", "--repo", repo.toString(), "--vm", "name:app02"}, vcArgs()))
                .ok();
        assertTrue(ok.out().contains("removing snapshot 'cairn-backup-killed'"), ok.describe());
        assertNull(Props.one(vc, vm("app02").ref(), "snapshot"));
    }

    @Test
    @Order(6)
    @DisplayName("a wrong password and a wrong thumbprint are refused in one line, naming what is wrong")
    void refusals() {
        cairn.run(
                        Map.of("CAIRN_VC_USER", "backup", "CAIRN_VC_PASSWORD", "wrong"),
                        concat(new String[] {"backup", "--repo", repo.toString(), "--vm", "name:app02"}, vcArgs()))
                .expectFailure(1, "backup", "login", "backup");
        String wrong = "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33";
        Cairn.Result r = cairn.run(
                        ENV,
                        "backup",
                        "--repo",
                        repo.toString(),
                        "--vm",
                        "name:app02",
                        "--vc",
                        url,
                        "--thumbprint",
                        wrong)
                .expectFailure(1, "backup", wrong, SHA1);
        assertTrue(!r.err().contains("s3cret"), "no password in messages");
        // a VDDK transport without VMware's VDDK: one line, before any snapshot is taken
        cairn.run(
                        ENV,
                        concat(
                                new String[] {
                                    "backup", "--repo", repo.toString(), "--vm", "name:app02", "--transport", "nbdssl"
                                },
                                vcArgs()))
                .expectFailure(1, "backup", "VDDK_HOME");
        cairn.run(
                        ENV,
                        concat(
                                new String[] {
                                    "restore", "--repo", repo.toString(), backupId, "--in-place", "--transport", "san"
                                },
                                vcArgs()))
                .expectFailure(1, "restore", "VDDK_HOME");
    }

    // ---- helpers (the VM building and comparing is shared with EsxIT and http-ui's VcentersIT: SimVms) ----

    static void createVm(String name, boolean content) throws Exception {
        SimVms.createVm(vc, ds, "DC0", "DC0/host/DC0_H0/DC0_H0", name, new Path[] {disk0, disk1}, tmp, content);
    }

    static VmInfo vm(String name) throws Exception {
        return SimVms.vm(vc, name);
    }

    static VirtualMachineConfigInfo config(ManagedObjectReference vm) throws Exception {
        return SimVms.config(vc, vm);
    }

    static List<VirtualDisk> disks(VirtualMachineConfigInfo c) {
        return SimVms.disks(c);
    }

    static List<String> layout(VirtualMachineConfigInfo c) {
        return SimVms.layout(c);
    }

    static DatastorePath flatOf(VirtualDisk d) throws Exception {
        return SimVms.flatOf(ds, d);
    }

    static String sha256(VirtualDisk d) throws Exception {
        return SimVms.sha256(ds, d);
    }
}
