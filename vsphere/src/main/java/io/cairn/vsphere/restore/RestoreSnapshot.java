package io.cairn.vsphere.restore;

import java.util.Locale;

/**
 * Whether writing a VM's disks back needs a restore snapshot, by transport (VMware's VDDK
 * programming guide, "Restoring virtual disks" and the transport notes):
 * <ul>
 *   <li><b>san</b>: required. SAN writes go to the base disk on the LUN; the VM is given a snapshot
 *       first, the base disk is written, then the VM is reverted to the snapshot and the snapshot
 *       deleted, so vSphere's view of the disk and its content agree again.</li>
 *   <li><b>hotadd</b>: required, for the same reason (the base disk is attached to the proxy).</li>
 *   <li><b>nbd</b>, <b>nbdssl</b>: optional; cairn takes none (the VM is powered off and has no
 *       snapshots, the host writes the disk itself).</li>
 *   <li><b>https</b>: none; a datastore PUT replaces whole files of a powered-off VM.</li>
 *   <li>On a <b>VVol</b> datastore writes to the parent are made without a snapshot, whatever the
 *       transport (a VVol snapshot is a separate object, reverting would discard the writes).</li>
 * </ul>
 */
public enum RestoreSnapshot {
    REQUIRED,
    OPTIONAL,
    NONE;

    public static RestoreSnapshot forTransport(String transport, boolean vvol) {
        if (vvol) {
            return NONE;
        }
        return switch (transport.toLowerCase(Locale.ROOT)) {
            case "san", "hotadd" -> REQUIRED;
            case "nbd", "nbdssl" -> OPTIONAL;
            case "https" -> NONE;
            default -> throw new IllegalArgumentException("unknown transport " + transport);
        };
    }

    /** Whether cairn takes one: only when required. */
    public boolean taken() {
        return this == REQUIRED;
    }
}
