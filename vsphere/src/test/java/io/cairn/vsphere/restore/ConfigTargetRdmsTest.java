package io.cairn.vsphere.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.vmware.vim25.HostDiskDimensionsLba;
import com.vmware.vim25.HostScsiDisk;
import com.vmware.vim25.VirtualDisk;
import com.vmware.vim25.VirtualDiskRawDiskMappingVer1BackingInfo;
import com.vmware.vim25.VirtualMachineScsiDiskDeviceInfo;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** LUN choice from a STAND-IN ConfigTarget (vcsim reports no SCSI LUNs for raw device mappings). */
class ConfigTargetRdmsTest {
    static VirtualMachineScsiDiskDeviceInfo lun(String uuid, long gib) {
        HostScsiDisk d = new HostScsiDisk();
        d.setUuid(uuid);
        d.setDeviceName("/vmfs/devices/disks/naa." + uuid);
        HostDiskDimensionsLba cap = new HostDiskDimensionsLba();
        cap.setBlockSize(512);
        cap.setBlock(gib * 1024 * 1024 * 2);
        d.setCapacity(cap);
        VirtualMachineScsiDiskDeviceInfo i = new VirtualMachineScsiDiskDeviceInfo();
        i.setDisk(d);
        return i;
    }

    static VirtualDisk disk(long gib) {
        VirtualDisk d = new VirtualDisk();
        d.setCapacityInKB(gib * 1024 * 1024);
        return d;
    }

    static VirtualDiskRawDiskMappingVer1BackingInfo stored(String uuid) {
        VirtualDiskRawDiskMappingVer1BackingInfo b = new VirtualDiskRawDiskMappingVer1BackingInfo();
        b.setLunUuid(uuid);
        return b;
    }

    @Test
    @DisplayName("the stored LUN when it is still offered, else the first big enough; each LUN once; none → empty")
    void choice() {
        ConfigTargetRdms r = ConfigTargetRdms.of(List.of(lun("small", 1), lun("a", 10), lun("orig", 10), lun("b", 20)));
        assertEquals("orig", r.choose(disk(8), stored("orig")).orElseThrow().lunUuid());
        assertEquals("a", r.choose(disk(8), stored("gone")).orElseThrow().lunUuid());
        assertEquals("b", r.choose(disk(8), stored("orig")).orElseThrow().lunUuid(), "orig and a are taken now");
        assertTrue(r.choose(disk(8), stored("x")).isEmpty(), "only the 1 GiB LUN is left, too small");
        assertEquals("small", r.choose(disk(1), stored("x")).orElseThrow().lunUuid());
        assertTrue(ConfigTargetRdms.of(List.of()).choose(disk(1), stored("x")).isEmpty());
    }
}
