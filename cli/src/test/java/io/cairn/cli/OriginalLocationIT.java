package io.cairn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.vmware.vim25.ManagedObjectReference;
import com.vmware.vim25.VirtualDisk;
import com.vmware.vim25.VirtualEthernetCard;
import com.vmware.vim25.VirtualMachineConfigInfo;
import io.cairn.vsphere.connect.Props;
import io.cairn.vsphere.connect.VsphereConnection;
import io.cairn.vsphere.datastore.DatastoreClient;
import io.cairn.vsphere.inventory.Inventory;
import io.cairn.vsphere.inventory.VmInfo;
import io.cairn.vsphere.task.Tasks;
import io.cairn.vsphere.testing.SimVms;
import java.nio.file.Path;
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
 * "Back where it was", by the real cairn jar against vcsim: a VM in its own folder and resource
 * pool on the second host of the cluster is backed up; while it exists, {@code restore
 * --original-location} refuses and creates nothing; once it is destroyed, {@code
 * --original-location --keep-identity} brings it back into that folder, pool and host with its
 * instanceUuid, BIOS uuid, MAC address and disk bytes; and a second time {@code --on-conflict
 * overwrite} replaces the restored one.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OriginalLocationIT {
    private static final Map<String, String> ENV = Simulator.ENV;
    private static final String FOLDER = "DC0/vm/apps";
    private static final String POOL = "DC0/host/DC0_C0/Resources/apps-pool";
    private static final String HOST = "DC0/host/DC0_C0/DC0_C0_H1";

    @TempDir
    static Path tmp;

    static final Cairn cairn = new Cairn();
    static Simulator sim;
    static VsphereConnection vc;
    static DatastoreClient ds;
    static Path repo;
    static Path disk0;
    static Path disk1;
    static String backupId;
    static VmInfo original;
    static String mac;
    static ManagedObjectReference folder;
    static ManagedObjectReference pool;
    static ManagedObjectReference host;

    @BeforeAll
    static void setUp() throws Exception {
        sim = Simulator.start();
        vc = sim.vc;
        ds = sim.ds;
        sim.vcsim.govc("folder.create", "/" + FOLDER);
        sim.vcsim.govc("pool.create", "/" + POOL);
        folder = find(FOLDER);
        pool = find(POOL);
        host = find(HOST);
        disk0 = tmp.resolve("ol-disk0.img");
        Util.mixedImage(disk0, 6L << 20, 71);
        disk1 = tmp.resolve("ol-disk1.img");
        Util.randomFile(disk1, 3L << 20, 72);
        SimVms.createVm(vc, ds, "DC0", HOST, FOLDER, POOL, "orig01", new Path[] {disk0, disk1}, tmp, true);
        original = SimVms.vm(vc, "orig01");
        mac = nic(SimVms.config(vc, original.ref())).getMacAddress();
        assertTrue(mac != null && !mac.isEmpty(), "fixture: vcsim gave the NIC a MAC address");
        assertEquals(folder.getValue(), ((ManagedObjectReference) Props.one(vc, original.ref(), "parent")).getValue());
        repo = tmp.resolve("repo");
        cairn.init(repo);
        backupId = Cairn.backupId(cairn.run(ENV, vcArgs("backup", "--repo", repo.toString(), "--vm", "name:orig01"))
                .ok());
    }

    @AfterAll
    static void tearDown() throws Exception {
        cairn.close();
        if (sim != null) {
            sim.close();
        }
    }

    private static String[] vcArgs(String... args) {
        return sim.cairnArgs(args);
    }

    private static ManagedObjectReference find(String path) throws Exception {
        ManagedObjectReference m =
                vc.port().findByInventoryPath(vc.serviceContent().getSearchIndex(), path);
        assertTrue(m != null, "fixture: " + path + " exists");
        return m;
    }

    private static VirtualEthernetCard nic(VirtualMachineConfigInfo c) {
        return (VirtualEthernetCard) c.getHardware().getDevice().stream()
                .filter(d -> d instanceof VirtualEthernetCard)
                .findFirst()
                .orElseThrow();
    }

    private static List<VmInfo> named(String name) throws Exception {
        return Inventory.vms(vc).stream().filter(v -> name.equals(v.name())).toList();
    }

    private static Cairn.Result restoreOriginal(String... more) {
        List<String> a = new java.util.ArrayList<>(
                List.of("restore", "--repo", repo.toString(), backupId, "--original-location", "--keep-identity"));
        a.addAll(List.of(more));
        return cairn.run(ENV, vcArgs(a.toArray(String[]::new)));
    }

    /** The VM is where the original was, with its identity and its disks' bytes. */
    private static void assertBackWhereItWas(VmInfo vm) throws Exception {
        Map<String, Object> p = Props.get(vc, vm.ref(), "parent", "resourcePool", "runtime.host");
        assertEquals(folder.getValue(), ((ManagedObjectReference) p.get("parent")).getValue(), "folder");
        assertEquals(pool.getValue(), ((ManagedObjectReference) p.get("resourcePool")).getValue(), "resource pool");
        assertEquals(host.getValue(), ((ManagedObjectReference) p.get("runtime.host")).getValue(), "host");
        VirtualMachineConfigInfo c = SimVms.config(vc, vm.ref());
        assertEquals(original.instanceUuid(), c.getInstanceUuid(), "instanceUuid");
        assertEquals(original.biosUuid(), c.getUuid(), "BIOS uuid");
        assertEquals(mac, nic(c).getMacAddress(), "MAC address");
        assertTrue(
                c.getFiles().getVmPathName().startsWith("[LocalDS_0]"),
                c.getFiles().getVmPathName());
        List<VirtualDisk> d = SimVms.disks(c);
        assertEquals(Util.sha256(disk0), SimVms.sha256(ds, d.get(0)));
        assertEquals(Util.sha256(disk1), SimVms.sha256(ds, d.get(1)));
    }

    @Test
    @Order(1)
    @DisplayName("while the original exists, --original-location refuses in one line and creates nothing")
    void refusedWhileOriginalExists() throws Exception {
        int before = Inventory.vms(vc).size();
        restoreOriginal().expectFailure(1, "restore", "a VM named orig01 already exists");
        assertEquals(before, Inventory.vms(vc).size(), "nothing created");
        assertEquals(original.moRef(), named("orig01").get(0).moRef());
    }

    @Test
    @Order(2)
    @DisplayName("once it is gone, it comes back into its folder, pool and host with its uuids, MAC and disks")
    void backWhereItWas() throws Exception {
        Tasks.await(vc, vc.port().destroyTask(original.ref()), null);
        assertTrue(named("orig01").isEmpty());
        Cairn.Result r = restoreOriginal().ok();
        assertTrue(r.out().contains("back where it was: orig01 in folder " + FOLDER), r.describe());
        List<VmInfo> back = named("orig01");
        assertEquals(1, back.size());
        assertNotEquals(original.moRef(), back.get(0).moRef(), "a new VM object");
        assertBackWhereItWas(back.get(0));
    }

    @Test
    @Order(3)
    @DisplayName("again: refused while the restored VM exists; --on-conflict overwrite replaces it")
    void overwrite() throws Exception {
        VmInfo first = named("orig01").get(0);
        restoreOriginal().expectFailure(1, "restore", "a VM named orig01 already exists");
        Cairn.Result r = restoreOriginal("--on-conflict", "overwrite").ok();
        assertTrue(r.out().contains("replacing the existing VM orig01 (" + first.moRef() + ")"), r.describe());
        List<VmInfo> back = named("orig01");
        assertEquals(1, back.size());
        assertNotEquals(first.moRef(), back.get(0).moRef());
        assertBackWhereItWas(back.get(0));
    }
}
