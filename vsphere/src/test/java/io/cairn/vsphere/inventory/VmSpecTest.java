package io.cairn.vsphere.inventory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.vmware.vim25.VirtualMachinePowerState;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("VM specs select from a stand-in inventory")
class VmSpecTest {
    static final VmInfo WEB = new VmInfo(
            "web01",
            "vm-10",
            "5001aaaa-0000-0000-0000-000000000001",
            "4201BBBB-0000-0000-0000-000000000001",
            "10.0.0.5",
            List.of("10.0.0.5", "fe80::1"),
            VirtualMachinePowerState.POWERED_ON,
            false,
            "host-1");
    static final VmInfo WEB_UPPER = new VmInfo(
            "WEB01",
            "vm-11",
            "5001aaaa-0000-0000-0000-000000000002",
            "4201bbbb-0000-0000-0000-000000000002",
            null,
            List.of(),
            VirtualMachinePowerState.POWERED_OFF,
            false,
            "host-1");
    static final VmInfo TEMPLATE =
            new VmInfo("tmpl", "vm-12", null, null, null, null, VirtualMachinePowerState.POWERED_OFF, true, null);
    static final VmInfo SUSPENDED = new VmInfo(
            "db",
            "vm-13",
            "5001aaaa-0000-0000-0000-000000000004",
            null,
            "10.0.0.7",
            null,
            VirtualMachinePowerState.SUSPENDED,
            false,
            "host-2");
    static final List<VmInfo> ALL = List.of(WEB, WEB_UPPER, TEMPLATE, SUSPENDED);

    private static List<VmInfo> select(String spec) {
        return VmSpec.parse(spec).select(ALL);
    }

    @Test
    @DisplayName("name: is exact and case-sensitive")
    void name() {
        assertEquals(List.of(WEB), select("name:web01"));
        assertEquals(List.of(WEB_UPPER), select("name:WEB01"));
        assertEquals(List.of(), select("name:web0"));
        assertEquals(VmSpec.Kind.NAME, VmSpec.parse("name:a:b").kind());
    }

    @Test
    @DisplayName("uuid: matches the BIOS or the instance UUID in any case")
    void uuid() {
        assertEquals(List.of(WEB), select("uuid:4201bbbb-0000-0000-0000-000000000001"));
        assertEquals(List.of(WEB), select("uuid:5001AAAA-0000-0000-0000-000000000001"));
        assertEquals(List.of(WEB_UPPER), select("uuid:4201BBBB000000000000000000000002"));
        assertEquals(List.of(), select("uuid:ffffffff-0000-0000-0000-000000000001"));
        assertThrows(IllegalArgumentException.class, () -> VmSpec.parse("uuid:-"));
    }

    @Test
    @DisplayName("moref: takes vm-N or VirtualMachine:vm-N, nothing of another type")
    void moref() {
        assertEquals(List.of(TEMPLATE), select("moref:vm-12"));
        assertEquals(List.of(TEMPLATE), select("moref:VirtualMachine:vm-12"));
        assertThrows(IllegalArgumentException.class, () -> VmSpec.parse("moref:HostSystem:host-1"));
    }

    @Test
    @DisplayName("ipaddr: matches the primary IP or any guest NIC IP")
    void ipaddr() {
        assertEquals(List.of(WEB), select("ipaddr:10.0.0.5"));
        assertEquals(List.of(WEB), select("ipaddr:FE80::1"));
        assertEquals(List.of(SUSPENDED), select("ipaddr:10.0.0.7"));
        assertEquals(List.of(), select("ipaddr:10.0.0.9"));
    }

    @Test
    @DisplayName("powerstate: on, off, suspended")
    void powerstate() {
        assertEquals(List.of(WEB), select("powerstate:on"));
        assertEquals(List.of(WEB_UPPER, TEMPLATE), select("powerstate:off"));
        assertEquals(List.of(SUSPENDED), select("powerstate:Suspended"));
        assertThrows(IllegalArgumentException.class, () -> VmSpec.parse("powerstate:standby"));
    }

    @Test
    @DisplayName("any: selects all, none: selects nothing")
    void anyNone() {
        assertEquals(ALL, select("any:"));
        assertEquals(List.of(), select("none:"));
        assertThrows(IllegalArgumentException.class, () -> VmSpec.parse("any:x"));
    }

    @Test
    @DisplayName("a bare string or an unknown prefix is refused with the list of prefixes")
    void refused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> VmSpec.parse("web01"));
        assertTrue(
                e.getMessage().contains("name:, uuid:, moref:, ipaddr:, powerstate:on|off|suspended, any:, none:"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> VmSpec.parse("vmname:web01"));
        assertTrue(e.getMessage().contains("unknown prefix 'vmname:'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> VmSpec.parse("name:"));
    }
}
