package io.cairn.vixmntbridge.vddk;

/**
 * Where a disk lives, as far as VMware's rules for choosing its transport care (VDDK Programming
 * Guide, "Best Practices for SAN Transport" and "for NBD"):
 *
 * <ul>
 *   <li>a disk on a host's <b>local datastore</b> is on no LUN a proxy sees, so "programs must
 *       explicitly request NBD or NBDSSL mode";</li>
 *   <li>"SAN transport is not supported on <b>VVol</b> datastores";</li>
 *   <li>SAN restores of <b>thin</b> disks are the slowest there are (a round trip through the disk
 *       manager's AllocateBlock and ClearLazyZero per block): "For thin disk restore, NBDSSL is
 *       usually faster".</li>
 * </ul>
 *
 * @param localDatastore the datastore is a host's local one ({@code LocalDatastoreInfo})
 * @param vvol the datastore is a VVol one ({@code summary.type} {@code VVOL})
 * @param thin the disk is thin-provisioned
 */
public record Placement(boolean localDatastore, boolean vvol, boolean thin) {
    /** A shared, non-VVol datastore and a thick disk: every transport may be tried as asked. */
    public static final Placement SHARED_THICK = new Placement(false, false, false);
}
