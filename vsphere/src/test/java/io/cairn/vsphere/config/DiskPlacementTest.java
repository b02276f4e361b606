package io.cairn.vsphere.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.vmware.vim25.VirtualDeviceConfigSpec;
import com.vmware.vim25.VirtualDisk;
import com.vmware.vim25.VirtualDiskFlatVer2BackingInfo;
import com.vmware.vim25.VirtualMachineConfigInfo;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Where and how each re-created disk is placed. {@code two-disks-nic.xml} has disk 2001 ("Hard
 * disk 2", scsi1:0 on an LSI Logic, eager-zeroed thick) and disk 255511522 ("disk-202-0", scsi0:0
 * on a PVSCSI, thin).
 */
@DisplayName("Disks are placed per disk: datastore and provisioning format")
class DiskPlacementTest {
    static final int HD2 = 2001;
    static final int PV = 255511522;

    private static RecreateOptions base() {
        return RecreateOptions.of("placed", "LocalDS_0").withNetworkMap(Map.of(), true);
    }

    private static Map<Integer, VirtualDiskFlatVer2BackingInfo> backings(Recreate r) {
        Map<Integer, VirtualDiskFlatVer2BackingInfo> out = new LinkedHashMap<>();
        List<VirtualDisk> disks = r.spec().getDeviceChange().stream()
                .map(VirtualDeviceConfigSpec::getDevice)
                .filter(d -> d instanceof VirtualDisk)
                .map(d -> (VirtualDisk) d)
                .toList();
        for (int i = 0; i < disks.size(); i++) {
            out.put(r.disks().get(i).storedKey(), (VirtualDiskFlatVer2BackingInfo)
                    disks.get(i).getBacking());
        }
        return out;
    }

    private static DiskPlan plan(Recreate r, int key) {
        return r.disks().stream().filter(p -> p.storedKey() == key).findFirst().orElseThrow();
    }

    @Test
    @DisplayName("by default each disk keeps its format: eager-zeroed thick stays so, thin stays thin")
    void asTheSource() throws Exception {
        Recreate r = ConfigSpecBuilder.build(Fixtures.load(Fixtures.TWO_DISKS), base());
        assertEquals(DiskFormat.EAGER_ZEROED_THICK, plan(r, HD2).format());
        assertEquals(DiskFormat.THIN, plan(r, PV).format());
        assertEquals(true, backings(r).get(HD2).isEagerlyScrub());
        assertEquals(false, backings(r).get(HD2).isThinProvisioned());
        assertEquals(true, backings(r).get(PV).isThinProvisioned());
    }

    @Test
    @DisplayName("one format for all, overridden per disk; the backing flags follow")
    void formats() throws Exception {
        Recreate r = ConfigSpecBuilder.build(
                Fixtures.load(Fixtures.TWO_DISKS),
                base().withDiskFormat(DiskFormat.THIN, Map.of(PV, DiskFormat.EAGER_ZEROED_THICK)));
        assertEquals(DiskFormat.THIN, plan(r, HD2).format());
        assertEquals(true, backings(r).get(HD2).isThinProvisioned());
        assertEquals(false, backings(r).get(HD2).isEagerlyScrub());
        assertEquals(DiskFormat.EAGER_ZEROED_THICK, plan(r, PV).format());
        assertEquals(false, backings(r).get(PV).isThinProvisioned());
        assertEquals(true, backings(r).get(PV).isEagerlyScrub());
        Recreate thick = ConfigSpecBuilder.build(
                Fixtures.load(Fixtures.TWO_DISKS), base().withDiskFormat(DiskFormat.THICK, Map.of()));
        for (VirtualDiskFlatVer2BackingInfo b : backings(thick).values()) {
            assertEquals(false, b.isThinProvisioned());
            assertEquals(false, b.isEagerlyScrub());
        }
    }

    @Test
    @DisplayName("a datastore per disk: the backing and the plan name it, other disks stay with the VM")
    void datastores() throws Exception {
        Recreate r = ConfigSpecBuilder.build(
                Fixtures.load(Fixtures.TWO_DISKS), base().withDiskDatastores(Map.of(HD2, "Fast_SSD")));
        assertEquals("[Fast_SSD]", backings(r).get(HD2).getFileName());
        assertEquals("Fast_SSD", plan(r, HD2).datastore());
        assertEquals("[LocalDS_0]", backings(r).get(PV).getFileName());
        assertEquals("LocalDS_0", plan(r, PV).datastore());
        assertEquals("[LocalDS_0]", r.spec().getFiles().getVmPathName(), "the VM's own files stay on its datastore");
    }

    @Test
    @DisplayName("per-disk options for a disk the VM does not have are refused, not ignored")
    void unknownDisk() {
        RecreateException e = assertThrows(
                RecreateException.class,
                () -> ConfigSpecBuilder.build(
                        Fixtures.load(Fixtures.TWO_DISKS), base().withDiskDatastores(Map.of(9999, "X"))));
        assertTrue(e.getMessage().contains("9999"), e.getMessage());
        assertThrows(
                RecreateException.class,
                () -> ConfigSpecBuilder.build(
                        Fixtures.load(Fixtures.TWO_DISKS), base().withDiskFormat(null, Map.of(9999, DiskFormat.THIN))));
        assertThrows(IllegalArgumentException.class, () -> base().withDiskDatastores(Map.of(HD2, "[LocalDS_0] x")));
    }

    @Test
    @DisplayName("an RDM has no format to choose: a format for it is refused")
    void rdmFormat() {
        VirtualMachineConfigInfo rdm = Fixtures.load(Fixtures.RDM);
        int key = rdm.getHardware().getDevice().stream()
                .filter(d -> d instanceof VirtualDisk vd
                        && vd.getBacking() instanceof com.vmware.vim25.VirtualDiskRawDiskMappingVer1BackingInfo)
                .findFirst()
                .orElseThrow()
                .getKey();
        RecreateException e = assertThrows(
                RecreateException.class,
                () -> ConfigSpecBuilder.build(
                        rdm,
                        base().withDiskFormat(null, Map.of(key, DiskFormat.THIN))
                                .withRdmChooser((d, b) -> java.util.Optional.of(
                                        new RdmChooser.Lun("/vmfs/devices/disks/naa.1", "0200")))));
        assertTrue(e.getMessage().contains("raw device mapping"), e.getMessage());
    }

    @Test
    @DisplayName("--disk-format takes thin, thick, eagerzeroedthick, nothing else")
    void parse() {
        assertEquals(DiskFormat.THIN, DiskFormat.parse("thin"));
        assertEquals(DiskFormat.THICK, DiskFormat.parse("Thick"));
        assertEquals(DiskFormat.EAGER_ZEROED_THICK, DiskFormat.parse("eagerzeroedthick"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DiskFormat.parse("zeroed"));
        assertTrue(e.getMessage().contains("thin, thick or eagerzeroedthick"), e.getMessage());
    }

    @Test
    @DisplayName("disks are named by slot (scsi1:0), label or key; an unknown name lists the disks")
    void names() {
        VirtualMachineConfigInfo info = Fixtures.load(Fixtures.TWO_DISKS);
        assertEquals(Map.of(HD2, "scsi1:0", PV, "scsi0:0"), DiskNames.slots(info));
        assertEquals(HD2, DiskNames.key(info, "scsi1:0"));
        assertEquals(HD2, DiskNames.key(info, "SCSI1:0"));
        assertEquals(HD2, DiskNames.key(info, "hard disk 2"));
        assertEquals(PV, DiskNames.key(info, "255511522"));
        assertEquals(Map.of(HD2, "Fast"), DiskNames.byKey(info, Map.of("scsi1:0", "Fast")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DiskNames.key(info, "sata0:0"));
        assertTrue(
                e.getMessage().contains("scsi1:0 (Hard disk 2)")
                        && e.getMessage().contains("scsi0:0 (disk-202-0)"),
                e.getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () -> DiskNames.byKey(info, new LinkedHashMap<>(Map.of("scsi1:0", "A", "Hard disk 2", "B"))));
    }
}
