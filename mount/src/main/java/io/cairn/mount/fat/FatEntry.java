package io.cairn.mount.fat;

import java.time.Instant;

/**
 * A file or directory of a FAT volume, decoded from its 32-byte directory entry and long name
 * (FAT32 File System Specification 1.03, sections "FAT Directory Structure", with its date and
 * time formats, and "FAT Long Directory Entries").
 *
 * <p>Times: FAT stores wall-clock local time with no zone and the volume does not say which zone
 * that was. This reader reads the fields <b>as UTC</b>, always (what Linux vfat does with
 * {@code tz=UTC} and mtools with {@code TZ=UTC}). A file written at 14:00 local time in a guest
 * running at UTC+2 therefore shows as 14:00Z, not 12:00Z; the tree may shift them if it knows the
 * guest's zone.
 *
 * @param name the long (VFAT) name when a valid one is present, else the 8.3 short name ("NAME.EXT",
 *        with the Windows NT lowercase flags applied, OEM bytes decoded as code page 437); never
 *        empty, never "." or "..", never containing '/' or a control character; the root
 *        directory's name is ""
 * @param directory whether this is a directory ({@code ATTR_DIRECTORY})
 * @param size file size in bytes (0 to 4 GiB - 1); 0 for directories
 * @param modified last write time (DIR_WrtDate, DIR_WrtTime), 2-second resolution; null if the
 *        fields are zero or not a valid date
 * @param accessed last access date (DIR_LstAccDate) at 00:00, FAT keeps no time of day for it;
 *        null if zero or invalid
 * @param created creation time (DIR_CrtDate, DIR_CrtTime, DIR_CrtTimeTenth), 10 ms resolution;
 *        null if zero or invalid (many tools leave it zero)
 * @param attributes the raw DIR_Attr byte (0x01 read-only, 0x02 hidden, 0x04 system, 0x10
 *        directory, 0x20 archive)
 * @param firstCluster first data cluster; 0 for an empty file and for the FAT12/16 root directory
 */
public record FatEntry(
        String name,
        boolean directory,
        long size,
        Instant modified,
        Instant accessed,
        Instant created,
        int attributes,
        long firstCluster) {

    public static final int ATTR_READ_ONLY = 0x01;
    public static final int ATTR_HIDDEN = 0x02;
    public static final int ATTR_SYSTEM = 0x04;
    public static final int ATTR_VOLUME_ID = 0x08;
    public static final int ATTR_DIRECTORY = 0x10;
    public static final int ATTR_ARCHIVE = 0x20;
}
