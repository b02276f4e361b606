package io.cairn.vsphere.config;

import com.vmware.vim25.VirtualDisk;
import com.vmware.vim25.VirtualDiskRawDiskMappingVer1BackingInfo;
import java.util.Optional;

/**
 * Picks the LUN a restored raw device mapping (RDM) will map. The restore code implements it with
 * {@code EnvironmentBrowser/QueryConfigTarget} ({@code ConfigTarget.scsiDisk}: LUNs the target host
 * sees that are not in use); the VM's own data is never written to the LUN by cairn.
 */
@FunctionalInterface
public interface RdmChooser {

    /** A LUN as {@code VirtualDiskRawDiskMappingVer1BackingInfo} names it. */
    record Lun(String deviceName, String lunUuid) {
        public Lun {
            if (deviceName == null || deviceName.isBlank()) {
                throw new IllegalArgumentException("a LUN needs its deviceName (e.g. /vmfs/devices/disks/naa...)");
            }
        }
    }

    /**
     * A free LUN for the stored RDM {@code disk} (whose backing is {@code stored}: old LUN uuid,
     * compatibility mode, capacity in {@code disk}), or empty when there is none.
     */
    Optional<Lun> choose(VirtualDisk disk, VirtualDiskRawDiskMappingVer1BackingInfo stored);
}
