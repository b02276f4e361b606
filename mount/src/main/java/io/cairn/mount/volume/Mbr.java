package io.cairn.mount.volume;

import io.cairn.mount.image.Image;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The DOS/MBR partition table: four primary entries at byte 446 of sector 0, 16 bytes each (status,
 * CHS, type, CHS, LBA start, sector count), and extended partitions whose logical partitions form a
 * chain of EBRs. Each EBR's first entry is a logical partition relative to that EBR; its second entry
 * points to the next EBR relative to the start of the outermost extended partition. Numbering follows
 * Linux (block/partitions/msdos.c): primaries keep slots 1-4, logicals are 5, 6, … in chain order.
 * See <a href="https://en.wikipedia.org/wiki/Extended_boot_record">Extended boot record</a>.
 */
final class Mbr {
    private Mbr() {}

    private static final int ENTRIES = 446;
    /** GPT protective MBR partition type. */
    static final int TYPE_GPT_PROTECTIVE = 0xEE;
    /** Linux stops after 64 logical partitions too; the bound also ends chains that never loop. */
    private static final int MAX_LOGICAL = 128;

    static boolean isProtective(byte[] mbr) {
        for (int i = 0; i < 4; i++) {
            if (Bytes.u8(mbr, ENTRIES + 16 * i + 4) == TYPE_GPT_PROTECTIVE) {
                return true;
            }
        }
        return false;
    }

    static boolean isExtended(int type) {
        return type == 0x05 || type == 0x0F || type == 0x85;
    }

    static PartitionTable read(Image disk, String diskName, byte[] mbr) throws IOException, VolumeFormatException {
        for (int i = 0; i < 4; i++) {
            int status = Bytes.u8(mbr, ENTRIES + 16 * i);
            if (status != 0 && status != 0x80) {
                throw new VolumeFormatException(
                        "MBR entry " + (i + 1) + " has an invalid status byte 0x" + Integer.toHexString(status));
            }
        }
        long diskSectors = disk.size() / PartitionTable.SECTOR;
        List<Partition> parts = new ArrayList<>();
        List<Unsupported> problems = new ArrayList<>();
        List<Partition> logicals = new ArrayList<>();
        int nextLogical = 5;
        for (int i = 0; i < 4; i++) {
            int off = ENTRIES + 16 * i;
            int type = Bytes.u8(mbr, off + 4);
            long start = Bytes.u32(mbr, off + 8);
            long count = Bytes.u32(mbr, off + 12);
            if (type == 0 || count == 0) {
                continue;
            }
            int number = i + 1;
            String name = diskName + "-p" + number;
            if (start == 0 || start + count > diskSectors) {
                problems.add(new Unsupported(
                        name,
                        "partition (sectors " + start + "+" + count + ") extends past the end of the " + diskSectors
                                + "-sector disk"));
                continue;
            }
            if (isExtended(type)) {
                parts.add(entry(number, start, count, type, Partition.Role.CONTAINER));
                nextLogical = chain(disk, diskName, number, start, count, nextLogical, logicals, problems);
            } else {
                parts.add(entry(number, start, count, type, Partition.Role.DATA));
            }
        }
        // Primaries that overlap each other are ambiguous: keep the first, refuse the later one.
        List<Partition> kept = new ArrayList<>();
        for (Partition p : parts) {
            Partition clash = null;
            for (Partition k : kept) {
                if (p.offset() < k.offset() + k.length() && k.offset() < p.offset() + p.length()) {
                    clash = k;
                    break;
                }
            }
            if (clash != null) {
                problems.add(new Unsupported(diskName + "-p" + p.number(), "overlaps partition " + clash.number()));
            } else {
                kept.add(p);
            }
        }
        kept.addAll(logicals);
        return new PartitionTable("MBR", kept, problems, List.of());
    }

    private static Partition entry(int number, long start, long count, int type, Partition.Role role) {
        String hex = String.format("0x%02x", type);
        return new Partition(
                number,
                start * PartitionTable.SECTOR,
                count * PartitionTable.SECTOR,
                hex,
                typeName(type, hex),
                null,
                role);
    }

    /**
     * Walks the EBR chain of the extended partition {@code [extStart, extStart + extCount)}. Stops at
     * the first damaged link and reports it; the logical partitions before it are kept, as Linux does.
     */
    private static int chain(
            Image disk,
            String diskName,
            int extNumber,
            long extStart,
            long extCount,
            int number,
            List<Partition> out,
            List<Unsupported> problems)
            throws IOException {
        Set<Long> seen = new HashSet<>();
        long ebr = extStart;
        String where = "extended partition " + extNumber + ": ";
        while (true) {
            if (!seen.add(ebr)) {
                problems.add(new Unsupported(
                        diskName,
                        where + "EBR chain loops back to sector " + ebr + "; logical partitions from " + number
                                + " on are ignored"));
                return number;
            }
            if (seen.size() > MAX_LOGICAL) {
                problems.add(
                        new Unsupported(diskName, where + "more than " + MAX_LOGICAL + " EBRs; the rest are ignored"));
                return number;
            }
            if (ebr < extStart || ebr >= extStart + extCount) {
                problems.add(new Unsupported(
                        diskName,
                        where + "EBR at sector " + ebr
                                + " is outside the extended partition; logical partitions from " + number
                                + " on are ignored"));
                return number;
            }
            byte[] s = disk.readFully(ebr * PartitionTable.SECTOR, PartitionTable.SECTOR);
            if (Bytes.u8(s, 510) != 0x55 || Bytes.u8(s, 511) != 0xAA) {
                problems.add(new Unsupported(
                        diskName,
                        where + "EBR at sector " + ebr + " has no 55 AA signature; logical partitions from " + number
                                + " on are ignored"));
                return number;
            }
            int type = Bytes.u8(s, ENTRIES + 4);
            long start = Bytes.u32(s, ENTRIES + 8);
            long count = Bytes.u32(s, ENTRIES + 12);
            if (type != 0 && count != 0 && !isExtended(type)) {
                long abs = ebr + start;
                if (start == 0 || abs + count > extStart + extCount) {
                    problems.add(new Unsupported(
                            diskName + "-p" + number,
                            "logical partition (sectors " + abs + "+" + count
                                    + ") extends past its extended partition"));
                } else {
                    out.add(entry(number, abs, count, type, Partition.Role.DATA));
                }
                number++;
            }
            int nextType = Bytes.u8(s, ENTRIES + 16 + 4);
            long next = Bytes.u32(s, ENTRIES + 16 + 8);
            long nextCount = Bytes.u32(s, ENTRIES + 16 + 12);
            // A link of 0 would point back at the first EBR: that is a loop, caught above, not an end.
            if (!isExtended(nextType) || nextCount == 0) {
                return number;
            }
            ebr = extStart + next;
        }
    }

    static String typeName(int type, String hex) {
        switch (type) {
            case 0x01:
                return "FAT12";
            case 0x04:
            case 0x06:
            case 0x0E:
                return "FAT16";
            case 0x05:
            case 0x0F:
            case 0x85:
                return "extended";
            case 0x07:
                return "NTFS/exFAT";
            case 0x0B:
            case 0x0C:
                return "FAT32";
            case 0x27:
                return "Windows recovery";
            case 0x82:
                return "Linux swap";
            case 0x83:
                return "Linux";
            case 0x8E:
                return "Linux LVM";
            case 0xEF:
                return "EFI System";
            case 0xFD:
                return "Linux RAID";
            default:
                return hex;
        }
    }
}
