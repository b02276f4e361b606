package io.cairn.vsphere.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.vmware.vim25.ArrayUpdateOperation;
import com.vmware.vim25.CryptoSpecEncrypt;
import com.vmware.vim25.OptionValue;
import com.vmware.vim25.VirtualCdrom;
import com.vmware.vim25.VirtualCdromRemotePassthroughBackingInfo;
import com.vmware.vim25.VirtualController;
import com.vmware.vim25.VirtualDevice;
import com.vmware.vim25.VirtualDeviceConfigSpec;
import com.vmware.vim25.VirtualDeviceConfigSpecFileOperation;
import com.vmware.vim25.VirtualDeviceConfigSpecOperation;
import com.vmware.vim25.VirtualDisk;
import com.vmware.vim25.VirtualDiskFlatVer2BackingInfo;
import com.vmware.vim25.VirtualDiskRawDiskMappingVer1BackingInfo;
import com.vmware.vim25.VirtualEthernetCard;
import com.vmware.vim25.VirtualEthernetCardNetworkBackingInfo;
import com.vmware.vim25.VirtualMachineConfigInfo;
import com.vmware.vim25.VirtualMachineConfigSpec;
import com.vmware.vim25.VirtualMachineCpuIdInfoSpec;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("A stored ConfigInfo becomes a CreateVM spec by VMware's rules")
class ConfigSpecBuilderTest {

    private static final RecreateOptions OPTS =
            RecreateOptions.of("restored", "LocalDS_1").withNetworkMap(Map.of("VM Network", "Restore Net"), false);

    private static Recreate build(String fixture) throws RecreateException {
        return ConfigSpecBuilder.build(Fixtures.load(fixture), OPTS);
    }

    private static List<VirtualDevice> devices(VirtualMachineConfigSpec spec) {
        return spec.getDeviceChange().stream()
                .map(VirtualDeviceConfigSpec::getDevice)
                .toList();
    }

    private static List<VirtualDisk> disks(VirtualMachineConfigSpec spec) {
        return devices(spec).stream()
                .filter(d -> d instanceof VirtualDisk)
                .map(d -> (VirtualDisk) d)
                .toList();
    }

    private static Set<String> extraKeys(VirtualMachineConfigSpec spec) {
        return spec.getExtraConfig().stream().map(OptionValue::getKey).collect(Collectors.toSet());
    }

    @Test
    @DisplayName("leaves out the default devices (IDE, PS/2, PCI, SIO, keyboard, pointing, VMCI, video)")
    void defaultsRemoved() throws Exception {
        Set<String> types = devices(build(Fixtures.TWO_DISKS).spec()).stream()
                .map(d -> d.getClass().getSimpleName())
                .collect(Collectors.toSet());
        assertEquals(
                Set.of(
                        "ParaVirtualSCSIController",
                        "VirtualLsiLogicController",
                        "VirtualCdrom",
                        "VirtualDisk",
                        "VirtualE1000"),
                types);
    }

    @Test
    @DisplayName("clears every controller's device list")
    void controllerListsCleared() throws Exception {
        VirtualMachineConfigInfo info = Fixtures.load(Fixtures.TWO_DISKS);
        assertTrue(
                info.getHardware().getDevice().stream()
                        .anyMatch(d -> d instanceof VirtualController c
                                && !c.getDevice().isEmpty()),
                "fixture has lists");
        for (VirtualDevice d : devices(ConfigSpecBuilder.build(info, OPTS).spec())) {
            if (d instanceof VirtualController c) {
                assertTrue(c.getDevice().isEmpty(), c.getDeviceInfo().getLabel());
            }
        }
        // the caller's ConfigInfo is not changed
        assertTrue(info.getHardware().getDevice().stream()
                .anyMatch(
                        d -> d instanceof VirtualController c && !c.getDevice().isEmpty()));
    }

    @Test
    @DisplayName("gives negative keys and keeps every child on its controller (default ones by real key)")
    void negativeKeysKeepRelationships() throws Exception {
        VirtualMachineConfigInfo info = Fixtures.load(Fixtures.TWO_DISKS);
        Map<Integer, String> storedParentLabel = new HashMap<>();
        Map<Integer, VirtualDevice> storedByKey = new HashMap<>();
        info.getHardware().getDevice().forEach(d -> storedByKey.put(d.getKey(), d));
        VirtualMachineConfigSpec spec = ConfigSpecBuilder.build(info, OPTS).spec();
        Map<Integer, VirtualDevice> newByKey = new HashMap<>();
        List<VirtualDevice> devs = devices(spec);
        for (int i = 0; i < devs.size(); i++) {
            assertEquals(-(i + 1), devs.get(i).getKey(), "keys -1, -2, ... in order");
            newByKey.put(devs.get(i).getKey(), devs.get(i));
        }
        for (VirtualDevice d : info.getHardware().getDevice()) {
            if (d.getControllerKey() != null) {
                storedParentLabel.put(
                        d.getKey(),
                        storedByKey.get(d.getControllerKey()).getDeviceInfo().getLabel());
            }
        }
        for (VirtualDevice d : devs) {
            VirtualDevice parent = newByKey.get(d.getControllerKey());
            String label = d.getDeviceInfo().getLabel();
            if (d.getControllerKey() != null && d.getControllerKey() < 0) {
                assertEquals(
                        storedParentLabel.get(storedKey(info, label)),
                        parent.getDeviceInfo().getLabel(),
                        label);
                assertTrue(devs.indexOf(parent) < devs.indexOf(d), "controller added before " + label);
            }
        }
        VirtualDevice cdrom =
                devs.stream().filter(d -> d instanceof VirtualCdrom).findFirst().orElseThrow();
        assertEquals(200, cdrom.getControllerKey(), "on IDE 0, which vSphere re-creates as key 200");
        VirtualDevice nic = devs.stream()
                .filter(d -> d instanceof VirtualEthernetCard)
                .findFirst()
                .orElseThrow();
        assertEquals(100, nic.getControllerKey(), "on the PCI controller, key 100");
        assertNull(nic.getSlotInfo());
    }

    private static int storedKey(VirtualMachineConfigInfo info, String label) {
        return info.getHardware().getDevice().stream()
                .filter(d -> label.equals(d.getDeviceInfo().getLabel()))
                .findFirst()
                .orElseThrow()
                .getKey();
    }

    @Test
    @DisplayName("creates disks with parent, uuid, changeId and contentId unset, on the target datastore")
    void diskBackingReset() throws Exception {
        Recreate r = build(Fixtures.TWO_DISKS);
        for (VirtualDeviceConfigSpec c : r.spec().getDeviceChange()) {
            if (c.getDevice() instanceof VirtualDisk disk) {
                assertEquals(VirtualDeviceConfigSpecOperation.ADD, c.getOperation());
                assertEquals(VirtualDeviceConfigSpecFileOperation.CREATE, c.getFileOperation());
                VirtualDiskFlatVer2BackingInfo b = (VirtualDiskFlatVer2BackingInfo) disk.getBacking();
                assertNull(b.getParent());
                assertNull(b.getChangeId());
                assertNull(b.getUuid());
                assertNull(b.getContentId());
                assertNull(b.getDatastore());
                assertEquals("[LocalDS_1]", b.getFileName());
                assertEquals("persistent", b.getDiskMode());
            }
        }
        VirtualDiskFlatVer2BackingInfo thick =
                (VirtualDiskFlatVer2BackingInfo) disks(r.spec()).get(1).getBacking();
        assertFalse(thick.isThinProvisioned());
        assertTrue(thick.isEagerlyScrub());
        assertEquals(2048, disks(r.spec()).get(1).getCapacityInKB());
        assertEquals(2097152L, disks(r.spec()).get(1).getCapacityInBytes());
        assertEquals("[LocalDS_1]", r.spec().getFiles().getVmPathName());
    }

    @Test
    @DisplayName("adds disks in bus:unit order and plans which stored disk becomes which")
    void busUnitOrder() throws Exception {
        Recreate r = build(Fixtures.TWO_DISKS);
        List<VirtualDisk> disks = disks(r.spec());
        assertEquals(
                List.of("disk-202-0", "Hard disk 2"),
                disks.stream().map(d -> d.getDeviceInfo().getLabel()).toList(),
                "pvscsi bus 0 before LSI bus 1, although the document lists disk 2001 first");
        assertEquals(2, r.disks().size());
        DiskPlan p = r.disks().get(1);
        assertEquals(2001, p.storedKey());
        assertEquals("[LocalDS_0] two-disks/two-disks_1-000001.vmdk", p.storedFileName());
        assertEquals(disks.get(1).getKey(), p.newKey());
        assertEquals("VirtualLsiLogicController", p.controllerType());
        assertEquals(1, p.busNumber());
        assertEquals(0, p.unitNumber());
        assertEquals(2097152L, p.capacityInBytes());
        assertFalse(p.rdm());
    }

    @Test
    @DisplayName("turns each cpuFeatureMask entry into an ArrayUpdateSpec add")
    void cpuFeatureMask() throws Exception {
        VirtualMachineConfigInfo info = Fixtures.load(Fixtures.CPUMASK);
        List<VirtualMachineCpuIdInfoSpec> masks =
                ConfigSpecBuilder.build(info, OPTS).spec().getCpuFeatureMask();
        assertEquals(2, masks.size());
        for (int i = 0; i < 2; i++) {
            assertEquals(ArrayUpdateOperation.ADD, masks.get(i).getOperation());
            assertEquals(
                    info.getCpuFeatureMask().get(i).getLevel(),
                    masks.get(i).getInfo().getLevel());
            assertEquals(
                    info.getCpuFeatureMask().get(i).getVendor(),
                    masks.get(i).getInfo().getVendor());
        }
        assertEquals(
                "---- 0--- ---- ---- ---- ---- ---- ----",
                masks.get(1).getInfo().getEdx());
        assertTrue(build(Fixtures.TWO_DISKS).spec().getCpuFeatureMask().isEmpty());
    }

    @Nested
    @DisplayName("NICs")
    class Nics {
        @Test
        @DisplayName("map the network by name and drop the old network moRef")
        void networkMapped() throws Exception {
            VirtualEthernetCard nic =
                    (VirtualEthernetCard) devices(build(Fixtures.TWO_DISKS).spec()).stream()
                            .filter(d -> d instanceof VirtualEthernetCard)
                            .findFirst()
                            .orElseThrow();
            VirtualEthernetCardNetworkBackingInfo b = (VirtualEthernetCardNetworkBackingInfo) nic.getBacking();
            assertEquals("Restore Net", b.getDeviceName());
            assertNull(b.getNetwork());
        }

        @Test
        @DisplayName("refuse an unmapped network, naming the NIC and the network; keep it when asked")
        void unmappedRefused() throws Exception {
            RecreateException e = assertThrows(
                    RecreateException.class,
                    () -> ConfigSpecBuilder.build(
                            Fixtures.load(Fixtures.TWO_DISKS), RecreateOptions.of("x", "LocalDS_0")));
            assertTrue(
                    e.getMessage().contains("'ethernet-0'") && e.getMessage().contains("'VM Network'"), e.getMessage());
            Recreate kept = ConfigSpecBuilder.build(
                    Fixtures.load(Fixtures.TWO_DISKS),
                    RecreateOptions.of("x", "LocalDS_0").withNetworkMap(Map.of(), true));
            VirtualEthernetCard nic = (VirtualEthernetCard) devices(kept.spec()).stream()
                    .filter(d -> d instanceof VirtualEthernetCard)
                    .findFirst()
                    .orElseThrow();
            assertEquals("VM Network", ((VirtualEthernetCardNetworkBackingInfo) nic.getBacking()).getDeviceName());
        }

        @Test
        @DisplayName("refuse a distributed portgroup without the target's networks, naming the NIC and portgroup")
        void distributedWithoutInventory() {
            RecreateException e = assertThrows(RecreateException.class, () -> build(Fixtures.RECORDED));
            assertTrue(
                    e.getMessage().contains("'ethernet-0'")
                            && e.getMessage().contains("dvportgroup-13")
                            && e.getMessage().contains("without the target's inventory"),
                    e.getMessage());
        }

        @Test
        @DisplayName("clear a generated MAC address and keep a manual one")
        void mac() throws Exception {
            VirtualEthernetCard generated =
                    (VirtualEthernetCard) devices(build(Fixtures.TWO_DISKS).spec()).stream()
                            .filter(d -> d instanceof VirtualEthernetCard)
                            .findFirst()
                            .orElseThrow();
            assertNull(generated.getMacAddress());
            VirtualMachineConfigInfo info = Fixtures.load(Fixtures.TWO_DISKS);
            info.getHardware().getDevice().stream()
                    .filter(d -> d instanceof VirtualEthernetCard)
                    .forEach(d -> ((VirtualEthernetCard) d).setAddressType("manual"));
            VirtualEthernetCard manual = (VirtualEthernetCard)
                    devices(ConfigSpecBuilder.build(info, OPTS).spec()).stream()
                            .filter(d -> d instanceof VirtualEthernetCard)
                            .findFirst()
                            .orElseThrow();
            assertEquals("00:0c:29:36:63:62", manual.getMacAddress());
        }
    }

    @Test
    @DisplayName("empties CD-ROMs (client device, not connected) and warns about the ISO")
    void cdromEmptied() throws Exception {
        Recreate r = build(Fixtures.TWO_DISKS);
        VirtualCdrom cd = (VirtualCdrom) devices(r.spec()).stream()
                .filter(d -> d instanceof VirtualCdrom)
                .findFirst()
                .orElseThrow();
        assertInstanceOf(VirtualCdromRemotePassthroughBackingInfo.class, cd.getBacking());
        assertFalse(cd.getConnectable().isStartConnected());
        assertTrue(
                r.warnings().stream().anyMatch(w -> w.contains("debian.iso")),
                r.warnings().toString());
    }

    @Test
    @DisplayName("drops identity, swap, NVRAM path and CBT keys from extraConfig; copies the rest")
    void extraConfig() throws Exception {
        VirtualMachineConfigSpec spec = build(Fixtures.TWO_DISKS).spec();
        assertEquals(Set.of("govcsim"), extraKeys(spec));
        assertNull(spec.getUuid());
        assertNull(spec.getInstanceUuid());
        VirtualMachineConfigSpec same = ConfigSpecBuilder.build(
                        Fixtures.load(Fixtures.TWO_DISKS), OPTS.withKeepIdentity(true))
                .spec();
        assertEquals("265104de-1472-547c-b873-6dc7883fb6cb", same.getUuid());
        assertEquals("restored", spec.getName());
        assertEquals("otherGuest", spec.getGuestId());
        assertEquals(1, spec.getNumCPUs());
        assertEquals(32L, spec.getMemoryMB());
        assertEquals("vmx-13", spec.getVersion());
        assertEquals("bios", spec.getFirmware());
    }

    @Nested
    @DisplayName("RDMs")
    class Rdms {
        @Test
        @DisplayName("are refused without a chooser, naming the disk")
        void refusedWithoutChooser() {
            RecreateException e = assertThrows(RecreateException.class, () -> build(Fixtures.RDM));
            assertTrue(
                    e.getMessage().contains("'Hard disk 2'") && e.getMessage().contains("raw device mapping"),
                    e.getMessage());
        }

        @Test
        @DisplayName("are refused when the chooser finds no free LUN")
        void refusedWithoutLun() {
            RecreateException e = assertThrows(
                    RecreateException.class,
                    () -> ConfigSpecBuilder.build(
                            Fixtures.load(Fixtures.RDM), OPTS.withRdmChooser((d, b) -> Optional.empty())));
            assertTrue(e.getMessage().contains("no free LUN"), e.getMessage());
        }

        @Test
        @DisplayName("map the chosen LUN with the stored compatibility and disk mode")
        void mapped() throws Exception {
            Recreate r = ConfigSpecBuilder.build(
                    Fixtures.load(Fixtures.RDM),
                    OPTS.withRdmChooser(
                            (d, b) -> Optional.of(new RdmChooser.Lun("/vmfs/devices/disks/naa.new", "0200new"))));
            VirtualDisk rdm = disks(r.spec()).stream()
                    .filter(d -> d.getBacking() instanceof VirtualDiskRawDiskMappingVer1BackingInfo)
                    .findFirst()
                    .orElseThrow();
            var b = (VirtualDiskRawDiskMappingVer1BackingInfo) rdm.getBacking();
            assertEquals("/vmfs/devices/disks/naa.new", b.getDeviceName());
            assertEquals("0200new", b.getLunUuid());
            assertEquals("physicalMode", b.getCompatibilityMode());
            assertEquals("independent_persistent", b.getDiskMode());
            assertNull(b.getUuid());
            assertTrue(r.disks().stream().anyMatch(DiskPlan::rdm));
        }
    }

    @Nested
    @DisplayName("Encrypted VMs")
    class Encryption {
        @Test
        @DisplayName("keep their keyId (VM and disk) and encryption.bundle")
        void kept() throws Exception {
            Recreate r = build(Fixtures.ENCRYPTED);
            CryptoSpecEncrypt crypto =
                    assertInstanceOf(CryptoSpecEncrypt.class, r.spec().getCrypto());
            assertEquals(
                    "8e4a2c1b-5f3d-4e2a-9b7c-1d2e3f4a5b6c",
                    crypto.getCryptoKeyId().getKeyId());
            assertEquals(
                    "kmip-cluster-1", crypto.getCryptoKeyId().getProviderId().getId());
            assertTrue(extraKeys(r.spec()).contains("encryption.bundle"));
            VirtualDeviceConfigSpec disk2 = r.spec().getDeviceChange().stream()
                    .filter(c -> c.getDevice() instanceof VirtualDisk d
                            && d.getDeviceInfo().getLabel().equals("Hard disk 2"))
                    .findFirst()
                    .orElseThrow();
            assertEquals(
                    "8e4a2c1b-5f3d-4e2a-9b7c-1d2e3f4a5b6c",
                    ((CryptoSpecEncrypt) disk2.getBacking().getCrypto())
                            .getCryptoKeyId()
                            .getKeyId());
            assertTrue(
                    r.warnings().stream().noneMatch(w -> w.contains("NVRAM")),
                    r.warnings().toString());
        }

        @Test
        @DisplayName("re-encrypted by policy lose keyId and bundle, with a warning that NVRAM is lost")
        void reencrypted() throws Exception {
            Recreate r = ConfigSpecBuilder.build(
                    Fixtures.load(Fixtures.ENCRYPTED),
                    OPTS.withEncryption(RecreateOptions.Encryption.REENCRYPT_BY_POLICY, "policy-encrypt"));
            assertNull(r.spec().getCrypto());
            assertFalse(extraKeys(r.spec()).contains("encryption.bundle"));
            assertEquals(1, r.spec().getVmProfile().size());
            assertTrue(
                    r.warnings().stream()
                            .anyMatch(w -> w.contains("NVRAM is lost because it was encrypted with the old key")),
                    r.warnings().toString());
            assertTrue(r.spec().getDeviceChange().stream().allMatch(c -> c.getBacking() == null));
        }
    }

    @Test
    @DisplayName("the spec itself marshals (no JAXB-hostile values) and building twice gives the same spec")
    void deterministic() throws Exception {
        assertArrayEquals(
                specXml(build(Fixtures.TWO_DISKS).spec()),
                specXml(build(Fixtures.TWO_DISKS).spec()));
    }

    static byte[] specXml(VirtualMachineConfigSpec spec) throws Exception {
        var ctx = jakarta.xml.bind.JAXBContext.newInstance(com.vmware.vim25.ObjectFactory.class);
        var out = new java.io.ByteArrayOutputStream();
        ctx.createMarshaller()
                .marshal(
                        new jakarta.xml.bind.JAXBElement<>(
                                new javax.xml.namespace.QName("urn:vim25", "spec"),
                                VirtualMachineConfigSpec.class,
                                spec),
                        out);
        return out.toByteArray();
    }
}
