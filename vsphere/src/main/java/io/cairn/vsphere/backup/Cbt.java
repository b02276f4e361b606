package io.cairn.vsphere.backup;

import com.vmware.vim25.DiskChangeExtent;
import com.vmware.vim25.DiskChangeInfo;
import java.util.ArrayList;
import java.util.List;

/**
 * Changed block tracking, the paging loop over {@code QueryChangedDiskAreas}, which answers for a
 * window of the disk at a time ({@code startOffset}, {@code length}) and must be called again from
 * where it stopped. Whether a disk may be read incrementally at all is the operations layer's call
 * (it compares with the previous backup).
 */
public final class Cbt {
    private Cbt() {}

    /** One call of QueryChangedDiskAreas at a disk offset. */
    @FunctionalInterface
    public interface Query {
        DiskChangeInfo at(long offset) throws Exception;
    }

    /**
     * Every changed area over {@code [0, capacity)}, calling {@code q} window by window; null when the
     * server does not make progress (a window that does not advance would loop forever) or reports
     * an area outside the disk.
     */
    public static List<BackupSnapshot.Area> collect(long capacity, Query q) throws Exception {
        List<BackupSnapshot.Area> out = new ArrayList<>();
        long offset = 0;
        while (offset < capacity) {
            DiskChangeInfo info = q.at(offset);
            for (DiskChangeExtent e : info.getChangedArea()) {
                if (e.getStart() < 0 || e.getLength() < 0 || e.getStart() + e.getLength() > capacity) {
                    return null;
                }
                out.add(new BackupSnapshot.Area(e.getStart(), e.getLength()));
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
