package io.cairn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.vmware.vim25.ManagedObjectReference;
import com.vmware.vim25.VirtualDevice;
import com.vmware.vim25.VirtualDeviceConfigSpec;
import com.vmware.vim25.VirtualDeviceConfigSpecFileOperation;
import com.vmware.vim25.VirtualDeviceConfigSpecOperation;
import com.vmware.vim25.VirtualDisk;
import com.vmware.vim25.VirtualDiskFlatVer2BackingInfo;
import com.vmware.vim25.VirtualDiskRawDiskMappingVer1BackingInfo;
import com.vmware.vim25.VirtualMachineConfigSpec;
import io.cairn.vsphere.backup.Snapshots;
import io.cairn.vsphere.connect.VsphereConnection;
import io.cairn.vsphere.datastore.DatastoreClient;
import io.cairn.vsphere.task.Tasks;
import io.cairn.vsphere.testing.SimVms;
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
 * One odd disk does not fail the VM, by the real cairn jar against vcsim: an independent disk and a
 * physical-mode RDM are left out of the backup with a warning kept in the manifest (and shown by
 * {@code list}), the VM's other disk is backed up and restores bit-exact, and the RDM is re-created
 * on a free LUN (vcsim's QueryConfigTarget, with cairn's patch, lists its hosts' LUNs). What only
 * VixDiskLib reads — a virtual-mode RDM, a VM with snapshots of its own — is refused over https in
 * one line naming the transports that can, leaving no snapshot behind.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OddDisksIT {
    private static final Map<String, String> ENV = Simulator.ENV;
    /** vcsim's one SCSI disk on every host (simulator/esx/host_storage_device_info.go). */
    private static final String LUN_UUID = "0000000000766d686261303a303a30";

    private static final String LUN_DEVICE = "/vmfs/devices/disks/mpx.vmhba0:C0:T0:L0";

    @TempDir
    static Path tmp;

    static final Cairn cairn = new Cairn();
    static Simulator sim;
    static VsphereConnection vc;
    static DatastoreClient ds;
    static Path repo;

    @BeforeAll
    static void setUp() throws Exception {
        sim = Simulator.start();
        vc = sim.vc;
        ds = sim.ds;
        repo = tmp.resolve("repo");
        cairn.init(repo);
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

    /** A VM whose second disk (bus 1) is then made odd by {@code change}; returns its first disk's image. */
    private static Path vm(String name, long seed, java.util.function.Consumer<VirtualDisk> change) throws Exception {
        Path d0 = tmp.resolve(name + "-disk0.img");
        Util.mixedImage(d0, 4L << 20, seed);
        Path d1 = tmp.resolve(name + "-disk1.img");
        Util.randomFile(d1, 2L << 20, seed + 1);
        SimVms.createVm(vc, ds, "DC0", "DC0/host/DC0_H0/DC0_H0", name, new Path[] {d0, d1}, tmp, true);
        ManagedObjectReference ref = SimVms.vm(vc, name).ref();
        VirtualDisk second = SimVms.disks(SimVms.config(vc, ref)).get(1);
        VirtualMachineConfigSpec spec = new VirtualMachineConfigSpec();
        change.accept(second);
        VirtualDeviceConfigSpec edit = new VirtualDeviceConfigSpec();
        edit.setOperation(VirtualDeviceConfigSpecOperation.EDIT);
        edit.setDevice(second);
        spec.getDeviceChange().add(edit);
        Tasks.await(vc, vc.port().reconfigVMTask(ref, spec), null);
        return d0;
    }

    /** Replaces the VM's second disk by a raw device mapping of vcsim's LUN in {@code mode}. */
    private static void rdm(String name, String mode) throws Exception {
        ManagedObjectReference ref = SimVms.vm(vc, name).ref();
        VirtualDisk second = SimVms.disks(SimVms.config(vc, ref)).get(1);
        VirtualMachineConfigSpec spec = new VirtualMachineConfigSpec();
        VirtualDeviceConfigSpec remove = new VirtualDeviceConfigSpec();
        remove.setOperation(VirtualDeviceConfigSpecOperation.REMOVE);
        remove.setDevice(second);
        spec.getDeviceChange().add(remove);
        VirtualDisk d = new VirtualDisk();
        d.setKey(-5);
        d.setControllerKey(second.getControllerKey());
        d.setUnitNumber(second.getUnitNumber());
        d.setCapacityInKB(1024);
        VirtualDiskRawDiskMappingVer1BackingInfo b = new VirtualDiskRawDiskMappingVer1BackingInfo();
        b.setFileName("[LocalDS_0]");
        b.setDeviceName(LUN_DEVICE);
        b.setLunUuid(LUN_UUID);
        b.setCompatibilityMode(mode);
        b.setDiskMode("physicalMode".equals(mode) ? "independent_persistent" : "persistent");
        d.setBacking(b);
        VirtualDeviceConfigSpec add = new VirtualDeviceConfigSpec();
        add.setOperation(VirtualDeviceConfigSpecOperation.ADD);
        add.setFileOperation(VirtualDeviceConfigSpecFileOperation.CREATE);
        add.setDevice(d);
        spec.getDeviceChange().add(add);
        Tasks.await(vc, vc.port().reconfigVMTask(ref, spec), null);
        VirtualDevice now = SimVms.disks(SimVms.config(vc, ref)).get(1);
        assertInstanceOf(VirtualDiskRawDiskMappingVer1BackingInfo.class, now.getBacking(), "fixture: an RDM");
    }

    private static JsonNode latest(String vm) {
        JsonNode last = null;
        for (JsonNode b : cairn.run("list", "--repo", repo.toString(), "--vm", vm, "--json")
                .ok()
                .json()) {
            last = b;
        }
        return last;
    }

    private static Cairn.Result restoreAsNew(String backup, String name) {
        return cairn.run(
                        ENV,
                        vcArgs(
                                "restore",
                                "--repo",
                                repo.toString(),
                                backup,
                                "--as-new",
                                name,
                                "--datastore",
                                "LocalDS_0"))
                .ok();
    }

    @Test
    @Order(1)
    @DisplayName(
            "an independent disk is left out with a warning kept in the manifest; the other disk restores bit-exact")
    void independentDisk() throws Exception {
        Path d0 = vm(
                "odd01",
                81,
                d -> ((VirtualDiskFlatVer2BackingInfo) d.getBacking()).setDiskMode("independent_persistent"));
        Cairn.Result r = cairn.run(ENV, vcArgs("backup", "--repo", repo.toString(), "--vm", "name:odd01"))
                .ok();
        assertTrue(r.out().contains("warning: ") && r.out().contains("is independent-persistent"), r.describe());
        JsonNode b = latest("odd01");
        assertEquals(1, b.get("disks").size(), "only the dependent disk is in the backup");
        assertEquals(1, b.get("warnings").size(), b.toString());
        assertTrue(b.get("warnings").get(0).asText().contains("left out of the backup of odd01"), b.toString());
        Cairn.Result list =
                cairn.run("list", "--repo", repo.toString(), "--vm", "odd01").ok();
        assertTrue(
                list.out().contains("  warning: ") && list.out().contains("independent-persistent"), list.describe());

        Cairn.Result restored = restoreAsNew("odd01@latest", "odd01-copy");
        assertTrue(restored.out().contains("was left out of the backup"), restored.describe());
        List<VirtualDisk> disks =
                SimVms.disks(SimVms.config(vc, SimVms.vm(vc, "odd01-copy").ref()));
        assertEquals(2, disks.size(), "the VM is re-created with both disks, the left-out one empty");
        assertEquals(Util.sha256(d0), SimVms.sha256(ds, disks.get(0)));
    }

    @Test
    @Order(2)
    @DisplayName("a VM with snapshots of its own is refused over https in one line naming the VDDK transports")
    void ownSnapshots() throws Exception {
        ManagedObjectReference ref = SimVms.vm(vc, "odd01").ref();
        ManagedObjectReference mine = Snapshots.create(vc, ref, "before-upgrade", "the admin's own", false);
        try {
            cairn.run(ENV, vcArgs("backup", "--repo", repo.toString(), "--vm", "name:odd01"))
                    .expectFailure(
                            1,
                            "backup",
                            "has snapshots of its own (before-upgrade)",
                            "--transport nbd, nbdssl, hotadd or san");
            assertEquals(List.of("before-upgrade"), Snapshots.others(vc, ref));
            assertTrue(Snapshots.leftovers(vc, ref).isEmpty(), "no cairn snapshot taken or left");
        } finally {
            Snapshots.remove(vc, mine);
        }
    }

    @Test
    @Order(3)
    @DisplayName("a physical-mode RDM is left out with a warning, and the restore re-creates it on a free LUN")
    void physicalRdm() throws Exception {
        Path d0 = vm("prdm01", 91, d -> {});
        rdm("prdm01", "physicalMode");
        Cairn.Result r = cairn.run(ENV, vcArgs("backup", "--repo", repo.toString(), "--vm", "name:prdm01"))
                .ok();
        assertTrue(r.out().contains("physical-mode raw device mapping (LUN " + LUN_UUID + ")"), r.describe());
        JsonNode b = latest("prdm01");
        assertEquals(1, b.get("disks").size());
        assertEquals(1, b.get("warnings").size(), b.toString());

        restoreAsNew("prdm01@latest", "prdm01-copy");
        List<VirtualDisk> disks =
                SimVms.disks(SimVms.config(vc, SimVms.vm(vc, "prdm01-copy").ref()));
        assertEquals(2, disks.size());
        assertEquals(Util.sha256(d0), SimVms.sha256(ds, disks.get(0)));
        var rdm = assertInstanceOf(
                VirtualDiskRawDiskMappingVer1BackingInfo.class, disks.get(1).getBacking());
        assertEquals("physicalMode", rdm.getCompatibilityMode());
        assertEquals(LUN_UUID, rdm.getLunUuid(), "mapped to the free LUN QueryConfigTarget offered");
        assertEquals(LUN_DEVICE, rdm.getDeviceName());
    }

    @Test
    @Order(4)
    @DisplayName("a virtual-mode RDM is refused over https in one line naming the VDDK transports; nothing stored")
    void virtualRdm() throws Exception {
        vm("vrdm01", 101, d -> {});
        rdm("vrdm01", "virtualMode");
        cairn.run(ENV, vcArgs("backup", "--repo", repo.toString(), "--vm", "name:vrdm01"))
                .expectFailure(
                        1, "backup", "virtual-mode raw device mapping", "--transport nbd, nbdssl, hotadd or san");
        List<String> vms = new ArrayList<>();
        cairn.run("list", "--repo", repo.toString(), "--json")
                .ok()
                .json()
                .forEach(n -> vms.add(n.get("vm").asText()));
        assertTrue(!vms.contains("vrdm01"), vms.toString());
        assertTrue(Snapshots.leftovers(vc, SimVms.vm(vc, "vrdm01").ref()).isEmpty(), "its snapshot was removed");
    }
}
