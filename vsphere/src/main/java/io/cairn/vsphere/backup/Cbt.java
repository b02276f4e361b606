package io.cairn.vsphere.backup;

import com.vmware.vim25.DiskChangeExtent;
import com.vmware.vim25.DiskChangeInfo;
import io.cairn.repository.backup.Extent;
import io.cairn.repository.manifest.Manifest;
import java.util.ArrayList;
import java.util.List;

/**
 * Changed block tracking, the part that needs no server: whether a disk can be read incrementally,
 * and the paging loop over {@code QueryChangedDiskAreas}, which answers for a window of the disk at
 * a time ({@code startOffset}, {@code length}) and must be called again from where it stopped.
 */
final class Cbt {
    private Cbt() {}

    /** One call of QueryChangedDiskAreas at a disk offset. */
    @FunctionalInterface
    interface Query {
        DiskChangeInfo at(long offset) throws Exception;
    }

    /**
     * Why the disk must be read whole even though it has a changeId, or null when the previous
     * backup's changeId can be used: VMware's rule is that changes are relative to a changeId of the
     * same disk, and a resized disk starts a new chain.
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

    /**
     * Every changed area over {@code [0, capacity)}, calling {@code q} window by window; null when the
     * server does not make progress (a window that does not advance would loop forever) or reports
     * an area outside the disk.
     */
    static List<Extent> collect(long capacity, Query q) throws Exception {
        List<Extent> out = new ArrayList<>();
        long offset = 0;
        while (offset < capacity) {
            DiskChangeInfo info = q.at(offset);
            for (DiskChangeExtent e : info.getChangedArea()) {
                if (e.getStart() < 0 || e.getLength() < 0 || e.getStart() + e.getLength() > capacity) {
                    return null;
                }
                out.add(new Extent(e.getStart(), e.getLength()));
            }
            long next = info.getStartOffset() + info.getLength();
            if (next <= offset) {
                return null;
            }
            offset = next;
        }
        return out;
    }
}
