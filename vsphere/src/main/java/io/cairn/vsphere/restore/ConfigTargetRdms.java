package io.cairn.vsphere.restore;

import com.vmware.vim25.ConfigTarget;
import com.vmware.vim25.HostScsiDisk;
import com.vmware.vim25.ManagedObjectReference;
import com.vmware.vim25.VirtualDisk;
import com.vmware.vim25.VirtualDiskRawDiskMappingVer1BackingInfo;
import com.vmware.vim25.VirtualMachineScsiDiskDeviceInfo;
import io.cairn.vsphere.config.RdmChooser;
import io.cairn.vsphere.connect.Faults;
import io.cairn.vsphere.connect.Props;
import io.cairn.vsphere.connect.VsphereConnection;
import io.cairn.vsphere.connect.VsphereException;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Free LUNs for restored raw device mappings, from {@code EnvironmentBrowser.QueryConfigTarget}
 * of the target compute resource: the SCSI disks its host(s) can map, minus those already chosen
 * in this restore. A LUN of at least the stored capacity is preferred; the stored LUN itself (same
 * uuid) first, when it is still there and free. Without one the restore is refused by the spec
 * builder with the disk named.
 */
final class ConfigTargetRdms implements RdmChooser {
    private final List<VirtualMachineScsiDiskDeviceInfo> luns;
    private final Set<String> taken = new HashSet<>();

    private ConfigTargetRdms(List<VirtualMachineScsiDiskDeviceInfo> luns) {
        this.luns = luns;
    }

    /** Over a given list (what QueryConfigTarget answered). */
    static ConfigTargetRdms of(List<VirtualMachineScsiDiskDeviceInfo> luns) {
        return new ConfigTargetRdms(List.copyOf(luns));
    }

    static ConfigTargetRdms of(VsphereConnection c, ManagedObjectReference pool, ManagedObjectReference host)
            throws VsphereException {
        ManagedObjectReference owner = (ManagedObjectReference) Props.one(c, pool, "owner");
        ManagedObjectReference browser =
                owner == null ? null : (ManagedObjectReference) Props.one(c, owner, "environmentBrowser");
        if (browser == null) {
            return new ConfigTargetRdms(List.of());
        }
        try {
            ConfigTarget t = c.port().queryConfigTarget(browser, host);
            return new ConfigTargetRdms(t == null ? List.of() : t.getScsiDisk());
        } catch (Exception e) {
            if (Faults.isMethodNotFound(e)) {
                return new ConfigTargetRdms(List.of());
            }
            throw Faults.translate("QueryConfigTarget", browser, e);
        }
    }

    @Override
    public synchronized Optional<Lun> choose(VirtualDisk disk, VirtualDiskRawDiskMappingVer1BackingInfo stored) {
        long need = disk.getCapacityInKB();
        VirtualMachineScsiDiskDeviceInfo best = null;
        for (VirtualMachineScsiDiskDeviceInfo i : luns) {
            HostScsiDisk d = i.getDisk();
            if (d == null || d.getDeviceName() == null || taken.contains(d.getUuid())) {
                continue;
            }
            long kb = d.getCapacity() == null
                    ? 0
                    : d.getCapacity().getBlock() * d.getCapacity().getBlockSize() / 1024;
            if (kb < need) {
                continue;
            }
            if (stored.getLunUuid() != null && stored.getLunUuid().equals(d.getUuid())) {
                best = i;
                break;
            }
            if (best == null) {
                best = i;
            }
        }
        if (best == null) {
            return Optional.empty();
        }
        taken.add(best.getDisk().getUuid());
        return Optional.of(
                new Lun(best.getDisk().getDeviceName(), best.getDisk().getUuid()));
    }
}
