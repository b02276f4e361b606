package io.cairn.vsphere.inventory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.vmware.vim25.ArrayOfGuestNicInfo;
import com.vmware.vim25.DynamicProperty;
import com.vmware.vim25.GuestNicInfo;
import com.vmware.vim25.ManagedObjectReference;
import com.vmware.vim25.ObjectContent;
import com.vmware.vim25.RetrieveResult;
import com.vmware.vim25.VirtualMachinePowerState;
import io.cairn.vsphere.connect.VsphereException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Inventory paging and property mapping (stand-in results, no server)")
class InventoryTest {
    private static ObjectContent vm(String id, Object... nameValues) {
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

    private static RetrieveResult page(String token, ObjectContent... objects) {
        RetrieveResult r = new RetrieveResult();
        r.setToken(token);
        r.getObjects().addAll(List.of(objects));
        return r;
    }

    @Test
    @DisplayName("follows the token chain with ContinueRetrievePropertiesEx until a page has no token")
    void continuation() throws Exception {
        Map<String, RetrieveResult> server = Map.of(
                "t1", page("t2", vm("vm-2")),
                "t2", page(null, vm("vm-3"), vm("vm-4")));
        List<String> asked = new ArrayList<>();
        List<ObjectContent> all = Inventory.retrieveAll(page("t1", vm("vm-1")), token -> {
            asked.add(token);
            return server.get(token);
        });
        assertEquals(List.of("t1", "t2"), asked);
        assertEquals(
                List.of("vm-1", "vm-2", "vm-3", "vm-4"),
                all.stream().map(o -> o.getObj().getValue()).toList());
    }

    @Test
    @DisplayName("a result without token (vcsim) needs no continuation; a null result is empty")
    void singlePage() throws Exception {
        Inventory.Continuation never = token -> {
            throw new AssertionError("continued with " + token);
        };
        assertEquals(1, Inventory.retrieveAll(page(null, vm("vm-1")), never).size());
        assertEquals(0, Inventory.retrieveAll(null, never).size());
    }

    @Test
    @DisplayName("a server that repeats a token is an error, not an endless loop")
    void repeatedToken() {
        assertThrows(VsphereException.class, () -> Inventory.retrieveAll(page("t", vm("vm-1")), token -> page("t")));
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
