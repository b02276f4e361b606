package io.cairn.vsphere.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.vmware.vim25.VirtualDeviceBackingInfo;
import com.vmware.vim25.VirtualDiskFlatVer2BackingInfo;
import com.vmware.vim25.VirtualDiskRawDiskMappingVer1BackingInfo;
import com.vmware.vim25.VirtualDiskSeSparseBackingInfo;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Which transport can read a disk of a backup's snapshot")
class DiskAccessTest {
    private static final String WHAT = "'Hard disk 2' (key 2001, [ds] vm/vm_1.vmdk)";

    private static DiskAccess.Verdict of(VirtualDeviceBackingInfo b, String dsType) {
        return DiskAccess.of(b, DiskAccess.diskMode(b), dsType, WHAT, "vm");
    }

    private static VirtualDiskFlatVer2BackingInfo flat(String mode) {
        VirtualDiskFlatVer2BackingInfo b = new VirtualDiskFlatVer2BackingInfo();
        b.setFileName("[ds] vm/vm_1.vmdk");
        b.setDiskMode(mode);
        return b;
    }

    private static VirtualDiskRawDiskMappingVer1BackingInfo rdm(String compatibility, String mode) {
        VirtualDiskRawDiskMappingVer1BackingInfo b = new VirtualDiskRawDiskMappingVer1BackingInfo();
        b.setFileName("[ds] vm/vm_1.vmdk");
        b.setCompatibilityMode(compatibility);
        b.setDiskMode(mode);
        b.setLunUuid("0200000000600a0b80");
        return b;
    }

    @Test
    @DisplayName("a persistent flat disk on VMFS or NFS: any transport, no message")
    void flatPersistent() {
        for (String ds : new String[] {"VMFS", "NFS", null}) {
            DiskAccess.Verdict v = of(flat("persistent"), ds);
            assertEquals(BackupSnapshot.Access.ANY, v.access());
            assertNull(v.why());
        }
    }

    @Test
    @DisplayName("independent disks (persistent and nonpersistent) are left out, saying why and naming the disk")
    void independent() {
        for (String mode : new String[] {"independent_persistent", "independent_nonpersistent"}) {
            DiskAccess.Verdict v = of(flat(mode), "VMFS");
            assertEquals(BackupSnapshot.Access.NONE, v.access());
            assertTrue(v.why().startsWith(WHAT + " is " + mode.replace('_', '-') + ":"), v.why());
            assertTrue(v.why().contains("left out of the backup of vm"), v.why());
        }
    }

    @Test
    @DisplayName("a physical-mode RDM is left out (also when independent, the usual case); a virtual one needs VDDK")
    void rdms() {
        DiskAccess.Verdict p = of(rdm("physicalMode", "independent_persistent"), "VMFS");
        assertEquals(BackupSnapshot.Access.NONE, p.access());
        assertTrue(p.why().contains("physical-mode raw device mapping (LUN 0200000000600a0b80)"), p.why());
        DiskAccess.Verdict v = of(rdm("virtualMode", "persistent"), "VMFS");
        assertEquals(BackupSnapshot.Access.VDDK, v.access());
        assertTrue(v.why().contains("virtual-mode raw device mapping"), v.why());
        assertTrue(v.why().endsWith("with --transport nbd, nbdssl, hotadd or san (VMware's VDDK)"), v.why());
    }

    @Test
    @DisplayName("disks on vSAN and VVol datastores need nbd, nbdssl or hotadd (SAN does not apply)")
    void objectDatastores() {
        for (String ds : new String[] {"vsan", "VVOL"}) {
            DiskAccess.Verdict v = of(flat("persistent"), ds);
            assertEquals(BackupSnapshot.Access.VDDK, v.access());
            assertTrue(v.why().contains("--transport nbd, nbdssl or hotadd (VMware's VDDK)"), v.why());
        }
    }

    @Test
    @DisplayName("a delta of the VM's own snapshots and a SESparse disk need a VDDK transport")
    void chains() {
        VirtualDiskFlatVer2BackingInfo delta = flat("persistent");
        delta.setParent(flat("persistent"));
        delta.getParent().setFileName("[ds] vm/vm_1-base.vmdk");
        DiskAccess.Verdict d = of(delta, "VMFS");
        assertEquals(BackupSnapshot.Access.VDDK, d.access());
        assertTrue(d.why().contains("is a delta over [ds] vm/vm_1-base.vmdk"), d.why());
        VirtualDiskSeSparseBackingInfo se = new VirtualDiskSeSparseBackingInfo();
        se.setDiskMode("persistent");
        DiskAccess.Verdict s = of(se, "VMFS");
        assertEquals(BackupSnapshot.Access.VDDK, s.access());
        assertTrue(s.why().contains("VirtualDiskSeSparseBackingInfo backing, not a flat VMDK"), s.why());
    }
}
