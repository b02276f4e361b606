package io.cairn.mount.fat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Decodes the 32-byte entries of one directory: FAT32 File System Specification 1.03, sections
 * "FAT Directory Structure" (with its date and time formats), "FAT Long Directory Entries" and
 * "Name Matching In Short &amp; Long Names". Stateless; thread-safe.
 *
 * <p>Rules applied, all from the spec unless marked:
 * <ul>
 *   <li>DIR_Name[0] 0x00 ends the directory, 0xE5 is a deleted entry (skipped), 0x05 stands for
 *       a real 0xE5 lead byte (the KANJI lead byte that collides with the deleted mark);</li>
 *   <li>entries with ATTR_VOLUME_ID (label, not a file) and "." / ".." are skipped;</li>
 *   <li>a long name is used only if its entries come in order N|0x40, N-1, ..., 1 directly before
 *       the short entry and all carry the checksum of that short name; otherwise the short name is
 *       used (what Windows does with an orphaned long name);</li>
 *   <li>the short name gets the Windows NT case flags in DIR_NTRes (0x08: base name lowercase,
 *       0x10: extension lowercase; not in the spec, which calls the byte reserved, but written by
 *       Windows NT and later, Linux and mtools);</li>
 *   <li>(this reader) an entry whose chosen name would be empty or contain '/' or a control
 *       character cannot be served as a file name and is skipped.</li>
 * </ul>
 */
final class DirectoryParser {

    /** The decoded entries and, for a root directory, the volume label entry's text. */
    record Listing(List<FatEntry> entries, String label) {}

    private static final int LAST_LONG_ENTRY = 0x40;
    /** ATTR_READ_ONLY | ATTR_HIDDEN | ATTR_SYSTEM | ATTR_VOLUME_ID marks a long-name entry. */
    private static final int ATTR_LONG_NAME = 0x0F;

    private static final int ATTR_LONG_NAME_MASK = 0x3F;
    /** 255 UTF-16 units at most, 13 per entry: 20 entries. */
    private static final int MAX_LONG_ENTRIES = 20;

    private static final int NT_LOWER_BASE = 0x08;
    private static final int NT_LOWER_EXT = 0x10;
    /** Offsets of the 13 UTF-16 units in a long entry: 5 in LDIR_Name1, 6 in Name2, 2 in Name3. */
    private static final int[] LONG_NAME_OFFSETS = {1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30};

    private DirectoryParser() {}

    /**
     * Decodes {@code data}, a whole directory (a multiple of 32 bytes).
     *
     * @param fat32 whether DIR_FstClusHI is part of the cluster number (on FAT12/16 it is reserved
     *        and may hold anything, e.g. OS/2 extended-attribute handles)
     */
    static Listing parse(byte[] data, boolean fat32) {
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        List<FatEntry> entries = new ArrayList<>();
        String label = null;
        char[] longName = new char[MAX_LONG_ENTRIES * 13];
        int longCount = 0; // entries in the current long-name sequence, 0 when none
        int longExpected = 0; // ordinal the next long entry must have; 0 once complete
        int longChecksum = 0;
        for (int off = 0; off + 32 <= data.length; off += 32) {
            int first = data[off] & 0xFF;
            if (first == 0x00) {
                break;
            }
            if (first == 0xE5) {
                longCount = 0;
                continue;
            }
            int attr = data[off + 11] & 0xFF;
            if ((attr & ATTR_LONG_NAME_MASK) == ATTR_LONG_NAME) {
                int ord = first & ~LAST_LONG_ENTRY;
                int checksum = data[off + 13] & 0xFF;
                boolean ok = data[off + 12] == 0 && ord >= 1 && ord <= MAX_LONG_ENTRIES;
                if (ok && (first & LAST_LONG_ENTRY) != 0) {
                    longCount = ord;
                    longChecksum = checksum;
                } else if (!(ok && longCount > 0 && ord == longExpected && checksum == longChecksum)) {
                    longCount = 0;
                    continue;
                }
                for (int i = 0; i < 13; i++) {
                    longName[(ord - 1) * 13 + i] = b.getChar(off + LONG_NAME_OFFSETS[i]);
                }
                longExpected = ord - 1;
                continue;
            }
            if ((attr & FatEntry.ATTR_VOLUME_ID) != 0) {
                if (label == null) {
                    label = BootSector.cleanLabel(new String(data, off, 11, BootSector.OEM));
                }
                longCount = 0;
                continue;
            }
            byte[] shortName = new byte[11];
            System.arraycopy(data, off, shortName, 0, 11);
            String name = null;
            if (longCount > 0 && longExpected == 0 && longChecksum == checksum(shortName)) {
                name = longName(longName, longCount);
            }
            longCount = 0;
            if (isDotEntry(shortName)) {
                continue;
            }
            if (name == null || !servable(name)) {
                name = shortName(shortName, data[off + 12] & 0xFF);
                if (!servable(name)) {
                    continue;
                }
            }
            long cluster = b.getShort(off + 26) & 0xFFFF;
            if (fat32) {
                cluster |= (long) (b.getShort(off + 20) & 0xFFFF) << 16;
            }
            boolean directory = (attr & FatEntry.ATTR_DIRECTORY) != 0;
            long size = directory ? 0 : b.getInt(off + 28) & 0xFFFFFFFFL;
            Instant modified = time(b.getShort(off + 24) & 0xFFFF, b.getShort(off + 22) & 0xFFFF, 0);
            Instant accessed = time(b.getShort(off + 18) & 0xFFFF, 0, 0);
            Instant created = time(b.getShort(off + 16) & 0xFFFF, b.getShort(off + 14) & 0xFFFF, data[off + 13] & 0xFF);
            entries.add(new FatEntry(name, directory, size, modified, accessed, created, attr, cluster));
        }
        return new Listing(List.copyOf(entries), label);
    }

    /** The short-name checksum stored in every long entry ("FAT Long Directory Entries"). */
    static int checksum(byte[] shortName) {
        int sum = 0;
        for (int i = 0; i < 11; i++) {
            // An unsigned 8-bit rotate right by one, then add.
            sum = (((sum & 1) << 7) + (sum >>> 1) + (shortName[i] & 0xFF)) & 0xFF;
        }
        return sum;
    }

    /** Decodes an 8.3 name: space padding dropped, "." only when there is an extension. */
    static String shortName(byte[] raw, int ntFlags) {
        byte[] bytes = raw.clone();
        if ((bytes[0] & 0xFF) == 0x05) {
            bytes[0] = (byte) 0xE5;
        }
        String base = stripTrailingSpaces(new String(bytes, 0, 8, BootSector.OEM));
        String ext = stripTrailingSpaces(new String(bytes, 8, 3, BootSector.OEM));
        if ((ntFlags & NT_LOWER_BASE) != 0) {
            base = base.toLowerCase(Locale.ROOT);
        }
        if ((ntFlags & NT_LOWER_EXT) != 0) {
            ext = ext.toLowerCase(Locale.ROOT);
        }
        return ext.isEmpty() ? base : base + "." + ext;
    }

    /**
     * Converts a DOS date and time to an instant, reading them as UTC (see {@link FatEntry}).
     * Date: bits 15-9 years since 1980, 8-5 month, 4-0 day. Time: bits 15-11 hours, 10-5 minutes,
     * 4-0 seconds / 2. {@code centis} is DIR_CrtTimeTenth: despite its name, a count of 10 ms
     * units from 0 to 199, adding up to 1.99 s to the 2-second time.
     *
     * @return null when the date is 0 or any field is out of range
     */
    static Instant time(int date, int time, int centis) {
        if (date == 0) {
            return null;
        }
        int hour = time >>> 11;
        int minute = (time >>> 5) & 0x3F;
        int second = (time & 0x1F) * 2;
        if (centis > 199) {
            return null;
        }
        try {
            LocalDateTime t =
                    LocalDateTime.of(1980 + (date >>> 9), (date >>> 5) & 0x0F, date & 0x1F, hour, minute, second);
            return t.toInstant(ZoneOffset.UTC).plusMillis(centis * 10L);
        } catch (DateTimeException e) {
            return null;
        }
    }

    private static String longName(char[] units, int count) {
        int n = 0;
        int max = count * 13;
        while (n < max && units[n] != 0) {
            n++;
        }
        return new String(units, 0, n);
    }

    private static boolean isDotEntry(byte[] shortName) {
        if (shortName[0] != '.') {
            return false;
        }
        int i = shortName[1] == '.' ? 2 : 1;
        for (; i < 11; i++) {
            if (shortName[i] != ' ') {
                return false;
            }
        }
        return true;
    }

    private static boolean servable(String name) {
        if (name.isEmpty() || name.equals(".") || name.equals("..")) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '/' || c < 0x20 || c == 0x7F) {
                return false;
            }
        }
        return true;
    }

    private static String stripTrailingSpaces(String s) {
        int end = s.length();
        while (end > 0 && s.charAt(end - 1) == ' ') {
            end--;
        }
        return s.substring(0, end);
    }
}
