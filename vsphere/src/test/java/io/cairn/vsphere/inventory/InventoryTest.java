package io.cairn.vsphere.inventory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.vmware.vim25.ArrayOfGuestNicInfo;
import com.vmware.vim25.DynamicProperty;
import com.vmware.vim25.GuestNicInfo;
import com.vmware.vim25.ManagedObjectReference;
import com.vmware.vim25.ObjectContent;
import com.vmware.vim25.VirtualMachinePowerState;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Inventory property mapping (stand-in results, no server)")
class InventoryTest {
    /** A VM as the PropertyCollector returns it: its moRef and the given property name/value pairs. */
    static ObjectContent vm(String id, Object... nameValues) {
        ObjectContent oc = new ObjectContent();
        ManagedObjectReference r = new ManagedObjectReference();
        r.setType("VirtualMachine");
        r.setValue(id);
        oc.setObj(r);
        for (int i = 0; i < nameValues.length; i += 2) {
            DynamicProperty dp = new DynamicProperty();
            dp.setName((String) nameValues[i]);
            dp.setVal(nameValues[i + 1]);
            oc.getPropSet().add(dp);
        }
        return oc;
    }

    @Test
    @DisplayName("maps the properties, leaving the missing ones null")
    void mapping() {
        GuestNicInfo nic = new GuestNicInfo();
        nic.getIpAddress().addAll(List.of("10.0.0.5", "10.0.0.6"));
        ArrayOfGuestNicInfo nics = new ArrayOfGuestNicInfo();
        nics.getGuestNicInfo().add(nic);
        ManagedObjectReference host = new ManagedObjectReference();
        host.setType("HostSystem");
        host.setValue("host-7");
        VmInfo v = Inventory.toVmInfo(vm(
                "vm-9",
                "name",
                "web",
                "config.instanceUuid",
                "5001",
                "config.uuid",
                "4201",
                "config.template",
                false,
                "guest.ipAddress",
                "10.0.0.6",
                "guest.net",
                nics,
                "runtime.powerState",
                VirtualMachinePowerState.POWERED_ON,
                "runtime.host",
                host));
        assertEquals(
                new VmInfo(
                        "web",
                        "vm-9",
                        "5001",
                        "4201",
                        "10.0.0.6",
                        List.of("10.0.0.5", "10.0.0.6"),
                        VirtualMachinePowerState.POWERED_ON,
                        false,
                        "host-7"),
                v);

        VmInfo bare = Inventory.toVmInfo(vm("vm-10", "name", "tmpl", "config.template", true));
        assertNull(bare.ipAddress());
        assertNull(bare.powerState());
        assertEquals(List.of(), bare.ipAddresses());
    }
}
