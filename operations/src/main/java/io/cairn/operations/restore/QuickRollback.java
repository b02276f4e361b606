package io.cairn.operations.restore;

import io.cairn.repository.index.DiskIndex;
import io.cairn.vsphere.backup.BackupSnapshot;
import java.util.List;

/**
 * Which chunks of a backed-up disk a quick rollback writes back: those that overlap an area changed
 * block tracking reports as written since the backup. Every other chunk holds, on the disk now, what
 * the backup holds.
 */
final class QuickRollback {
    private QuickRollback() {}

    /**
     * For each chunk of {@code idx}, whether it overlaps one of {@code areas} (byte ranges; empty ones
     * and the parts beyond the disk are ignored).
     */
    static boolean[] chunks(DiskIndex idx, List<BackupSnapshot.Area> areas) {
        boolean[] out = new boolean[idx.count()];
        for (BackupSnapshot.Area a : areas) {
            if (a.length() <= 0 || a.offset() >= idx.capacity()) {
                continue;
            }
            long end = Math.min(idx.capacity(), a.offset() + a.length());
            // chunks may differ in length (a v2 index): find the first by offset, then walk on
            for (int c = idx.entryAt(Math.max(0, a.offset())); c < idx.count() && idx.offset(c) < end; c++) {
                out[c] = true;
            }
        }
        return out;
    }
}
