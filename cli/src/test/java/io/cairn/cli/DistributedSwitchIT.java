package io.cairn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.vmware.vim25.ManagedObjectReference;
import com.vmware.vim25.VirtualDisk;
import com.vmware.vim25.VirtualEthernetCard;
import com.vmware.vim25.VirtualEthernetCardDistributedVirtualPortBackingInfo;
import com.vmware.vim25.VirtualEthernetCardNetworkBackingInfo;
import com.vmware.vim25.VirtualMachineConfigInfo;
import io.cairn.vsphere.connect.VsphereConnection;
import io.cairn.vsphere.datastore.DatastoreClient;
import io.cairn.vsphere.datastore.DatastorePath;
import io.cairn.vsphere.testing.SimVms;
import java.io.InputStream;
import java.nio.file.Files;
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
 * The simulator's own default VM DC0_H0_VM0, whose NIC is on the distributed portgroup DC0_DVPG0
 * (as most enterprise VMs are), backed up and re-created {@code --as-new} by the real cairn jar:
 * the NIC lands on the target's portgroup of that name (its key and switch uuid), and with
 * {@code --network-map} moves from the distributed portgroup to the standard "VM Network" and a
 * standard NIC onto the portgroup. vcsim's default VMs have empty (0-byte) disks, so the test first
 * writes a known 1 MiB image over DC0_H0_VM0's disk through the datastore (a qemu-img
 * monolithicFlat pair); identity of bytes is checked by SHA-256 of the re-created disk read back
 * over the datastore against that image.
 *
 * <p>The re-creation tests need {@code VmRestore.asNew} to pass the target's networks to the
 * config builder (phase 2 of issue 14, see docs/vsphere.md); until then they fail with "cannot be
 * mapped without the target's inventory", which is the bug the issue reports.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DistributedSwitchIT {
    private static final Map<String, String> ENV = Simulator.ENV;

    @TempDir
    static Path tmp;

    static final Cairn cairn = new Cairn();
    static Simulator sim;
    static VsphereConnection vc;
    static DatastoreClient ds;
    static Path repo;
    static Path image;
    static Path std0;
    static Path std1;

    @BeforeAll
    static void setUp() throws Exception {
        sim = Simulator.start();
        vc = sim.vc;
        ds = sim.ds;
        // DC0_H0_VM0's disk: 1 MiB (capacityInKB 1024), an empty file in vcsim; now known bytes
        VirtualDisk disk = SimVms.disks(
                        SimVms.config(vc, SimVms.vm(vc, "DC0_H0_VM0").ref()))
                .get(0);
        image = tmp.resolve("dc0-h0-vm0.img");
        Util.randomFile(image, disk.getCapacityInKB() * 1024, 61);
        DatastorePath desc = DatastorePath.parse(
                ((com.vmware.vim25.VirtualDiskFlatVer2BackingInfo) disk.getBacking()).getFileName());
        Path local = Files.createDirectories(tmp.resolve("vmdk")).resolve(desc.fileName());
        Util.sh(
                "qemu-img",
                "convert",
                "-f",
                "raw",
                "-O",
                "vmdk",
                "-o",
                "subformat=monolithicFlat",
                image.toString(),
                local.toString());
        Path flat = local.resolveSibling(desc.fileName().replace(".vmdk", "-flat.vmdk"));
        try (InputStream in = Files.newInputStream(flat)) {
            ds.upload(desc.resolveSibling(flat.getFileName().toString()), in, Files.size(flat));
        }
        SimVms.uploadVerified(ds, desc, local);
        assertEquals(Util.sha256(image), SimVms.sha256(ds, disk), "fixture: DC0_H0_VM0's disk holds the image");
        // and a VM on the standard VM Network, to move onto the portgroup
        std0 = tmp.resolve("std-disk0.img");
        Util.randomFile(std0, 2L << 20, 62);
        std1 = tmp.resolve("std-disk1.img");
        Util.randomFile(std1, 1L << 20, 63);
        SimVms.createVm(vc, ds, "DC0", "DC0/host/DC0_H0/DC0_H0", "std01", new Path[] {std0, std1}, tmp, true);
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

    private static VirtualEthernetCard nic(VirtualMachineConfigInfo c) {
        return (VirtualEthernetCard) c.getHardware().getDevice().stream()
                .filter(d -> d instanceof VirtualEthernetCard)
                .findFirst()
                .orElseThrow();
    }

    /** DC0_DVPG0's key and its switch's uuid, read from the simulator's inventory. */
    private static String[] dvpg0() throws Exception {
        ManagedObjectReference pg =
                vc.port().findByInventoryPath(vc.serviceContent().getSearchIndex(), "DC0/network/DC0_DVPG0");
        String key = (String) io.cairn.vsphere.connect.Props.one(vc, pg, "key");
        ManagedObjectReference sw =
                (ManagedObjectReference) io.cairn.vsphere.connect.Props.one(vc, pg, "config.distributedVirtualSwitch");
        return new String[] {key, (String) io.cairn.vsphere.connect.Props.one(vc, sw, "uuid")};
    }

    private static VirtualMachineConfigInfo restored(String backup, String name, String... more) throws Exception {
        List<String> a = new ArrayList<>(
                List.of("restore", "--repo", repo.toString(), backup, "--as-new", name, "--datastore", "LocalDS_0"));
        a.addAll(List.of(more));
        cairn.run(ENV, vcArgs(a.toArray(String[]::new))).ok();
        return SimVms.config(vc, SimVms.vm(vc, name).ref());
    }

    @Test
    @Order(1)
    @DisplayName("the default VM DC0_H0_VM0 (NIC on distributed portgroup DC0_DVPG0) backs up")
    void backup() {
        cairn.run(ENV, vcArgs("backup", "--repo", repo.toString(), "--vm", "name:DC0_H0_VM0"))
                .ok();
        cairn.run(ENV, vcArgs("backup", "--repo", repo.toString(), "--vm", "name:std01"))
                .ok();
    }

    @Test
    @Order(2)
    @DisplayName("re-created as new: its NIC on the target's DC0_DVPG0 (key, switch uuid), its disk byte for byte")
    void asNewOnPortgroup() throws Exception {
        VirtualMachineConfigInfo c = restored("DC0_H0_VM0@latest", "dvs-copy");
        var b = assertInstanceOf(VirtualEthernetCardDistributedVirtualPortBackingInfo.class, nic(c).getBacking());
        String[] pg = dvpg0();
        assertEquals(pg[0], b.getPort().getPortgroupKey());
        assertEquals(pg[1], b.getPort().getSwitchUuid());
        assertEquals(Util.sha256(image), SimVms.sha256(ds, SimVms.disks(c).get(0)));
    }

    @Test
    @Order(3)
    @DisplayName("--network-map DC0_DVPG0=VM Network: distributed to standard")
    void distributedToStandard() throws Exception {
        VirtualMachineConfigInfo c =
                restored("DC0_H0_VM0@latest", "dvs-to-std", "--network-map", "DC0_DVPG0=VM Network");
        var b = assertInstanceOf(VirtualEthernetCardNetworkBackingInfo.class, nic(c).getBacking());
        assertEquals("VM Network", b.getDeviceName());
        assertEquals(Util.sha256(image), SimVms.sha256(ds, SimVms.disks(c).get(0)));
    }

    @Test
    @Order(4)
    @DisplayName("--network-map VM Network=DC0_DVPG0: standard to distributed")
    void standardToDistributed() throws Exception {
        VirtualMachineConfigInfo c = restored("std01@latest", "std-to-dvs", "--network-map", "VM Network=DC0_DVPG0");
        var b = assertInstanceOf(VirtualEthernetCardDistributedVirtualPortBackingInfo.class, nic(c).getBacking());
        String[] pg = dvpg0();
        assertEquals(pg[0], b.getPort().getPortgroupKey());
        assertEquals(pg[1], b.getPort().getSwitchUuid());
        List<VirtualDisk> d = SimVms.disks(c);
        assertEquals(Util.sha256(std0), SimVms.sha256(ds, d.get(0)));
        assertEquals(Util.sha256(std1), SimVms.sha256(ds, d.get(1)));
    }
}
