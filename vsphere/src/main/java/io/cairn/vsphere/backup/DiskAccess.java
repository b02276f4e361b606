package io.cairn.vsphere.backup;

import com.vmware.vim25.VirtualDeviceBackingInfo;
import com.vmware.vim25.VirtualDiskFlatVer1BackingInfo;
import com.vmware.vim25.VirtualDiskFlatVer2BackingInfo;
import com.vmware.vim25.VirtualDiskRawDiskMappingVer1BackingInfo;
import com.vmware.vim25.VirtualDiskSeSparseBackingInfo;
import com.vmware.vim25.VirtualDiskSparseVer2BackingInfo;

/**
 * Which transports can read a disk of a backup's snapshot ({@link BackupSnapshot.Access}), and the
 * one line that says why when it is not every one. The rules, from VMware's backup documentation:
 *
 * <ul>
 *   <li>An <b>independent</b> disk ({@code diskMode} {@code independent_persistent} or
 *       {@code independent_nonpersistent}) is not affected by snapshots ("Independent disks are not
 *       included in snapshots"): no transport reads a consistent copy. Left out, warned.</li>
 *   <li>A <b>physical-mode RDM</b> passes SCSI commands to the LUN and cannot be snapshotted. Left
 *       out, warned.</li>
 *   <li>A <b>virtual-mode RDM</b> is snapshotted like a virtual disk, but its data is the LUN, not a
 *       datastore file: VixDiskLib reads it (all four VDDK transports), https cannot.</li>
 *   <li>A disk on <b>vSAN</b> or a <b>VVol</b> datastore is an object, not a file behind the
 *       datastore's {@code /folder} interface: nbd, nbdssl and hotadd read it (SAN transport does
 *       not apply to vSAN or VVol).</li>
 *   <li>A <b>sparse</b>, <b>SESparse</b> or version-1 flat backing, or a flat disk with a
 *       {@code parent} (a delta of the VM's own snapshots): VixDiskLib reads through the chain, the
 *       https transport reads flat base files only.</li>
 * </ul>
 */
final class DiskAccess {
    private static final String VDDK_ALL = "nbd, nbdssl, hotadd or san";
    private static final String VDDK_OBJECTS = "nbd, nbdssl or hotadd";

    /** The access and, unless it is {@link BackupSnapshot.Access#ANY}, the line that explains it. */
    record Verdict(BackupSnapshot.Access access, String why) {}

    private DiskAccess() {}

    /** The backing's {@code diskMode} ({@code persistent}, {@code independent_persistent}, …), or null. */
    static String diskMode(VirtualDeviceBackingInfo b) {
        if (b instanceof VirtualDiskFlatVer2BackingInfo f) {
            return f.getDiskMode();
        }
        if (b instanceof VirtualDiskRawDiskMappingVer1BackingInfo r) {
            return r.getDiskMode();
        }
        if (b instanceof VirtualDiskSeSparseBackingInfo s) {
            return s.getDiskMode();
        }
        if (b instanceof VirtualDiskSparseVer2BackingInfo s) {
            return s.getDiskMode();
        }
        if (b instanceof VirtualDiskFlatVer1BackingInfo f) {
            return f.getDiskMode();
        }
        return null;
    }

    /** The changed block tracking id of a backing that is not flat (flat ones are read directly), or null. */
    static String changeId(VirtualDeviceBackingInfo b) {
        if (b instanceof VirtualDiskRawDiskMappingVer1BackingInfo r) {
            return r.getChangeId();
        }
        if (b instanceof VirtualDiskSeSparseBackingInfo s) {
            return s.getChangeId();
        }
        if (b instanceof VirtualDiskSparseVer2BackingInfo s) {
            return s.getChangeId();
        }
        return null;
    }

    /**
     * @param mode the backing's disk mode ({@link #diskMode})
     * @param datastoreType the type of the disk's datastore ({@code summary.type}: VMFS, NFS, vsan,
     *     VVOL, …), or null when not known
     * @param what the disk as messages name it ({@code 'Hard disk 2' (key 2001, [ds] vm/vm_1.vmdk)})
     * @param vm the VM's name
     */
    static Verdict of(VirtualDeviceBackingInfo b, String mode, String datastoreType, String what, String vm) {
        if (b instanceof VirtualDiskRawDiskMappingVer1BackingInfo r
                && "physicalMode".equals(r.getCompatibilityMode())) {
            // checked first: a physical-mode RDM is usually independent too, and this says more
            return new Verdict(
                    BackupSnapshot.Access.NONE,
                    what + " is a physical-mode raw device mapping (LUN " + r.getLunUuid() + "): it cannot be"
                            + " snapshotted, so no backup can read a consistent copy; left out of the backup of " + vm
                            + " (back it up inside the guest, or switch it to virtual mode)");
        }
        if (mode != null && mode.startsWith("independent")) {
            return new Verdict(
                    BackupSnapshot.Access.NONE,
                    what + " is " + mode.replace('_', '-') + ": snapshots do not cover independent disks, so no"
                            + " backup can read a consistent copy; left out of the backup of " + vm
                            + " (make the disk dependent to back it up)");
        }
        if (b instanceof VirtualDiskRawDiskMappingVer1BackingInfo) {
            return new Verdict(
                    BackupSnapshot.Access.VDDK,
                    what + " is a virtual-mode raw device mapping: its data is on a LUN, not in a datastore"
                            + " file, so the https transport cannot read it; back up " + vm + " with --transport "
                            + VDDK_ALL + " (VMware's VDDK)");
        }
        if (datastoreType != null && datastoreType.equalsIgnoreCase("vsan")) {
            return new Verdict(
                    BackupSnapshot.Access.VDDK,
                    what + " is on a vSAN datastore, whose disks are objects, not datastore files, so the https"
                            + " transport cannot read it; back up " + vm + " with --transport " + VDDK_OBJECTS
                            + " (VMware's VDDK)");
        }
        if (datastoreType != null && datastoreType.equalsIgnoreCase("vvol")) {
            return new Verdict(
                    BackupSnapshot.Access.VDDK,
                    what + " is on a VVol datastore, whose disks are storage objects, not datastore files, so the"
                            + " https transport cannot read it; back up " + vm + " with --transport "
                            + VDDK_OBJECTS + " (VMware's VDDK)");
        }
        if (b instanceof VirtualDiskFlatVer2BackingInfo f) {
            if (f.getParent() != null) {
                return new Verdict(
                        BackupSnapshot.Access.VDDK,
                        what + " is a delta over " + f.getParent().getFileName() + ": " + vm + " has snapshots"
                                + " of its own and the https transport reads flat base files only; remove or"
                                + " consolidate them, or back up with --transport " + VDDK_ALL + " (VMware's VDDK)");
            }
            return new Verdict(BackupSnapshot.Access.ANY, null);
        }
        return new Verdict(
                BackupSnapshot.Access.VDDK,
                what + " has a " + (b == null ? "missing" : b.getClass().getSimpleName()) + " backing, not a flat"
                        + " VMDK, and the https transport reads flat disks only; back up " + vm
                        + " with --transport " + VDDK_ALL + " (VMware's VDDK)");
    }
}
