package io.cairn.vsphere.config;

import com.vmware.vim25.ParaVirtualSCSIController;
import com.vmware.vim25.VirtualAHCIController;
import com.vmware.vim25.VirtualBusLogicController;
import com.vmware.vim25.VirtualController;
import com.vmware.vim25.VirtualDevice;
import com.vmware.vim25.VirtualDisk;
import com.vmware.vim25.VirtualIDEController;
import com.vmware.vim25.VirtualLsiLogicController;
import com.vmware.vim25.VirtualLsiLogicSASController;
import com.vmware.vim25.VirtualMachineConfigInfo;
import com.vmware.vim25.VirtualNVMEController;
import com.vmware.vim25.VirtualSCSIController;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The disks of a stored ConfigInfo as a user names them on a command line or in a form: by slot as
 * the {@code .vmx} writes it ({@code scsi0:1}, {@code sata0:0}, {@code nvme0:0}, {@code ide1:0}),
 * by label ({@code "Hard disk 2"}, case-insensitive), or by device key ({@code 2001}). The
 * per-disk options of {@link RecreateOptions} are keyed by device key; this turns what a user typed
 * into those keys, or names the disks there are.
 */
public final class DiskNames {

    private DiskNames() {}

    /** Each disk's slot name ({@code scsi0:1}) by device key, in device order; a disk on an unknown controller is left out. */
    public static Map<Integer, String> slots(VirtualMachineConfigInfo info) {
        Map<Integer, VirtualDevice> byKey = new HashMap<>();
        List<VirtualDevice> devices =
                info.getHardware() == null ? List.of() : info.getHardware().getDevice();
        devices.forEach(d -> byKey.put(d.getKey(), d));
        Map<Integer, String> out = new LinkedHashMap<>();
        for (VirtualDevice d : devices) {
            if (d instanceof VirtualDisk disk
                    && disk.getControllerKey() != null
                    && byKey.get(disk.getControllerKey()) instanceof VirtualController c
                    && disk.getUnitNumber() != null) {
                String kind = kind(c);
                if (kind != null) {
                    out.put(disk.getKey(), kind + c.getBusNumber() + ":" + disk.getUnitNumber());
                }
            }
        }
        return out;
    }

    /**
     * The device key of the disk {@code name} names.
     *
     * @throws IllegalArgumentException naming the disks there are when none matches
     */
    public static int key(VirtualMachineConfigInfo info, String name) {
        String n = name == null ? "" : name.strip();
        List<VirtualDisk> disks = new ArrayList<>();
        if (info.getHardware() != null) {
            for (VirtualDevice d : info.getHardware().getDevice()) {
                if (d instanceof VirtualDisk disk) {
                    disks.add(disk);
                }
            }
        }
        Map<Integer, String> slots = slots(info);
        for (VirtualDisk d : disks) {
            String label = d.getDeviceInfo() == null ? null : d.getDeviceInfo().getLabel();
            if (n.equalsIgnoreCase(slots.get(d.getKey()))
                    || (label != null && n.equalsIgnoreCase(label))
                    || n.equals(String.valueOf(d.getKey()))) {
                return d.getKey();
            }
        }
        List<String> known = new ArrayList<>();
        for (VirtualDisk d : disks) {
            String label = d.getDeviceInfo() == null ? null : d.getDeviceInfo().getLabel();
            known.add(slots.getOrDefault(d.getKey(), "key " + d.getKey()) + (label == null ? "" : " (" + label + ")"));
        }
        throw new IllegalArgumentException("the VM has no disk '" + name + "'; its disks are "
                + (known.isEmpty() ? "none" : String.join(", ", known)));
    }

    /**
     * {@code DISK=VALUE} pairs with user disk names turned into device keys (the form of
     * {@code --disk-datastore DISK=DS}).
     *
     * @throws IllegalArgumentException for an unknown disk or one named twice
     */
    public static <V> Map<Integer, V> byKey(VirtualMachineConfigInfo info, Map<String, V> byName) {
        Map<Integer, V> out = new LinkedHashMap<>();
        for (Map.Entry<String, V> e : byName.entrySet()) {
            int k = key(info, e.getKey());
            if (out.put(k, e.getValue()) != null) {
                throw new IllegalArgumentException("disk '" + e.getKey() + "' is named twice");
            }
        }
        return out;
    }

    /** The .vmx device prefix of a controller: scsi, sata, nvme, ide; null for others. */
    private static String kind(VirtualController c) {
        if (c instanceof VirtualSCSIController
                || c instanceof VirtualLsiLogicController
                || c instanceof VirtualLsiLogicSASController
                || c instanceof ParaVirtualSCSIController
                || c instanceof VirtualBusLogicController) {
            return "scsi";
        }
        if (c instanceof VirtualAHCIController) {
            return "sata";
        }
        if (c instanceof VirtualNVMEController) {
            return "nvme";
        }
        if (c instanceof VirtualIDEController) {
            return "ide";
        }
        return null;
    }
}
