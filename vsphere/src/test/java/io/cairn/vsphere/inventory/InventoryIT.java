package io.cairn.vsphere.inventory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.vmware.vim25.VirtualMachinePowerState;
import io.cairn.vsphere.connect.ConnectOptions;
import io.cairn.vsphere.connect.VsphereConnection;
import io.cairn.vsphere.testing.Vcsim;
import java.net.URI;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The inventory of vcsim's default model")
class InventoryIT {
    private static Vcsim vcsim;
    private static VsphereConnection c;

    @BeforeAll
    static void start() throws Exception {
        vcsim = Vcsim.start();
        c = VsphereConnection.connect(
                new ConnectOptions(URI.create(vcsim.url()), "user", "pass".toCharArray(), Vcsim.SHA1, false));
    }

    @AfterAll
    static void stop() throws Exception {
        if (c != null) {
            c.close();
        }
        if (vcsim != null) {
            vcsim.close();
        }
    }

    @Test
    @DisplayName("lists the 4 VMs with instanceUuid, BIOS uuid, power state and host")
    void vms() throws Exception {
        List<VmInfo> vms = Inventory.vms(c);
        assertEquals(
                List.of("DC0_C0_RP0_VM0", "DC0_C0_RP0_VM1", "DC0_H0_VM0", "DC0_H0_VM1"),
                vms.stream().map(VmInfo::name).toList());
        for (VmInfo v : vms) {
            assertNotNull(v.instanceUuid(), v.toString());
            assertNotNull(v.biosUuid(), v.toString());
            assertEquals(VirtualMachinePowerState.POWERED_ON, v.powerState(), v.toString());
            assertEquals(Boolean.FALSE, v.template(), v.toString());
            assertTrue(v.moRef().startsWith("vm-"), v.toString());
            assertNotNull(v.host(), v.toString());
        }
        assertEquals(
                4,
                vms.stream()
                        .map(VmInfo::instanceUuid)
                        .collect(Collectors.toSet())
                        .size());
    }

    @Test
    @DisplayName("specs name:, uuid:, moref:, powerstate:, any:, none: select the right VMs")
    void specs() throws Exception {
        List<VmInfo> vms = Inventory.vms(c);
        VmInfo h0vm1 = vms.stream()
                .filter(v -> v.name().equals("DC0_H0_VM1"))
                .findFirst()
                .orElseThrow();
        assertEquals(List.of(h0vm1), VmSpec.parse("name:DC0_H0_VM1").select(vms));
        assertEquals(List.of(), VmSpec.parse("name:dc0_h0_vm1").select(vms));
        assertEquals(
                List.of(h0vm1),
                VmSpec.parse("uuid:" + h0vm1.instanceUuid().toUpperCase()).select(vms));
        assertEquals(List.of(h0vm1), VmSpec.parse("uuid:" + h0vm1.biosUuid()).select(vms));
        assertEquals(List.of(h0vm1), VmSpec.parse("moref:" + h0vm1.moRef()).select(vms));
        assertEquals(
                List.of(h0vm1),
                VmSpec.parse("moref:VirtualMachine:" + h0vm1.moRef()).select(vms));
        assertEquals(vms, VmSpec.parse("powerstate:on").select(vms));
        assertEquals(List.of(), VmSpec.parse("powerstate:off").select(vms));
        assertEquals(vms, VmSpec.parse("any:").select(vms));
        assertEquals(List.of(), VmSpec.parse("none:").select(vms));
        if (h0vm1.ipAddress() != null) {
            assertTrue(VmSpec.parse("ipaddr:" + h0vm1.ipAddress()).select(vms).contains(h0vm1));
        }
        assertEquals(Set.copyOf(vms), Set.copyOf(VmSpec.parse("any:").select(vms)));
    }
}
