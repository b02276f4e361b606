package io.cairn.vsphere.backup;

import com.vmware.vim25.VirtualController;
import com.vmware.vim25.VirtualDevice;
import com.vmware.vim25.VirtualDisk;
import com.vmware.vim25.VirtualMachineConfigInfo;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A VM's virtual disks in the order cairn backs them up and restores them: controller bus number,
 * controller key, then unit number. Backup disk {@code i} ({@code disk<i>} in the manifest) is
 * {@code of(config).get(i)}, before and after a restore.
 */
public final class VmDisks {
    private VmDisks() {}

    /** The disks of a configuration, in backup order. */
    public static List<VirtualDisk> of(VirtualMachineConfigInfo cfg) {
        Map<Integer, VirtualDevice> byKey = new LinkedHashMap<>();
        for (VirtualDevice d : cfg.getHardware().getDevice()) {
            byKey.put(d.getKey(), d);
        }
        List<VirtualDisk> out = new ArrayList<>();
        for (VirtualDevice d : cfg.getHardware().getDevice()) {
            if (d instanceof VirtualDisk vd) {
                out.add(vd);
            }
        }
        // controller bus number, then unit number: the order a restore adds them back in
        out.sort(Comparator.comparingInt((VirtualDisk d) -> busOf(byKey.get(d.getControllerKey())))
                .thenComparingInt(d -> d.getControllerKey() == null ? 0 : d.getControllerKey())
                .thenComparingInt(d -> d.getUnitNumber() == null ? 0 : d.getUnitNumber()));
        return out;
    }

    private static int busOf(VirtualDevice controller) {
        return controller instanceof VirtualController vc ? vc.getBusNumber() : 0;
    }

    /** The device's label ("Hard disk 1"), or "disk KEY" when it has none. */
    public static String label(VirtualDevice d) {
        return d.getDeviceInfo() != null && d.getDeviceInfo().getLabel() != null
                ? d.getDeviceInfo().getLabel()
                : "disk " + d.getKey();
    }
}
