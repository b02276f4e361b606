package io.cairn.vsphere.restore;

import java.util.Locale;

/**
 * Whether writing a VM's disks back needs a restore snapshot, by the transport a disk is actually
 * written with. The VDDK Programming Guide, "Low Level Restore Procedures" → "Restoring a Virtual
 * Machine and Disk", is the authority:
 *
 * <blockquote>With SAN transport mode, you must create a snapshot of the virtual machine before
 * virtual disk restore. [...] If at restore time the virtual machine had a pre-existing snapshot, you
 * must delete it, otherwise SAN mode restore will fail. For other transport modes, the restore
 * snapshot is optional. With a VVol datastore, the restore snapshot is forbidden when restoring to the
 * parent (backing disk).</blockquote>
 *
 * <ul>
 *   <li><b>san</b>: {@link #REQUIRED}. The base disk on the LUN is written through a connection on
 *       the snapshot, then the VM is reverted to the snapshot and the snapshot deleted, so vSphere's
 *       view of the disk and its content agree again.</li>
 *   <li><b>hotadd</b>, <b>nbd</b>, <b>nbdssl</b>: {@link #OPTIONAL}; cairn takes none (the VM is
 *       powered off and has no snapshots of its own, the host writes the disk itself).</li>
 *   <li><b>https</b>: {@link #NONE}; a datastore PUT replaces whole files of a powered-off VM.</li>
 *   <li>On a <b>VVol</b> datastore, whatever the transport: {@link #FORBIDDEN} (a VVol snapshot is a
 *       separate object; reverting to it would discard the writes to the parent).</li>
 * </ul>
 */
public enum RestoreSnapshot {
    REQUIRED,
    OPTIONAL,
    FORBIDDEN,
    NONE;

    /**
     * @param transport the transport the disk is written with ({@code san}, {@code hotadd},
     *     {@code nbd}, {@code nbdssl}, {@code https}), after VMware's rules chose it (a thin disk asked
     *     over SAN is written with nbdssl, and needs no snapshot)
     * @param vvol whether the disk is on a VVol datastore
     */
    public static RestoreSnapshot forTransport(String transport, boolean vvol) {
        if (vvol) {
            return FORBIDDEN;
        }
        return switch (transport.toLowerCase(Locale.ROOT)) {
            case "san" -> REQUIRED;
            case "hotadd", "nbd", "nbdssl" -> OPTIONAL;
            case "https" -> NONE;
            default -> throw new IllegalArgumentException("unknown transport " + transport);
        };
    }

    /** Whether cairn takes one: only when required. */
    public boolean taken() {
        return this == REQUIRED;
    }
}
