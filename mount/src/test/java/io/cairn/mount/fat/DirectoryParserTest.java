package io.cairn.mount.fat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Directory entries built by hand, for the rules a real tool's image cannot easily show. */
@DisplayName("DirectoryParser")
class DirectoryParserTest {

    @Test
    @DisplayName("computes the spec's short-name checksum")
    void checksum() {
        // Value written by mtools for "ALONGF~1TXT" (seen in a mcopy image), and a hand-checked one.
        assertEquals(0, DirectoryParser.checksum(new byte[11]));
        byte[] name = "ALONGF~1TXT".getBytes(StandardCharsets.US_ASCII);
        int sum = 0;
        for (byte b : name) {
            sum = ((sum & 1) != 0 ? 0x80 : 0) + (sum >> 1) + (b & 0xFF) & 0xFF;
        }
        assertEquals(sum, DirectoryParser.checksum(name));
    }

    @Test
    @DisplayName("applies the NT lowercase flags separately to base and extension")
    void ntFlags() {
        byte[] raw = "README  TXT".getBytes(StandardCharsets.US_ASCII);
        assertEquals("README.TXT", DirectoryParser.shortName(raw, 0));
        assertEquals("readme.TXT", DirectoryParser.shortName(raw, 0x08));
        assertEquals("README.txt", DirectoryParser.shortName(raw, 0x10));
        assertEquals("readme.txt", DirectoryParser.shortName(raw, 0x18));
        assertEquals("MAKEFILE", DirectoryParser.shortName("MAKEFILE   ".getBytes(StandardCharsets.US_ASCII), 0));
    }

    @Test
    @DisplayName("decodes OEM short names as code page 437, 0x05 as a leading 0xE5")
    void oem() {
        byte[] raw = "xNXCOD~1   ".getBytes(StandardCharsets.US_ASCII);
        raw[0] = (byte) 0x9A; // 'Ü' in CP437
        raw[2] = (byte) 0x81; // 'ü'
        assertEquals("ÜNüCOD~1", DirectoryParser.shortName(raw, 0));
        raw[0] = 0x05;
        assertEquals("σNüCOD~1", DirectoryParser.shortName(raw, 0)); // 0xE5 is 'σ' in CP437
    }

    @Test
    @DisplayName("reads DOS times as UTC: 2 s resolution, 10 ms creation units, invalid is null")
    void times() {
        int date = (2021 - 1980) << 9 | 3 << 5 | 4;
        int time = 5 << 11 | 6 << 5 | 4; // 05:06:08
        assertEquals(Instant.parse("2021-03-04T05:06:08Z"), DirectoryParser.time(date, time, 0));
        assertEquals(Instant.parse("2021-03-04T05:06:09.990Z"), DirectoryParser.time(date, time, 199));
        assertEquals(Instant.parse("2021-03-04T00:00:00Z"), DirectoryParser.time(date, 0, 0));
        assertNull(DirectoryParser.time(0, time, 0));
        assertNull(DirectoryParser.time(date, time, 200));
        assertNull(DirectoryParser.time((2021 - 1980) << 9 | 2 << 5 | 30, time, 0)); // 30 February
        assertNull(DirectoryParser.time(date, 24 << 11, 0));
        assertNull(DirectoryParser.time(date, 30, 0)); // 60 seconds
    }

    @Test
    @DisplayName("uses a long name only when complete, in order and matching the checksum")
    void longNames() {
        byte[] shortName = "LONGNA~1TXT".getBytes(StandardCharsets.US_ASCII);
        String longName = "Long name, two entries.txt"; // 26 units: exactly 2 entries, no terminator
        int chk = DirectoryParser.checksum(shortName);

        assertEquals(List.of(longName), names(lfn(longName, 2, 0x40, chk), lfn(longName, 1, 0, chk), sfn(shortName)));
        // Wrong checksum, missing first part, wrong order, orphan without a short entry after it.
        assertEquals(
                List.of("LONGNA~1.TXT"),
                names(lfn(longName, 2, 0x40, chk + 1), lfn(longName, 1, 0, chk + 1), sfn(shortName)));
        assertEquals(List.of("LONGNA~1.TXT"), names(lfn(longName, 1, 0, chk), sfn(shortName)));
        assertEquals(
                List.of("LONGNA~1.TXT"), names(lfn(longName, 1, 0x40, chk), lfn(longName, 2, 0, chk), sfn(shortName)));
        assertEquals(
                List.of("LONGNA~1.TXT"),
                names(lfn(longName, 2, 0x40, chk), deleted(), lfn(longName, 1, 0, chk), sfn(shortName)));
        // A long name that cannot be a file name ('/') falls back too.
        assertEquals(List.of("LONGNA~1.TXT"), names(lfn("a/b", 1, 0x40, chk), sfn(shortName)));
    }

    @Test
    @DisplayName("skips deleted, '.', '..' and volume label entries and stops at the end mark")
    void skips() {
        byte[] label = sfn("MY LABEL   ".getBytes(StandardCharsets.US_ASCII));
        label[11] = FatEntry.ATTR_VOLUME_ID;
        byte[] dot = sfn(".          ".getBytes(StandardCharsets.US_ASCII));
        byte[] dotdot = sfn("..         ".getBytes(StandardCharsets.US_ASCII));
        byte[] file = sfn("FILE    BIN".getBytes(StandardCharsets.US_ASCII));
        byte[] after = sfn("AFTER   BIN".getBytes(StandardCharsets.US_ASCII));
        DirectoryParser.Listing l =
                DirectoryParser.parse(concat(label, dot, dotdot, deleted(), file, new byte[32], after), false);
        assertEquals(
                List.of("FILE.BIN"), l.entries().stream().map(FatEntry::name).toList());
        assertEquals("MY LABEL", l.label());
    }

    @Test
    @DisplayName("takes the high cluster word only on FAT32")
    void clusterHigh() {
        byte[] e = sfn("FILE    BIN".getBytes(StandardCharsets.US_ASCII));
        ByteBuffer.wrap(e)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putShort(20, (short) 1)
                .putShort(26, (short) 5);
        assertEquals(0x10005, DirectoryParser.parse(e, true).entries().get(0).firstCluster());
        assertEquals(5, DirectoryParser.parse(e, false).entries().get(0).firstCluster());
    }

    private static List<String> names(byte[]... entries) {
        return DirectoryParser.parse(concat(entries), false).entries().stream()
                .map(FatEntry::name)
                .toList();
    }

    private static byte[] sfn(byte[] name11) {
        byte[] e = new byte[32];
        System.arraycopy(name11, 0, e, 0, 11);
        e[11] = FatEntry.ATTR_ARCHIVE;
        return e;
    }

    private static byte[] deleted() {
        byte[] e = sfn("GONE    TXT".getBytes(StandardCharsets.US_ASCII));
        e[0] = (byte) 0xE5;
        return e;
    }

    /** Long entry {@code ord} (1-based) of {@code name}, 0x0000-terminated and 0xFFFF-padded. */
    private static byte[] lfn(String name, int ord, int flags, int checksum) {
        byte[] e = new byte[32];
        ByteBuffer b = ByteBuffer.wrap(e).order(ByteOrder.LITTLE_ENDIAN);
        e[0] = (byte) (ord | flags);
        e[11] = 0x0F;
        e[13] = (byte) checksum;
        int[] offsets = {1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30};
        for (int i = 0; i < 13; i++) {
            int at = (ord - 1) * 13 + i;
            char c = at < name.length() ? name.charAt(at) : at == name.length() ? 0 : (char) 0xFFFF;
            b.putChar(offsets[i], c);
        }
        return e;
    }

    private static byte[] concat(byte[]... parts) {
        ByteBuffer b = ByteBuffer.allocate(parts.length * 32);
        for (byte[] p : parts) {
            b.put(p);
        }
        return b.array();
    }
}
