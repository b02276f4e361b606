package io.cairn.mount.fat;

import io.cairn.mount.image.Image;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.Charset;

/**
 * The validated geometry of a FAT volume, parsed from the BIOS Parameter Block in sector 0.
 *
 * <p>Layout and formulas: FAT32 File System Specification 1.03, sections "Boot Sector and BPB"
 * (offsets 0..35 shared by all types, then the FAT12/16 or the FAT32 extension) and "FAT Type
 * Determination" (the type depends on the count of data clusters and on nothing else).
 */
final class BootSector {

    /** FAT type, decided only by the count of clusters. */
    enum Type {
        FAT12(12),
        FAT16(16),
        FAT32(32);

        final int bits;

        Type(int bits) {
            this.bits = bits;
        }
    }

    /**
     * Cluster-count limits of "FAT Type Determination": fewer than 4085 clusters is FAT12, fewer
     * than 65525 is FAT16, anything else FAT32. The spec insists these exact numbers (not 4086 or
     * 4084) are what every correct implementation uses.
     */
    static final long FAT12_MAX_CLUSTERS_EXCLUSIVE = 4085;

    static final long FAT16_MAX_CLUSTERS_EXCLUSIVE = 65525;

    /** FAT32 cluster numbers are 28 bits; 0x0FFFFFF7 and up are "bad" and end-of-chain marks. */
    static final long FAT32_MAX_CLUSTERS = 0x0FFFFFF5L;

    /** A directory entry is 32 bytes ("FAT Directory Structure"). */
    static final int DIR_ENTRY_SIZE = 32;

    static final Charset OEM = Charset.forName("IBM437");

    final Type type;
    final int bytesPerSector;
    final int sectorsPerCluster;
    final int clusterSize;
    final int reservedSectors;
    final int fatCount;
    /** Index (0-based) of the FAT to read: the first one, unless FAT32 mirroring is disabled. */
    final int activeFat;

    final long fatSectors;
    final int rootEntryCount;
    final long totalSectors;
    final long clusterCount;
    /** Byte offset of the first FAT. */
    final long fatOffset;
    /** Byte offset of the FAT12/16 fixed root directory (0 on FAT32). */
    final long rootDirOffset;
    /** Bytes of the FAT12/16 fixed root directory (0 on FAT32). */
    final int rootDirBytes;
    /** Byte offset of cluster 2, the first data cluster. */
    final long dataOffset;
    /** FAT32 BPB_RootClus; 0 on FAT12/16. */
    final long rootCluster;
    /** BS_VolLab trimmed, or null when absent or the "NO NAME" placeholder. */
    final String bpbLabel;

    private BootSector(Image volume, ByteBuffer b) throws FatFormatException {
        // The signature is at bytes 510 and 511 of sector 0 whatever the sector size is
        // ("Boot Sector and BPB", note after the table).
        if ((b.get(510) & 0xFF) != 0x55 || (b.get(511) & 0xFF) != 0xAA) {
            throw new FatFormatException(String.format(
                    "not a FAT volume: boot sector signature is 0x%02X%02X, expected 0x55AA",
                    b.get(510) & 0xFF, b.get(511) & 0xFF));
        }
        int jump = b.get(0) & 0xFF;
        if (jump != 0xEB && jump != 0xE9) {
            throw new FatFormatException(
                    String.format("not a FAT volume: BS_jmpBoot starts with 0x%02X, expected 0xEB or 0xE9", jump));
        }
        bytesPerSector = u16(b, 11);
        if (bytesPerSector < 512 || bytesPerSector > 4096 || Integer.bitCount(bytesPerSector) != 1) {
            throw new FatFormatException(
                    "invalid BPB_BytsPerSec " + bytesPerSector + ": must be 512, 1024, 2048 or 4096");
        }
        sectorsPerCluster = b.get(13) & 0xFF;
        if (sectorsPerCluster == 0 || Integer.bitCount(sectorsPerCluster) != 1) {
            throw new FatFormatException(
                    "invalid BPB_SecPerClus " + sectorsPerCluster + ": must be a power of two from 1 to 128");
        }
        clusterSize = bytesPerSector * sectorsPerCluster; // at most 4096 * 128 = 512 KiB
        reservedSectors = u16(b, 14);
        if (reservedSectors == 0) {
            throw new FatFormatException("invalid BPB_RsvdSecCnt 0: the boot sector itself is reserved");
        }
        fatCount = b.get(16) & 0xFF;
        if (fatCount < 1 || fatCount > 4) {
            throw new FatFormatException("invalid BPB_NumFATs " + fatCount + ": must be 1 to 4");
        }
        rootEntryCount = u16(b, 17);
        int totalSectors16 = u16(b, 19);
        int fatSectors16 = u16(b, 22);
        long totalSectors32 = u32(b, 32);
        long fatSectors32 = u32(b, 36); // only meaningful when BPB_FATSz16 is 0 (FAT32 layout)
        boolean fat32Layout = fatSectors16 == 0;
        fatSectors = fat32Layout ? fatSectors32 : fatSectors16;
        totalSectors = totalSectors16 != 0 ? totalSectors16 : totalSectors32;
        if (fatSectors == 0) {
            throw new FatFormatException("invalid BPB: BPB_FATSz16 and BPB_FATSz32 are both 0");
        }
        if (totalSectors == 0) {
            throw new FatFormatException("invalid BPB: BPB_TotSec16 and BPB_TotSec32 are both 0");
        }
        // "FAT Type Determination": RootDirSectors rounds up to whole sectors.
        long rootDirSectors = ((long) rootEntryCount * DIR_ENTRY_SIZE + bytesPerSector - 1) / bytesPerSector;
        long metaSectors = reservedSectors + fatCount * fatSectors + rootDirSectors;
        if (metaSectors >= totalSectors) {
            throw new FatFormatException("invalid BPB: reserved, FAT and root directory regions (" + metaSectors
                    + " sectors) leave no data region in a " + totalSectors + "-sector volume");
        }
        clusterCount = (totalSectors - metaSectors) / sectorsPerCluster;
        if (clusterCount == 0) {
            throw new FatFormatException("invalid BPB: the data region holds no whole cluster");
        }
        if (clusterCount < FAT12_MAX_CLUSTERS_EXCLUSIVE) {
            type = Type.FAT12;
        } else if (clusterCount < FAT16_MAX_CLUSTERS_EXCLUSIVE) {
            type = Type.FAT16;
        } else {
            type = Type.FAT32;
        }
        if (type == Type.FAT32) {
            if (!fat32Layout || rootEntryCount != 0) {
                throw new FatFormatException("inconsistent BPB: " + clusterCount
                        + " clusters make FAT32, but BPB_FATSz16 is " + fatSectors16
                        + " and BPB_RootEntCnt is " + rootEntryCount + " (both must be 0 on FAT32)");
            }
            if (clusterCount > FAT32_MAX_CLUSTERS) {
                throw new FatFormatException(
                        "invalid BPB: " + clusterCount + " clusters do not fit in 28-bit FAT32 cluster numbers");
            }
        } else if (fat32Layout || rootEntryCount == 0) {
            throw new FatFormatException("inconsistent BPB: " + clusterCount + " clusters make "
                    + type + " by the spec's cluster-count rule, but the BPB has a FAT32 layout"
                    + " (BPB_FATSz16 " + fatSectors16 + ", BPB_RootEntCnt " + rootEntryCount + ")");
        }
        // Each FAT must have an entry for clusters 0 .. clusterCount + 1.
        long fatBitsNeeded = (clusterCount + 2) * type.bits;
        if (fatSectors * bytesPerSector * 8 < fatBitsNeeded) {
            throw new FatFormatException("invalid BPB: a FAT of " + fatSectors + " sectors cannot map " + clusterCount
                    + " clusters of a " + type + " volume");
        }
        long volumeBytes = totalSectors * bytesPerSector;
        if (volumeBytes > volume.size()) {
            throw new FatFormatException("truncated FAT volume: the BPB declares " + totalSectors + " sectors ("
                    + volumeBytes + " bytes) but the image has only " + volume.size() + " bytes");
        }
        fatOffset = (long) reservedSectors * bytesPerSector;
        rootDirOffset = type == Type.FAT32 ? 0 : fatOffset + fatCount * fatSectors * bytesPerSector;
        rootDirBytes = type == Type.FAT32 ? 0 : rootEntryCount * DIR_ENTRY_SIZE;
        dataOffset = (reservedSectors + fatCount * fatSectors + rootDirSectors) * bytesPerSector;

        if (type == Type.FAT32) {
            int extFlags = u16(b, 40);
            // BPB_ExtFlags bit 7 set: mirroring off, bits 0-3 name the only active FAT.
            activeFat = (extFlags & 0x80) != 0 ? extFlags & 0x0F : 0;
            if (activeFat >= fatCount) {
                throw new FatFormatException(
                        "invalid BPB_ExtFlags: active FAT " + activeFat + " but only " + fatCount + " FATs");
            }
            rootCluster = u32(b, 44);
            if (rootCluster < 2 || rootCluster > clusterCount + 1) {
                throw new FatFormatException(
                        "invalid BPB_RootClus " + rootCluster + ": valid clusters are 2 to " + (clusterCount + 1));
            }
            bpbLabel = (b.get(66) & 0xFF) == 0x29 ? label(b, 71) : null;
        } else {
            activeFat = 0;
            rootCluster = 0;
            bpbLabel = (b.get(38) & 0xFF) == 0x29 ? label(b, 43) : null;
        }
    }

    /** Reads and validates the boot sector of {@code volume}. */
    static BootSector read(Image volume) throws IOException {
        if (volume.size() < 512) {
            throw new FatFormatException(
                    "truncated FAT volume: " + volume.size() + " bytes cannot hold a 512-byte boot sector");
        }
        ByteBuffer b = ByteBuffer.wrap(volume.readFully(0, 512)).order(ByteOrder.LITTLE_ENDIAN);
        return new BootSector(volume, b);
    }

    /** Byte offset in the volume of data cluster {@code cluster} (2 .. clusterCount + 1). */
    long clusterOffset(long cluster) {
        return dataOffset + (cluster - 2) * clusterSize;
    }

    /** Highest valid data cluster number. */
    long maxCluster() {
        return clusterCount + 1;
    }

    private static String label(ByteBuffer b, int offset) {
        byte[] raw = new byte[11];
        b.get(offset, raw);
        return cleanLabel(new String(raw, OEM));
    }

    /** Trims a label; null when empty or the "NO NAME" placeholder format tools write. */
    static String cleanLabel(String raw) {
        String s = raw.strip();
        return s.isEmpty() || s.equals("NO NAME") ? null : s;
    }

    static int u16(ByteBuffer b, int offset) {
        return b.getShort(offset) & 0xFFFF;
    }

    static long u32(ByteBuffer b, int offset) {
        return b.getInt(offset) & 0xFFFFFFFFL;
    }
}
