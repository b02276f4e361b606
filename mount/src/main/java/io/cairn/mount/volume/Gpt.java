package io.cairn.mount.volume;

import io.cairn.mount.image.Image;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * The GUID partition table (UEFI specification 2.10, section 5.3,
 * <a href="https://uefi.org/specs/UEFI/2.10/05_GUID_Partition_Table_Format.html">GPT disk layout</a>).
 * The primary header is at LBA 1, the backup at the last LBA; each has a CRC32 of itself (with the CRC
 * field zeroed) and of the entry array it points to. When the primary is damaged the backup is used
 * and a warning says so. Entries are numbered by index + 1, as Linux does.
 *
 * <p>A guest writes its own table, so it is bounded: at most {@value #MAX_PARTITIONS} used entries
 * are offered (Linux's own limit per disk), and an entry that overlaps one with a lower number is
 * refused (a valid table never has overlaps, and 32,768 overlapping entries would otherwise make
 * 32,768 views of the same bytes).
 */
final class Gpt {
    private Gpt() {}

    private static final int SECTOR = PartitionTable.SECTOR;
    /** The 92 bytes the specification defines; a larger header must still fit its sector. */
    private static final int MIN_HEADER = 92;
    /** Bounds a damaged header's claim before reading: 128 entries of 128 bytes is the norm. */
    private static final long MAX_ENTRY_BYTES = 4L << 20;
    /** Linux reads at most 256 partitions per disk (DISK_MAX_PARTS). */
    static final int MAX_PARTITIONS = 256;

    static final String BIOS_BOOT = "21686148-6449-6E6F-744E-656564454649";
    static final String MS_RESERVED = "E3C9E316-0B5C-4DB8-817D-F92DF00215AE";
    private static final Map<String, String> TYPES = Map.of(
            "C12A7328-F81F-11D2-BA4B-00A0C93EC93B",
            "EFI System",
            "EBD0A0A2-B9E5-4433-87C0-68B6B72699C7",
            "Microsoft basic data",
            MS_RESERVED,
            "Microsoft reserved",
            "DE94BBA4-06D1-4D40-A16A-BFD50179D6AC",
            "Windows recovery",
            "0FC63DAF-8483-4772-8E79-3D69D8477DE4",
            "Linux filesystem",
            "E6D6D379-F507-44C2-A23C-238F2A3DF928",
            "Linux LVM",
            "0657FD6D-A4AB-43C4-84E5-0933C84B4F4F",
            "Linux swap",
            "A19D880F-05FC-4D3B-A006-743F0F84911E",
            "Linux RAID",
            BIOS_BOOT,
            "BIOS boot");

    private record Header(long lba, long entriesLba, long count, int entrySize, long entriesCrc) {}

    static PartitionTable read(Image disk, String diskName) throws IOException, VolumeFormatException {
        long lastLba = disk.size() / SECTOR - 1;
        List<String> warnings = new ArrayList<>();
        byte[] entries;
        Header h;
        try {
            h = header(disk, 1, lastLba);
            entries = entries(disk, h);
            try {
                entries(disk, header(disk, lastLba, lastLba));
            } catch (VolumeFormatException backup) {
                // Harmless for reading, but worth telling: a truncated image looks exactly like this.
                warnings.add(diskName + ": " + backup.getMessage() + " (the primary header is intact)");
            }
        } catch (VolumeFormatException primary) {
            if (looks4Kn(disk)) {
                throw new VolumeFormatException("GPT on 4096-byte sectors (4Kn): not supported");
            }
            try {
                h = header(disk, lastLba, lastLba);
                entries = entries(disk, h);
            } catch (VolumeFormatException backup) {
                throw new VolumeFormatException(
                        primary.getMessage() + " and backup header unreadable (" + backup.getMessage() + ")");
            }
            warnings.add(diskName + ": primary " + primary.getMessage() + "; using the backup header");
        }
        List<Partition> parts = new ArrayList<>();
        List<Unsupported> problems = new ArrayList<>();
        int used = 0;
        for (int i = 0; i < h.count(); i++) {
            int off = i * h.entrySize();
            if (Bytes.allZero(entries, off, 16)) {
                continue; // unused entry
            }
            if (++used > MAX_PARTITIONS) {
                problems.add(new Unsupported(
                        diskName,
                        "GPT: more than " + MAX_PARTITIONS + " partitions; entries from " + (i + 1)
                                + " on are ignored"));
                break;
            }
            String type = Bytes.guid(entries, off);
            long first = Bytes.u64(entries, off + 32);
            long last = Bytes.u64(entries, off + 40);
            String name = utf16(entries, off + 56, Math.min(72, h.entrySize() - 56));
            int number = i + 1;
            if (first < 1 || last < first || last > lastLba) {
                problems.add(new Unsupported(
                        diskName + "-p" + number,
                        "partition (LBA " + first + "-" + last + ") extends past the end of the " + (lastLba + 1)
                                + "-sector disk"));
                continue;
            }
            Partition clash = null;
            for (Partition k : parts) {
                long kFirst = k.offset() / SECTOR;
                long kLast = kFirst + k.length() / SECTOR - 1;
                if (first <= kLast && kFirst <= last) {
                    clash = k;
                    break;
                }
            }
            if (clash != null) {
                problems.add(new Unsupported(
                        diskName + "-p" + number,
                        "partition (LBA " + first + "-" + last + ") overlaps partition " + clash.number()));
                continue;
            }
            Partition.Role role = type.equals(BIOS_BOOT) || type.equals(MS_RESERVED)
                    ? Partition.Role.NO_FILESYSTEM
                    : Partition.Role.DATA;
            parts.add(new Partition(
                    number,
                    first * SECTOR,
                    (last - first + 1) * SECTOR,
                    type,
                    TYPES.getOrDefault(type, type),
                    name,
                    role));
        }
        return new PartitionTable("GPT", parts, problems, warnings);
    }

    private static Header header(Image disk, long lba, long lastLba) throws IOException, VolumeFormatException {
        String which = lba == 1 ? "GPT header" : "backup GPT header";
        if (lba < 1 || lba > lastLba) {
            throw new VolumeFormatException(which + " is past the end of the disk");
        }
        byte[] s = disk.readFully(lba * SECTOR, SECTOR);
        if (!Bytes.ascii(s, 0, "EFI PART")) {
            throw new VolumeFormatException(which + " has no EFI PART signature");
        }
        long size = Bytes.u32(s, 12);
        if (size < MIN_HEADER || size > SECTOR) {
            throw new VolumeFormatException(which + " size " + size + " is invalid");
        }
        long stored = Bytes.u32(s, 16);
        byte[] copy = s.clone();
        copy[16] = copy[17] = copy[18] = copy[19] = 0; // the CRC covers the header with its CRC field zeroed
        CRC32 crc = new CRC32();
        crc.update(copy, 0, (int) size);
        if (crc.getValue() != stored) {
            throw new VolumeFormatException(which + " CRC mismatch");
        }
        if (Bytes.u64(s, 24) != lba) {
            throw new VolumeFormatException(which + " says it is at LBA " + Bytes.u64(s, 24) + ", not " + lba);
        }
        long entriesLba = Bytes.u64(s, 72);
        long count = Bytes.u32(s, 80);
        long entrySize = Bytes.u32(s, 84);
        // Entries are 128 << n bytes (UEFI 5.3.2).
        if (entrySize < 128
                || entrySize > 4096
                || Long.bitCount(entrySize) != 1
                || count * entrySize > MAX_ENTRY_BYTES
                || entriesLba < 1
                || entriesLba > lastLba) {
            throw new VolumeFormatException(which + " describes an invalid entry array (" + count + " x " + entrySize
                    + " bytes at LBA " + entriesLba + ")");
        }
        return new Header(lba, entriesLba, count, (int) entrySize, Bytes.u32(s, 88));
    }

    private static byte[] entries(Image disk, Header h) throws IOException, VolumeFormatException {
        String which = h.lba() == 1 ? "GPT entry array" : "backup GPT entry array";
        byte[] e = Bytes.read(disk, h.entriesLba() * SECTOR, (int) (h.count() * h.entrySize()), which);
        CRC32 crc = new CRC32();
        crc.update(e);
        if (crc.getValue() != h.entriesCrc()) {
            throw new VolumeFormatException(which + " CRC mismatch");
        }
        return e;
    }

    /** "EFI PART" at byte 4096 instead of 512: the disk was partitioned with 4096-byte sectors. */
    private static boolean looks4Kn(Image disk) throws IOException {
        return disk.size() >= 8192 && Bytes.ascii(disk.readFully(4096, 8), 0, "EFI PART");
    }

    private static String utf16(byte[] b, int off, int len) {
        int end = off;
        while (end + 1 < off + len && (b[end] != 0 || b[end + 1] != 0)) {
            end += 2;
        }
        String s = new String(b, off, end - off, StandardCharsets.UTF_16LE);
        return s.isEmpty() ? null : s;
    }
}
