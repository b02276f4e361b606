package io.cairn.mount.volume;

/** Filesystems (and other volume contents) recognised by {@link FsProbe}. */
public enum FsType {
    EXT2("ext2"),
    EXT3("ext3"),
    EXT4("ext4"),
    XFS("XFS"),
    BTRFS("btrfs"),
    NTFS("NTFS"),
    EXFAT("exFAT"),
    FAT12("FAT12"),
    FAT16("FAT16"),
    FAT32("FAT32"),
    ISO9660("ISO 9660"),
    SWAP("swap"),
    /** An LVM2 physical volume: not a filesystem, it feeds volume groups. */
    LVM2_PV("LVM2 PV"),
    UNKNOWN("unknown");

    private final String displayName;

    FsType(String displayName) {
        this.displayName = displayName;
    }

    /** Name as people write it: "ext4", "FAT32", "NTFS". */
    public String displayName() {
        return displayName;
    }

    @Override
    public String toString() {
        return displayName;
    }
}
