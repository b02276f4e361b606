package io.cairn.mount.volume;

import io.cairn.mount.image.Image;
import java.io.IOException;
import java.util.List;

/**
 * A disk's partition table as read by {@link Mbr} or {@link Gpt}.
 *
 * @param scheme     "MBR" or "GPT"
 * @param partitions usable entries, in Linux number order
 * @param problems   entries or parts of the table that could not be used (out of range, overlapping,
 *                   a broken EBR chain), already named after the partition or disk
 * @param warnings   e.g. the primary GPT header was damaged and the backup was used
 */
record PartitionTable(String scheme, List<Partition> partitions, List<Unsupported> problems, List<String> warnings) {

    /** 512-byte logical sectors; 4Kn disks are detected by {@link Gpt} and refused. */
    static final int SECTOR = 512;

    /**
     * Reads the partition table of {@code disk}.
     *
     * @return the table, or null when the disk has none (a filesystem or PV on the whole disk, or
     *         nothing recognisable)
     * @throws VolumeFormatException when a table is there but unusable as a whole
     */
    static PartitionTable read(Image disk, String diskName) throws IOException, VolumeFormatException {
        if (disk.size() < SECTOR) {
            return null;
        }
        byte[] mbr = disk.readFully(0, SECTOR);
        if (Bytes.u8(mbr, 510) != 0x55 || Bytes.u8(mbr, 511) != 0xAA) {
            return null;
        }
        if (Mbr.isProtective(mbr)) {
            return Gpt.read(disk, diskName);
        }
        // A FAT/NTFS/exFAT boot sector also ends in 55 AA: a filesystem on the whole disk wins,
        // as in libblkid's dos.c ("probably FAT -- ignore").
        if (Bytes.ascii(mbr, 3, "NTFS    ") || Bytes.ascii(mbr, 3, "EXFAT   ") || FsProbe.fat(mbr) != null) {
            return null;
        }
        return Mbr.read(disk, diskName, mbr);
    }
}
