package io.cairn.mount.volume;

import io.cairn.mount.image.Image;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The order in which VMware's VixMntapi (on Linux) lists a disk's volumes, as Linux partition
 * numbers: the MBR's primary partitions (the extended one and its logical partitions left out) or
 * every GPT entry, in table order; a disk without a partition table is one volume on the whole disk.
 * It lets a volume cairn found ({@code <disk>-p<N>}) be named to VixMntapi by its index.
 */
public final class PartitionOrder {
    private PartitionOrder() {}

    /**
     * The partition numbers of {@code disk} in VixMntapi's order; empty when the disk has no
     * partition table (its one volume is the whole disk).
     *
     * @throws IOException when the disk cannot be read or its table is unusable
     */
    public static List<Integer> of(Image disk, String diskName) throws IOException {
        PartitionTable t;
        try {
            t = PartitionTable.read(disk, diskName);
        } catch (VolumeFormatException e) {
            throw new IOException(e.getMessage(), e);
        }
        List<Integer> out = new ArrayList<>();
        if (t == null) {
            return out;
        }
        for (Partition p : t.partitions()) {
            boolean listed = t.scheme().equals("GPT") || (p.number() <= 4 && p.role() != Partition.Role.CONTAINER);
            if (listed) {
                out.add(p.number());
            }
        }
        return out;
    }
}
