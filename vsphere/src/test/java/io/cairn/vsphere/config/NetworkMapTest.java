package io.cairn.vsphere.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.vmware.vim25.VirtualDeviceBackingInfo;
import com.vmware.vim25.VirtualDeviceConfigSpec;
import com.vmware.vim25.VirtualEthernetCard;
import com.vmware.vim25.VirtualEthernetCardDistributedVirtualPortBackingInfo;
import com.vmware.vim25.VirtualEthernetCardNetworkBackingInfo;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * NICs on standard networks and distributed portgroups, mapped by name in both directions. The
 * stored VMs are {@code two-disks-nic.xml} (an E1000 on the standard "VM Network") and vcsim's
 * default VM (an E1000 on distributed portgroup dvportgroup-13 of switch fea97929-…, named
 * "DC0_DVPG0" in that vCenter).
 */
@DisplayName("The network map takes standard networks and distributed portgroups by name, both ways")
class NetworkMapTest {
    static final String OLD_SWITCH = "fea97929-4b2d-5972-b146-930c6d0b4014";

    /** The vCenter the recorded VM came from: its portgroup, the uplinks, a standard network. */
    static final TargetNetworks SAME_VCENTER = TargetNetworks.of(List.of(
            new TargetNetworks.Standard("VM Network"),
            new TargetNetworks.Distributed("DC0_DVPG0", OLD_SWITCH, "dvportgroup-13"),
            new TargetNetworks.Distributed("DVS0-DVUplinks-11", OLD_SWITCH, "dvportgroup-12")));

    /** Another vCenter: the same portgroup name on another switch with another key, plus more. */
    static final TargetNetworks OTHER_VCENTER = TargetNetworks.of(List.of(
            new TargetNetworks.Standard("VM Network"),
            new TargetNetworks.Standard("Backup LAN"),
            new TargetNetworks.Distributed("DC0_DVPG0", "50 2a aa bb", "dvportgroup-4711"),
            new TargetNetworks.Distributed("Prod", "50 2a aa bb", "dvportgroup-4712")));

    private static VirtualDeviceBackingInfo nic(String fixture, RecreateOptions o) throws RecreateException {
        Recreate r = ConfigSpecBuilder.build(Fixtures.load(fixture), o);
        return r.spec().getDeviceChange().stream()
                .map(VirtualDeviceConfigSpec::getDevice)
                .filter(d -> d instanceof VirtualEthernetCard)
                .findFirst()
                .orElseThrow()
                .getBacking();
    }

    private static RecreateOptions opts(TargetNetworks target, Map<String, String> map) {
        return RecreateOptions.of("x", "LocalDS_0").withNetworkMap(map, true).withNetworks(target, Map.of());
    }

    private static void assertDistributed(VirtualDeviceBackingInfo b, String switchUuid, String key) {
        var d = assertInstanceOf(VirtualEthernetCardDistributedVirtualPortBackingInfo.class, b);
        assertEquals(switchUuid, d.getPort().getSwitchUuid());
        assertEquals(key, d.getPort().getPortgroupKey());
        assertNull(d.getPort().getPortKey(), "a new NIC gets a port from the portgroup, not the old port");
    }

    private static void assertStandard(VirtualDeviceBackingInfo b, String name) {
        var n = assertInstanceOf(VirtualEthernetCardNetworkBackingInfo.class, b);
        assertEquals(name, n.getDeviceName());
        assertNull(n.getNetwork(), "the old inventory's MoRef is dropped");
    }

    @Test
    @DisplayName("unmapped, a distributed NIC stays on its portgroup, found by switch uuid and key on the same vCenter")
    void sameVcenter() throws Exception {
        assertDistributed(nic(Fixtures.RECORDED, opts(SAME_VCENTER, Map.of())), OLD_SWITCH, "dvportgroup-13");
    }

    @Test
    @DisplayName("on another vCenter, the name recorded at backup finds the portgroup there, with its own key and uuid")
    void otherVcenterByRecordedName() throws Exception {
        RecreateOptions o = RecreateOptions.of("x", "LocalDS_0")
                .withNetworkMap(Map.of(), true)
                .withNetworks(OTHER_VCENTER, Map.of("dvportgroup-13", "DC0_DVPG0"));
        assertDistributed(nic(Fixtures.RECORDED, o), "50 2a aa bb", "dvportgroup-4711");
    }

    @Test
    @DisplayName("distributed to distributed by name: DC0_DVPG0=Prod")
    void distributedToDistributed() throws Exception {
        RecreateOptions o = RecreateOptions.of("x", "LocalDS_0")
                .withNetworkMap(Map.of("DC0_DVPG0", "Prod"), false)
                .withNetworks(OTHER_VCENTER, Map.of("dvportgroup-13", "DC0_DVPG0"));
        assertDistributed(nic(Fixtures.RECORDED, o), "50 2a aa bb", "dvportgroup-4712");
    }

    @Test
    @DisplayName("distributed to standard: DC0_DVPG0=VM Network gives a deviceName backing")
    void distributedToStandard() throws Exception {
        assertStandard(nic(Fixtures.RECORDED, opts(SAME_VCENTER, Map.of("DC0_DVPG0", "VM Network"))), "VM Network");
    }

    @Test
    @DisplayName("standard to distributed: VM Network=DC0_DVPG0 gives the portgroup's key and switch uuid")
    void standardToDistributed() throws Exception {
        assertDistributed(
                nic(Fixtures.TWO_DISKS, opts(SAME_VCENTER, Map.of("VM Network", "DC0_DVPG0"))),
                OLD_SWITCH,
                "dvportgroup-13");
    }

    @Test
    @DisplayName("standard to standard, and an unmapped standard network kept by name")
    void standardToStandard() throws Exception {
        assertStandard(nic(Fixtures.TWO_DISKS, opts(OTHER_VCENTER, Map.of("VM Network", "Backup LAN"))), "Backup LAN");
        assertStandard(nic(Fixtures.TWO_DISKS, opts(OTHER_VCENTER, Map.of())), "VM Network");
    }

    @Test
    @DisplayName("a portgroup the target does not know and the backup did not name: refused, mappable by key")
    void unknownPortgroup() throws Exception {
        RecreateException e =
                assertThrows(RecreateException.class, () -> nic(Fixtures.RECORDED, opts(OTHER_VCENTER, Map.of())));
        assertTrue(
                e.getMessage().contains("'ethernet-0'") && e.getMessage().contains("dvportgroup-13=VM Network"),
                e.getMessage());
        assertDistributed(
                nic(Fixtures.RECORDED, opts(OTHER_VCENTER, Map.of("dvportgroup-13", "Prod"))),
                "50 2a aa bb",
                "dvportgroup-4712");
    }

    @Test
    @DisplayName("a map to a network the target lacks is refused, naming the networks it has")
    void missingTarget() {
        RecreateException e = assertThrows(
                RecreateException.class,
                () -> nic(Fixtures.TWO_DISKS, opts(OTHER_VCENTER, Map.of("VM Network", "DMZ"))));
        assertTrue(
                e.getMessage().contains("'DMZ'") && e.getMessage().contains("Backup LAN, DC0_DVPG0, Prod, VM Network"),
                e.getMessage());
    }

    @Test
    @DisplayName("a name shared by a standard network and a portgroup is refused as ambiguous")
    void ambiguous() {
        TargetNetworks both = TargetNetworks.of(List.of(
                new TargetNetworks.Standard("Prod"), new TargetNetworks.Distributed("Prod", "sw", "dvportgroup-1")));
        RecreateException e = assertThrows(
                RecreateException.class, () -> nic(Fixtures.TWO_DISKS, opts(both, Map.of("VM Network", "Prod"))));
        assertTrue(e.getMessage().contains("'Prod'") && e.getMessage().contains("2 networks"), e.getMessage());
    }

    @Test
    @DisplayName("the summary records the portgroup's name at backup, and a restore reads it back")
    void summaryRecordsNames() {
        var summary = ConfigSummary.of(Fixtures.load(Fixtures.RECORDED), SAME_VCENTER);
        var n = summary.get("nics").get(0);
        assertEquals("DC0_DVPG0", n.get("network").asText());
        assertEquals("dvportgroup-13", n.get("portgroupKey").asText());
        assertEquals(OLD_SWITCH, n.get("switchUuid").asText());
        assertEquals(Map.of("dvportgroup-13", "DC0_DVPG0"), ConfigSummary.portgroupNames(summary));
        // without the source's networks: no name, nothing to read back, the key still recorded
        var bare = ConfigSummary.of(Fixtures.load(Fixtures.RECORDED));
        assertEquals(
                "dvportgroup dvportgroup-13",
                bare.get("nics").get(0).get("network").asText());
        assertEquals(Map.of(), ConfigSummary.portgroupNames(bare));
    }
}
