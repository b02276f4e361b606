package io.cairn.vsphere.config;

import com.vmware.vim25.VirtualMachineConfigSpec;
import java.util.List;

/**
 * The spec for {@code CreateVM_Task} built from a stored ConfigInfo, what the caller should tell
 * the user, and which stored disk becomes which new disk.
 */
public record Recreate(VirtualMachineConfigSpec spec, List<String> warnings, List<DiskPlan> disks) {
    public Recreate {
        warnings = List.copyOf(warnings);
        disks = List.copyOf(disks);
    }
}
