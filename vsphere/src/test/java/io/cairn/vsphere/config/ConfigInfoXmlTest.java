package io.cairn.vsphere.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.vmware.vim25.VirtualDisk;
import com.vmware.vim25.VirtualMachineConfigInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("ConfigInfo is stored verbatim as vim25 XML")
class ConfigInfoXmlTest {

    @Test
    @DisplayName("the recorded document reads back and writes out byte for byte")
    void recordedRoundTrip() throws IOException {
        byte[] recorded = Fixtures.bytes(Fixtures.RECORDED);
        assertArrayEquals(recorded, ConfigInfoXml.toXml(ConfigInfoXml.fromXml(recorded)));
    }

    @ParameterizedTest
    @ValueSource(strings = {Fixtures.TWO_DISKS, Fixtures.ENCRYPTED, Fixtures.CPUMASK, Fixtures.RDM})
    @DisplayName("marshal → unmarshal → marshal gives identical bytes, subclasses kept by xsi:type")
    void variantsRoundTrip(String name) throws IOException {
        byte[] once = ConfigInfoXml.toXml(Fixtures.load(name));
        byte[] twice = ConfigInfoXml.toXml(ConfigInfoXml.fromXml(once));
        assertArrayEquals(once, twice);
        String xml = new String(once, StandardCharsets.UTF_8);
        assertTrue(xml.contains("xsi:type=\"VirtualDisk\""), xml);
        VirtualMachineConfigInfo info = ConfigInfoXml.fromXml(once);
        assertInstanceOf(
                VirtualDisk.class,
                info.getHardware().getDevice().stream()
                        .filter(d -> d instanceof VirtualDisk)
                        .findFirst()
                        .orElseThrow());
    }

    @Test
    @DisplayName("refuses a document that is not a stored ConfigInfo, and one with a DTD")
    void refusesOthers() {
        IOException e = assertThrows(
                IOException.class,
                () -> ConfigInfoXml.fromXml("<foo xmlns=\"urn:vim25\"/>".getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().contains("root element"), e.getMessage());
        assertThrows(
                IOException.class,
                () -> ConfigInfoXml.fromXml(("<!DOCTYPE config [<!ENTITY x SYSTEM"
                                + " \"file:///etc/passwd\">]><config xmlns=\"urn:vim25\"><name>&x;</name></config>")
                        .getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    @DisplayName("the JSON summary names the VM, its sizes, disks, NICs and key")
    void summary() {
        ObjectNode s = ConfigSummary.of(Fixtures.load(Fixtures.ENCRYPTED));
        assertEquals("encrypted", s.get("name").asText());
        assertEquals("otherGuest", s.get("guestId").asText());
        assertEquals(1, s.get("numCPU").asInt());
        assertEquals(32, s.get("memoryMB").asInt());
        assertEquals("bios", s.get("firmware").asText());
        assertEquals(
                "8e4a2c1b-5f3d-4e2a-9b7c-1d2e3f4a5b6c",
                s.get("keyId").get("keyId").asText());
        assertEquals(2, s.get("disks").size());
        assertEquals(2097152, s.get("disks").get(0).get("capacityInBytes").asLong());
        assertEquals(
                "VirtualLsiLogicController 1",
                s.get("disks").get(0).get("controller").asText());
        assertEquals("VM Network", s.get("nics").get(0).get("network").asText());
    }
}
