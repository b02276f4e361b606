package io.cairn.mount.volume;

import io.cairn.mount.image.Image;
import java.io.IOException;

/**
 * Recognises a volume's content by its superblock, the way util-linux libblkid does
 * (<a href="https://github.com/util-linux/util-linux/tree/master/libblkid/src/superblocks">libblkid superblocks</a>).
 * Reads at most a few KiB; never reads past the end of the image.
 */
public final class FsProbe {
    private FsProbe() {}

    // ext2/3/4 (https://www.kernel.org/doc/html/latest/filesystems/ext4/super.html)
    private static final int EXT_SB = 1024;
    private static final int EXT_MAGIC = 0xEF53;
    private static final long EXT_COMPAT_HAS_JOURNAL = 0x4;
    private static final long EXT_INCOMPAT_RECOVER = 0x4;
    private static final long EXT_INCOMPAT_JOURNAL_DEV = 0x8;
    /** Incompat features ext3 knows: FILETYPE, RECOVER, META_BG. Anything else means ext4. */
    private static final long EXT3_INCOMPAT = 0x2 | 0x4 | 0x10;
    /** Ro-compat features ext3 knows: SPARSE_SUPER, LARGE_FILE, BTREE_DIR. Anything else means ext4. */
    private static final long EXT3_RO_COMPAT = 0x1 | 0x2 | 0x4;
    /** btrfs: primary superblock at 64 KiB, magic at +0x40. */
    private static final int BTRFS_SB = 0x10000;
    /** ISO 9660: volume descriptors start at sector 16 of 2048 bytes; "CD001" at +1. */
    private static final int ISO_PVD = 16 * 2048;

    /** Probes {@code image} from its first byte. */
    public static FsInfo probe(Image image) throws IOException {
        long size = image.size();
        if (size < 512) {
            return FsInfo.UNKNOWN;
        }
        if (isLvmPv(image)) {
            return new FsInfo(FsType.LVM2_PV, null, null, false);
        }
        if (size >= EXT_SB + 1024) {
            byte[] sb = image.readFully(EXT_SB, 1024);
            if (Bytes.u16(sb, 56) == EXT_MAGIC) {
                FsInfo ext = ext(sb);
                if (ext != null) {
                    return ext;
                }
            }
        }
        byte[] s0 = image.readFully(0, 512);
        if (Bytes.ascii(s0, 0, "XFSB")) {
            return new FsInfo(FsType.XFS, Bytes.label(s0, 108, 12), Bytes.uuid(s0, 32), false);
        }
        if (size >= BTRFS_SB + 4096) {
            byte[] sb = image.readFully(BTRFS_SB, 4096);
            if (Bytes.ascii(sb, 0x40, "_BHRfS_M")) {
                return new FsInfo(FsType.BTRFS, Bytes.label(sb, 0x12b, 256), Bytes.uuid(sb, 0x20), false);
            }
        }
        if (Bytes.ascii(s0, 3, "NTFS    ")) {
            // Volume serial number, printed by blkid as 16 hex digits; the label is in $Volume (MFT 3).
            return new FsInfo(FsType.NTFS, null, String.format("%016X", Bytes.u64(s0, 0x48)), false);
        }
        if (Bytes.ascii(s0, 3, "EXFAT   ")) {
            return new FsInfo(FsType.EXFAT, null, serial(Bytes.u32(s0, 100)), false);
        }
        FsInfo fat = fat(s0);
        if (fat != null) {
            return fat;
        }
        // Swap: the signature ends the first page; page sizes of the architectures Linux runs on.
        for (int page : new int[] {4096, 8192, 16384, 65536}) {
            if (size >= page) {
                byte[] tail = image.readFully(page - 10, 10);
                if (Bytes.ascii(tail, 0, "SWAPSPACE2") || Bytes.ascii(tail, 0, "SWAP-SPACE")) {
                    byte[] h = image.readFully(1024, 48);
                    // struct swap_header_v1_2: version, last_page, nr_badpages, uuid[16], volume_name[16]
                    boolean v1 = Bytes.ascii(tail, 0, "SWAPSPACE2");
                    return new FsInfo(
                            FsType.SWAP,
                            v1 ? Bytes.label(h, 28, 16) : null,
                            v1 && !Bytes.allZero(h, 12, 16) ? Bytes.uuid(h, 12) : null,
                            false);
                }
            }
        }
        if (size >= ISO_PVD + 2048) {
            byte[] pvd = image.readFully(ISO_PVD, 2048);
            if (Bytes.ascii(pvd, 1, "CD001")) {
                return new FsInfo(FsType.ISO9660, Bytes.label(pvd, 40, 32), null, false);
            }
        }
        return FsInfo.UNKNOWN;
    }

    private static FsInfo ext(byte[] sb) {
        long compat = Bytes.u32(sb, 0x5C);
        long incompat = Bytes.u32(sb, 0x60);
        long roCompat = Bytes.u32(sb, 0x64);
        if ((incompat & EXT_INCOMPAT_JOURNAL_DEV) != 0) {
            return null; // an external journal device, not a filesystem
        }
        FsType type;
        if ((incompat & ~EXT3_INCOMPAT) != 0 || (roCompat & ~EXT3_RO_COMPAT) != 0) {
            type = FsType.EXT4;
        } else if ((compat & EXT_COMPAT_HAS_JOURNAL) != 0) {
            type = FsType.EXT3;
        } else {
            type = FsType.EXT2;
        }
        boolean recover = (incompat & EXT_INCOMPAT_RECOVER) != 0;
        return new FsInfo(type, Bytes.label(sb, 0x78, 16), Bytes.uuid(sb, 0x68), recover);
    }

    /**
     * FAT boot sector heuristics after libblkid's vfat.c and the Microsoft FAT specification
     * (fatgen103): the FAT type is decided by the cluster count alone.
     */
    static FsInfo fat(byte[] s) {
        int jump = Bytes.u8(s, 0);
        if (!(jump == 0xE9 || (jump == 0xEB && Bytes.u8(s, 2) == 0x90))) {
            return null;
        }
        if (Bytes.u8(s, 510) != 0x55 || Bytes.u8(s, 511) != 0xAA) {
            return null;
        }
        int bytesPerSector = Bytes.u16(s, 11);
        int sectorsPerCluster = Bytes.u8(s, 13);
        int reserved = Bytes.u16(s, 14);
        int fats = Bytes.u8(s, 16);
        int rootEntries = Bytes.u16(s, 17);
        long total = Bytes.u16(s, 19) != 0 ? Bytes.u16(s, 19) : Bytes.u32(s, 32);
        int media = Bytes.u8(s, 21);
        long fatSize = Bytes.u16(s, 22) != 0 ? Bytes.u16(s, 22) : Bytes.u32(s, 36);
        if (bytesPerSector < 512
                || bytesPerSector > 4096
                || Integer.bitCount(bytesPerSector) != 1
                || sectorsPerCluster == 0
                || Integer.bitCount(sectorsPerCluster) != 1
                || reserved == 0
                || fats == 0
                || fats > 2
                || total == 0
                || fatSize == 0
                || (media != 0xF0 && media < 0xF8)) {
            return null;
        }
        long rootSectors = ((long) rootEntries * 32 + bytesPerSector - 1) / bytesPerSector;
        long dataSectors = total - reserved - fats * fatSize - rootSectors;
        if (dataSectors <= 0) {
            return null;
        }
        long clusters = dataSectors / sectorsPerCluster;
        // 4085 and 65525 are the specification's limits (fatgen103, "FAT type determination").
        FsType type = clusters < 4085 ? FsType.FAT12 : clusters < 65525 ? FsType.FAT16 : FsType.FAT32;
        // FAT32 keeps the extended BPB at 64 (serial at 67, label at 71); FAT12/16 at 36 (39, 43).
        int ebpb = type == FsType.FAT32 ? 64 : 36;
        String label = null;
        long serial = 0;
        boolean hasSerial = false;
        if (Bytes.u8(s, ebpb + 2) == 0x29) { // extended boot signature: serial and label present
            label = Bytes.label(s, ebpb + 7, 11);
            if ("NO NAME".equals(label)) {
                label = null;
            }
            serial = Bytes.u32(s, ebpb + 3);
            hasSerial = true;
        }
        return new FsInfo(type, label, hasSerial ? serial(serial) : null, false);
    }

    private static String serial(long v) {
        return String.format("%04X-%04X", v >>> 16, v & 0xffff);
    }

    /** An LVM2 label ("LABELONE", type "LVM2 001") in one of the first four sectors. */
    static boolean isLvmPv(Image image) throws IOException {
        for (int sector = 0; sector < 4; sector++) {
            if (image.size() < (sector + 1) * 512L) {
                return false;
            }
            byte[] s = image.readFully(sector * 512L, 512);
            if (Bytes.ascii(s, 0, "LABELONE") && Bytes.ascii(s, 24, "LVM2 001")) {
                return true;
            }
        }
        return false;
    }
}
