package io.cairn.vsphere.inventory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.vmware.vim25.VirtualMachinePowerState;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
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
            "host-1",
            "[datastore 1] web01/web01.vmx");
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
    @DisplayName("moref: also takes the .vmx datastore path, exact but for the space after the bracket")
    void morefVmxPath() {
        assertEquals(List.of(WEB), select("moref:[datastore 1] web01/web01.vmx"));
        assertEquals(List.of(WEB), select("moref:[datastore 1]web01/web01.vmx"));
        assertEquals(
                VmSpec.Kind.MOREF,
                VmSpec.parse("moref:[datastore 1] web01/web01.vmx").kind());
        assertEquals(List.of(), select("moref:[datastore 1] WEB01/web01.vmx"), "VMFS paths are case-sensitive");
        assertEquals(List.of(), select("moref:[datastore 2] web01/web01.vmx"));
        assertEquals(List.of(), select("moref:[datastore 1] web01/web01.vmx.bak.vmx"));
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> VmSpec.parse("moref:[datastore 1] web01/web01.vmdk"));
        assertTrue(e.getMessage().contains("must name a .vmx file"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> VmSpec.parse("moref:[datastore 1]"));
        assertThrows(IllegalArgumentException.class, () -> VmSpec.parse("moref:[] web01/web01.vmx"));
    }

    @Test
    @DisplayName("ipaddr: takes a DNS name, resolved at selection; a VM reporting any of its addresses matches")
    void ipaddrDnsName() throws Exception {
        VmInfo v4 = new VmInfo("lo4", "vm-20", null, null, "127.0.0.1", null, null, false, null);
        VmInfo v6 = new VmInfo("lo6", "vm-21", null, null, null, List.of("0:0:0:0:0:0:0:1"), null, false, null);
        List<VmInfo> all = new ArrayList<>(ALL);
        all.add(v4);
        all.add(v6);
        // the expectation comes from the machine's own resolver: localhost is 127.0.0.1, and ::1 where
        // the hosts file says so
        List<InetAddress> local = Arrays.asList(InetAddress.getAllByName("localhost"));
        List<VmInfo> want = new ArrayList<>();
        if (local.contains(InetAddress.getByName("127.0.0.1"))) {
            want.add(v4);
        }
        if (local.contains(InetAddress.getByName("::1"))) {
            want.add(v6);
        }
        assertTrue(!want.isEmpty(), "localhost resolves to a loopback address");
        assertEquals(want, VmSpec.parse("ipaddr:localhost").select(all));
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> VmSpec.parse("ipaddr:no-such-host.invalid").select(all));
        assertTrue(e.getMessage().contains("no-such-host.invalid does not resolve"), e.getMessage());
        // parsing never resolves: a schedule can be saved while DNS is down
        assertEquals(
                VmSpec.Kind.IPADDR, VmSpec.parse("ipaddr:no-such-host.invalid").kind());
    }

    @Test
    @DisplayName("ipaddr: refuses what is neither an address nor a DNS name, without asking DNS")
    void ipaddrRefused() {
        assertThrows(IllegalArgumentException.class, () -> VmSpec.parse("ipaddr:999.1.1.1"));
        assertThrows(IllegalArgumentException.class, () -> VmSpec.parse("ipaddr:fe80::zz"));
        assertThrows(IllegalArgumentException.class, () -> VmSpec.parse("ipaddr:web_01!"));
        assertEquals(List.of(WEB), select("ipaddr:[fe80::1]"));
        assertEquals(List.of(WEB), select("ipaddr:fe80:0:0:0:0:0:0:1"), "IPv6 compared as addresses, not text");
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
