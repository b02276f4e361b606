package io.cairn.vsphere.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.vmware.vim25.DiskChangeExtent;
import com.vmware.vim25.DiskChangeInfo;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Changed block tracking against a STAND-IN for QueryChangedDiskAreas: vcsim does not implement
 * the method, so its paging is replayed here from hand-made DiskChangeInfo answers.
 */
class CbtTest {
    static final long MiB = 1 << 20;

    static DiskChangeInfo window(long start, long length, long... areas) {
        DiskChangeInfo i = new DiskChangeInfo();
        i.setStartOffset(start);
        i.setLength(length);
        for (int k = 0; k < areas.length; k += 2) {
            DiskChangeExtent e = new DiskChangeExtent();
            e.setStart(areas[k]);
            e.setLength(areas[k + 1]);
            i.getChangedArea().add(e);
        }
        return i;
    }

    @Test
    @DisplayName("a server answering window by window is asked again from where each window ended")
    void paging() throws Exception {
        List<Long> asked = new ArrayList<>();
        List<BackupSnapshot.Area> got = Cbt.collect(100 * MiB, offset -> {
            asked.add(offset);
            return offset == 0
                    ? window(0, 40 * MiB, 0, MiB, 10 * MiB, 2 * MiB)
                    : offset == 40 * MiB ? window(40 * MiB, 40 * MiB) : window(80 * MiB, 20 * MiB, 99 * MiB, MiB);
        });
        assertEquals(List.of(0L, 40 * MiB, 80 * MiB), asked);
        assertEquals(
                List.of(
                        new BackupSnapshot.Area(0, MiB),
                        new BackupSnapshot.Area(10 * MiB, 2 * MiB),
                        new BackupSnapshot.Area(99 * MiB, MiB)),
                got);
    }

    @Test
    @DisplayName("a window that does not advance, or an area beyond the disk, makes the disk read whole (null)")
    void brokenAnswers() throws Exception {
        assertNull(Cbt.collect(100 * MiB, offset -> window(offset, 0)));
        assertNull(Cbt.collect(100 * MiB, offset -> window(0, 100 * MiB, 99 * MiB, 2 * MiB)));
        assertEquals(
                List.of(), Cbt.collect(100 * MiB, offset -> window(0, 100 * MiB)), "nothing changed is an empty list");
    }
}
