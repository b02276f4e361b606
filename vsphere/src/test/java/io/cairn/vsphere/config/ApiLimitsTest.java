package io.cairn.vsphere.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.vmware.vim25.VirtualDeviceConfigSpec;
import com.vmware.vim25.VirtualMachineConfigInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * What the 7.0 binding cannot carry, named instead of failing later. The inputs are
 * {@code two-disks-nic.xml} with text edits as a vSphere 8 server's answer would have them: a
 * device type added after 7.0 (the binding reads its unknown {@code xsi:type} as a plain
 * VirtualDevice, its settings gone), a hardware version after vmx-17, a vTPM without VM encryption.
 */
@DisplayName("What the vSphere API 7.0 binding cannot carry is named, not failed on later")
class ApiLimitsTest {
    private static final String XSI = "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"";

    /** two-disks-nic.xml with {@code devices} inserted first among the devices, and {@code version}. */
    private static VirtualMachineConfigInfo variant(String version, String... devices) throws IOException {
        String xml = new String(Fixtures.bytes(Fixtures.TWO_DISKS), StandardCharsets.UTF_8)
                .replace("<version>vmx-13</version>", "<version>" + version + "</version>");
        int at = xml.indexOf("<device ");
        xml = xml.substring(0, at) + String.join("", devices) + xml.substring(at);
        return ConfigInfoXml.fromXml(xml.getBytes(StandardCharsets.UTF_8));
    }

    /** A device of a type vSphere 8 has and the 7.0 schemas do not, with a child device on it. */
    static final String FUTURE = "<device " + XSI + " xsi:type=\"VirtualFutureController\"><key>15000</key>"
            + "<deviceInfo><label>Future controller</label><summary>f</summary></deviceInfo>"
            + "<busNumber>0</busNumber><newSetting>5</newSetting></device>"
            + "<device " + XSI + " xsi:type=\"VirtualSerialPort\"><key>9000</key>"
            + "<deviceInfo><label>Serial port 1</label><summary>s</summary></deviceInfo>"
            + "<backing xsi:type=\"VirtualSerialPortFutureBackingInfo\"><x>1</x></backing>"
            + "<controllerKey>400</controllerKey><unitNumber>0</unitNumber><yieldOnPoll>true</yieldOnPoll></device>"
            + "<device " + XSI + " xsi:type=\"VirtualFloppy\"><key>8000</key>"
            + "<deviceInfo><label>Floppy 1</label><summary>f</summary></deviceInfo>"
            + "<controllerKey>15000</controllerKey><unitNumber>0</unitNumber></device>";

    static final String TPM = "<device " + XSI + " xsi:type=\"VirtualTPM\"><key>11000</key>"
            + "<deviceInfo><label>TPM</label><summary>t</summary></deviceInfo>"
            + "<controllerKey>100</controllerKey><unitNumber>11</unitNumber></device>";

    private static RecreateOptions opts() {
        return RecreateOptions.of("r", "LocalDS_0").withNetworkMap(Map.of(), true);
    }

    @Test
    @DisplayName("an unknown device type and an unknown backing are left out of the new VM, each named")
    void unknownDevices() throws Exception {
        VirtualMachineConfigInfo info = variant("vmx-13", FUTURE);
        Recreate r = ConfigSpecBuilder.build(info, opts());
        assertEquals(
                List.of(
                        "ParaVirtualSCSIController",
                        "VirtualCdrom",
                        "VirtualDisk",
                        "VirtualDisk",
                        "VirtualE1000",
                        "VirtualLsiLogicController"),
                r.spec().getDeviceChange().stream()
                        .map(VirtualDeviceConfigSpec::getDevice)
                        .map(d -> d.getClass().getSimpleName())
                        .sorted()
                        .toList(),
                "the stored VM's known devices, none of the three it cannot carry");
        String w = String.join("\n", r.warnings());
        assertTrue(w.contains("'Future controller' (key 15000) has a device type"), w);
        assertTrue(w.contains("'Serial port 1' (key 9000) has a backing type"), w);
        assertTrue(w.contains("'Floppy 1' (key 8000) sits on a controller that is left out"), w);
        List<String> notes = ApiLimits.notes(info);
        assertEquals(2, notes.size(), notes.toString());
        assertTrue(
                notes.get(0).contains("'Future controller'") && notes.get(0).contains("not in the backup"),
                notes.get(0));
    }

    @Test
    @DisplayName("a hardware version after vmx-17 is kept, with the warning that newer settings are missing")
    void hardwareVersion() throws Exception {
        Recreate r = ConfigSpecBuilder.build(variant("vmx-21"), opts());
        assertEquals("vmx-21", r.spec().getVersion());
        assertTrue(String.join("\n", r.warnings()).contains("hardware version vmx-21 is newer than vmx-17"));
        assertEquals(1, ApiLimits.notes(variant("vmx-21")).size());
        assertTrue(ApiLimits.notes(variant("vmx-17")).isEmpty());
        assertFalse(String.join(
                        "\n", ConfigSpecBuilder.build(variant("vmx-17"), opts()).warnings())
                .contains("hardware"));
    }

    @Test
    @DisplayName("a vTPM without VM encryption is refused before anything is created; with encryption it is kept")
    void vtpm() throws Exception {
        RecreateException e =
                assertThrows(RecreateException.class, () -> ConfigSpecBuilder.build(variant("vmx-19", TPM), opts()));
        assertTrue(
                e.getMessage().contains("'TPM' (key 11000) is a vTPM on a VM without VM encryption"), e.getMessage());
        assertTrue(ApiLimits.notes(variant("vmx-19", TPM)).stream().anyMatch(n -> n.contains("vTPM")));
        String encrypted = new String(Fixtures.bytes(Fixtures.ENCRYPTED), StandardCharsets.UTF_8);
        int at = encrypted.indexOf("<device ");
        VirtualMachineConfigInfo enc = ConfigInfoXml.fromXml(
                (encrypted.substring(0, at) + TPM + encrypted.substring(at)).getBytes(StandardCharsets.UTF_8));
        Recreate r = ConfigSpecBuilder.build(enc, opts());
        assertTrue(r.spec().getDeviceChange().stream()
                .anyMatch(c -> c.getDevice() instanceof com.vmware.vim25.VirtualTPM));
    }
}
