package io.cairn.vsphere.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.vmware.vim25.ManagedObjectReference;
import com.vmware.vim25.VirtualController;
import com.vmware.vim25.VirtualDevice;
import com.vmware.vim25.VirtualDisk;
import com.vmware.vim25.VirtualMachineConfigInfo;
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

    @BeforeAll
    static void start() throws Exception {
        vc = VcsimSession.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (vc != null) {
            vc.close();
        }
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
    @DisplayName("the recorded vcsim VM re-created with its distributed portgroup resolved")
    void recorded() throws Exception {
        VirtualMachineConfigInfo stored = Fixtures.load(Fixtures.RECORDED);
        Recreate r = ConfigSpecBuilder.build(
                stored,
                RecreateOptions.of("recreated-recorded", "LocalDS_0")
                        .withPortgroupResolver((sw, pg) -> Optional.of(new PortgroupResolver.Portgroup(sw, pg))));
        ManagedObjectReference dc = vc.byName("Datacenter").get("DC0");
        ManagedObjectReference folder = (ManagedObjectReference) vc.property(dc, "vmFolder");
        ManagedObjectReference host = vc.byName("HostSystem").get("DC0_H0");
        ManagedObjectReference cr = (ManagedObjectReference) vc.property(host, "parent");
        ManagedObjectReference pool = (ManagedObjectReference) vc.property(cr, "resourcePool");
        ManagedObjectReference vm =
                (ManagedObjectReference) vc.waitForTask(vc.port.createVMTask(folder, r.spec(), pool, host));
        VirtualMachineConfigInfo created = (VirtualMachineConfigInfo) vc.property(vm, "config");
        assertEquals(
                layout(stored.getHardware().getDevice()),
                layout(created.getHardware().getDevice()));
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
