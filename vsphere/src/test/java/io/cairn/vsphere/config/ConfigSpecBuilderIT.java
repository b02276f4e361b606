package io.cairn.vsphere.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.vmware.vim25.ManagedObjectReference;
import com.vmware.vim25.VirtualController;
import com.vmware.vim25.VirtualDevice;
import com.vmware.vim25.VirtualDisk;
import com.vmware.vim25.VirtualEthernetCard;
import com.vmware.vim25.VirtualEthernetCardDistributedVirtualPortBackingInfo;
import com.vmware.vim25.VirtualEthernetCardNetworkBackingInfo;
import com.vmware.vim25.VirtualMachineConfigInfo;
import io.cairn.vsphere.connect.ConnectOptions;
import io.cairn.vsphere.connect.VsphereConnection;
import io.cairn.vsphere.inventory.Networks;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** CreateVM_Task on vcsim with specs built from stored ConfigInfo documents. Fails, never skips, without vcsim. */
@DisplayName("vcsim creates a VM from a spec built from a stored ConfigInfo")
class ConfigSpecBuilderIT {

    private static VcsimSession vc;
    private static VsphereConnection conn;

    @BeforeAll
    static void start() throws Exception {
        vc = VcsimSession.start();
        conn = VsphereConnection.connect(new ConnectOptions(
                URI.create(vc.vcsim.url()), "user", "pass".toCharArray(), VcsimSession.VCSIM_SHA1, false));
    }

    @AfterAll
    static void stop() throws Exception {
        if (conn != null) {
            conn.close();
        }
        if (vc != null) {
            vc.close();
        }
    }

    /** Creates the VM on DC0_H0 (a member of the simulator's distributed switch) and returns its config. */
    private static VirtualMachineConfigInfo create(Recreate r) throws Exception {
        ManagedObjectReference dc = vc.byName("Datacenter").get("DC0");
        ManagedObjectReference folder = (ManagedObjectReference) vc.property(dc, "vmFolder");
        ManagedObjectReference host = vc.byName("HostSystem").get("DC0_H0");
        ManagedObjectReference cr = (ManagedObjectReference) vc.property(host, "parent");
        ManagedObjectReference pool = (ManagedObjectReference) vc.property(cr, "resourcePool");
        ManagedObjectReference vm =
                (ManagedObjectReference) vc.waitForTask(vc.port.createVMTask(folder, r.spec(), pool, host));
        return (VirtualMachineConfigInfo) vc.property(vm, "config");
    }

    private static VirtualEthernetCard nic(VirtualMachineConfigInfo c) {
        return (VirtualEthernetCard) c.getHardware().getDevice().stream()
                .filter(d -> d instanceof VirtualEthernetCard)
                .findFirst()
                .orElseThrow();
    }

    private static TargetNetworks dc0() throws Exception {
        return Networks.of(conn, vc.byName("Datacenter").get("DC0"));
    }

    @Test
    @DisplayName("two disks on two SCSI controllers and a NIC: same types, controller/unit layout and capacities")
    void twoDisksAndNic() throws Exception {
        VirtualMachineConfigInfo stored = Fixtures.load(Fixtures.TWO_DISKS);
        Recreate r = ConfigSpecBuilder.build(
                stored,
                RecreateOptions.of("recreated-two-disks", "LocalDS_0")
                        .withNetworkMap(Map.of("VM Network", "VM Network"), false));

        ManagedObjectReference dc = vc.byName("Datacenter").get("DC0");
        ManagedObjectReference folder = (ManagedObjectReference) vc.property(dc, "vmFolder");
        ManagedObjectReference host = vc.byName("HostSystem").get("DC0_H0");
        ManagedObjectReference cr = (ManagedObjectReference) vc.property(host, "parent");
        ManagedObjectReference pool = (ManagedObjectReference) vc.property(cr, "resourcePool");

        ManagedObjectReference task = vc.port.createVMTask(folder, r.spec(), pool, host);
        ManagedObjectReference vm = (ManagedObjectReference) vc.waitForTask(task);
        VirtualMachineConfigInfo created = (VirtualMachineConfigInfo) vc.property(vm, "config");

        assertEquals(
                layout(stored.getHardware().getDevice()),
                layout(created.getHardware().getDevice()));
        assertEquals("recreated-two-disks", created.getName());
        assertEquals(stored.getHardware().getNumCPU(), created.getHardware().getNumCPU());
        assertEquals(stored.getHardware().getMemoryMB(), created.getHardware().getMemoryMB());
    }

    @Test
    @DisplayName("the recorded vcsim VM re-created, its NIC on the same distributed portgroup found by name")
    void recorded() throws Exception {
        VirtualMachineConfigInfo stored = Fixtures.load(Fixtures.RECORDED);
        VirtualMachineConfigInfo created = create(ConfigSpecBuilder.build(
                stored,
                RecreateOptions.of("recreated-recorded", "LocalDS_0")
                        .withNetworkMap(Map.of(), true)
                        .withNetworks(dc0(), Map.of())));
        assertEquals(
                layout(stored.getHardware().getDevice()),
                layout(created.getHardware().getDevice()));
        var stor = (VirtualEthernetCardDistributedVirtualPortBackingInfo)
                nic(stored).getBacking();
        var made = (VirtualEthernetCardDistributedVirtualPortBackingInfo)
                nic(created).getBacking();
        assertEquals(stor.getPort().getPortgroupKey(), made.getPort().getPortgroupKey());
        assertEquals(stor.getPort().getSwitchUuid(), made.getPort().getSwitchUuid());
    }

    @Test
    @DisplayName("the simulator's networks: the standard VM Network and DC0_DVPG0 with its key and switch uuid")
    void networks() throws Exception {
        TargetNetworks n = dc0();
        assertEquals(List.of(new TargetNetworks.Standard("VM Network")), n.byName("VM Network"));
        TargetNetworks.Distributed pg =
                (TargetNetworks.Distributed) n.byName("DC0_DVPG0").get(0);
        ManagedObjectReference pgRef = vc.byName("DistributedVirtualPortgroup").get("DC0_DVPG0");
        assertEquals(pgRef.getValue(), pg.portgroupKey());
        assertEquals(vc.property(vc.byName("DistributedVirtualSwitch").get("DVS0"), "uuid"), pg.switchUuid());
        // the recorded default VM's NIC names exactly this portgroup
        assertEquals(Optional.of("DC0_DVPG0"), n.portgroupName(pg.switchUuid(), "dvportgroup-13"));
    }

    @Test
    @DisplayName("the default VM's distributed NIC moves to the standard VM Network and back onto DC0_DVPG0")
    void distributedAndStandardBothWays() throws Exception {
        TargetNetworks n = dc0();
        TargetNetworks.Distributed pg =
                (TargetNetworks.Distributed) n.byName("DC0_DVPG0").get(0);
        VirtualMachineConfigInfo toStd = create(ConfigSpecBuilder.build(
                Fixtures.load(Fixtures.RECORDED),
                RecreateOptions.of("dvs-to-std", "LocalDS_0")
                        .withNetworkMap(Map.of("DC0_DVPG0", "VM Network"), false)
                        .withNetworks(n, Map.of())));
        var std = (VirtualEthernetCardNetworkBackingInfo) nic(toStd).getBacking();
        assertEquals("VM Network", std.getDeviceName());
        VirtualMachineConfigInfo toDvs = create(ConfigSpecBuilder.build(
                Fixtures.load(Fixtures.TWO_DISKS),
                RecreateOptions.of("std-to-dvs", "LocalDS_0")
                        .withNetworkMap(Map.of("VM Network", "DC0_DVPG0"), false)
                        .withNetworks(n, Map.of())));
        var dv = (VirtualEthernetCardDistributedVirtualPortBackingInfo)
                nic(toDvs).getBacking();
        assertEquals(pg.switchUuid(), dv.getPort().getSwitchUuid());
        assertEquals(pg.portgroupKey(), dv.getPort().getPortgroupKey());
    }

    /** Non-default devices as "type @ controllerType busNumber : unit [capacity]", sorted. */
    static List<String> layout(List<VirtualDevice> devices) {
        Map<Integer, VirtualDevice> byKey = new HashMap<>();
        devices.forEach(d -> byKey.put(d.getKey(), d));
        List<String> out = new ArrayList<>();
        for (VirtualDevice d : devices) {
            if (ConfigSpecBuilder.isDefaultDevice(d)) {
                continue;
            }
            VirtualDevice c = d.getControllerKey() == null ? null : byKey.get(d.getControllerKey());
            String where = c == null
                    ? String.valueOf(d.getControllerKey())
                    : c.getClass().getSimpleName() + " "
                            + (c instanceof VirtualController vc ? vc.getBusNumber() : "?");
            String s = d.getClass().getSimpleName() + " @ " + where + ":" + d.getUnitNumber()
                    + (d instanceof VirtualController vc ? " bus " + vc.getBusNumber() : "")
                    + (d instanceof VirtualDisk disk ? " " + disk.getCapacityInKB() + " KB" : "");
            out.add(s);
        }
        out.sort(null);
        return out;
    }
}
