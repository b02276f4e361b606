package io.cairn.vsphere.backup;

import com.vmware.vim25.ManagedObjectReference;
import com.vmware.vim25.VirtualMachineSnapshotInfo;
import com.vmware.vim25.VirtualMachineSnapshotTree;
import io.cairn.vsphere.connect.Faults;
import io.cairn.vsphere.connect.Props;
import io.cairn.vsphere.connect.VsphereConnection;
import io.cairn.vsphere.connect.VsphereException;
import io.cairn.vsphere.task.TaskLog;
import io.cairn.vsphere.task.Tasks;
import java.util.ArrayList;
import java.util.List;

/**
 * cairn's snapshots of a VM: made for a backup (or a SAN/HotAdd restore), always removed
 * afterwards; one left behind by a killed run is found by its name prefix and removed by the next
 * run, before it takes its own.
 */
public final class Snapshots {
    /** Every snapshot cairn takes is named with this prefix; nothing else may use it. */
    public static final String PREFIX = "cairn-";

    private Snapshots() {}

    /** cairn's snapshots of {@code vm} (by name prefix), oldest first. */
    public static List<VirtualMachineSnapshotTree> leftovers(VsphereConnection c, ManagedObjectReference vm)
            throws VsphereException {
        List<VirtualMachineSnapshotTree> out = new ArrayList<>();
        Object info = Props.one(c, vm, "snapshot");
        if (info instanceof VirtualMachineSnapshotInfo si) {
            collect(si.getRootSnapshotList(), out);
        }
        return out;
    }

    /** The names of the VM's snapshots that are not cairn's, oldest first. */
    public static List<String> others(VsphereConnection c, ManagedObjectReference vm) throws VsphereException {
        List<String> out = new ArrayList<>();
        Object info = Props.one(c, vm, "snapshot");
        if (info instanceof VirtualMachineSnapshotInfo si) {
            collectOthers(si.getRootSnapshotList(), out);
        }
        return out;
    }

    private static void collectOthers(List<VirtualMachineSnapshotTree> trees, List<String> out) {
        for (VirtualMachineSnapshotTree t : trees) {
            if (t.getName() == null || !t.getName().startsWith(PREFIX)) {
                out.add(t.getName() == null ? "(unnamed)" : t.getName());
            }
            collectOthers(t.getChildSnapshotList(), out);
        }
    }

    private static void collect(List<VirtualMachineSnapshotTree> trees, List<VirtualMachineSnapshotTree> out) {
        for (VirtualMachineSnapshotTree t : trees) {
            if (t.getName() != null && t.getName().startsWith(PREFIX)) {
                out.add(t);
            }
            collect(t.getChildSnapshotList(), out);
        }
    }

    /** Removes cairn snapshots left by an earlier run that was killed or lost its connection. */
    public static void removeLeftovers(VsphereConnection c, ManagedObjectReference vm, TaskLog log)
            throws VsphereException {
        for (VirtualMachineSnapshotTree t : leftovers(c, vm)) {
            log.log("removing snapshot '" + t.getName() + "' left by an earlier cairn run (created " + t.getCreateTime()
                    + ")");
            remove(c, t.getSnapshot());
        }
    }

    /**
     * Takes a snapshot without memory, quiesced when asked. Returns its moRef.
     */
    public static ManagedObjectReference create(
            VsphereConnection c, ManagedObjectReference vm, String name, String description, boolean quiesce)
            throws VsphereException {
        ManagedObjectReference task;
        try {
            task = c.port().createSnapshotTask(vm, name, description, false, quiesce);
        } catch (Exception e) {
            throw Faults.translate("CreateSnapshot_Task", vm, e);
        }
        return (ManagedObjectReference) Tasks.await(c, task, null);
    }

    /** Removes one snapshot and consolidates its disks into the parent. */
    public static void remove(VsphereConnection c, ManagedObjectReference snapshot) throws VsphereException {
        ManagedObjectReference task;
        try {
            task = c.port().removeSnapshotTask(snapshot, false, true);
        } catch (Exception e) {
            throw Faults.translate("RemoveSnapshot_Task", snapshot, e);
        }
        Tasks.await(c, task, null);
    }
}
