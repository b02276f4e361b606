package io.cairn.operations.backup;

import io.cairn.repository.manifest.Manifest;

/**
 * Whether a vCenter disk may be backed up incrementally, from its changed areas since the previous
 * backup's changeId: VMware's rule is that changes are relative to a changeId of the same disk,
 * and a resized disk starts a new chain.
 */
final class Incremental {
    private Incremental() {}

    /**
     * Why the disk must be read whole even though it has a changeId, or null when the previous
     * backup's changeId can be used.
     */
    static String whyFull(Manifest.DiskEntry before, long capacity) {
        if (before == null) {
            return "no earlier backup of this disk";
        }
        if (before.changeId() == null) {
            return "the earlier backup has no changeId";
        }
        if (before.capacity() != capacity) {
            return "the disk was resized (" + before.capacity() + " -> " + capacity + " bytes)";
        }
        return null;
    }
}
