package io.cairn.mount.volume;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.mount.image.Image;
import io.cairn.mount.mutation.PatchedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.zip.CRC32;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, finding 8: metadata a hostile guest writes to exhaust memory or stack is refused with a
 * reason, never an {@link Error}: deep LVM nesting, huge LVM metadata, masses of LVM entries, GPTs
 * with hundreds of (overlapping) entries.
 */
@DisplayName("hostile partition tables and LVM metadata are bounded")
class HostileVolumesTest {

    @Test
    @DisplayName("LVM metadata nested 100,000 deep is a format error, not a stack overflow")
    void deepNesting() {
        String deep = "vg {".repeat(100_000);
        VolumeFormatException e = assertThrows(VolumeFormatException.class, () -> LvmConfig.parse(deep));
        assertTrue(e.getMessage().contains("nested more than " + LvmConfig.MAX_DEPTH), e.getMessage());
    }

    @Test
    @DisplayName("LVM metadata whose entries exceed the scan's budget is a format error")
    void budget() {
        String many = "a = [" + "1,".repeat(LvmConfig.Budget.DEFAULT + 10) + "]";
        VolumeFormatException e = assertThrows(VolumeFormatException.class, () -> LvmConfig.parse(many));
        assertTrue(e.getMessage().contains("more than " + LvmConfig.Budget.DEFAULT + " entries"), e.getMessage());
        // one budget is shared by every PV of a scan
        LvmConfig.Budget shared = new LvmConfig.Budget(10);
        assertThrows(VolumeFormatException.class, () -> {
            LvmConfig.parse("a = 1 b = 2 c = 3 d = 4 e = 5", shared);
            LvmConfig.parse("f = 6 g = 7 h = 8 i = 9 j = 10 k = 11", shared);
        });
    }

    @Test
    @DisplayName("an LVM metadata area claiming 2 MiB of text is refused before it is read")
    void hugeMetadata() throws IOException {
        long mdaSize = 4L << 20;
        PatchedImage pv = ZeroImage.disk(16L << 20);
        // label in sector 1: LABELONE, its sector, CRC, PV header offset 32, type
        byte[] label = new byte[512];
        ByteBuffer l = ByteBuffer.wrap(label).order(ByteOrder.LITTLE_ENDIAN);
        put(label, 0, "LABELONE");
        l.putLong(8, 1);
        l.putInt(20, 32);
        put(label, 24, "LVM2 001");
        put(label, 32, "abcdefghijklmnopqrstuvwxyz012345");
        l.putLong(64, 16L << 20); // device size
        // data areas: one, then the terminator; metadata areas: one at 4 KiB, then the terminator
        l.putLong(72, mdaSize + 4096).putLong(80, 0);
        l.putLong(88, 0).putLong(96, 0);
        l.putLong(104, 4096).putLong(112, mdaSize);
        l.putLong(120, 0).putLong(128, 0);
        l.putInt(16, (int) LvmLabel.crc(0xf597a6cfL, label, 20, 512 - 20));
        pv.set(512, label);
        byte[] mda = new byte[512];
        ByteBuffer m = ByteBuffer.wrap(mda).order(ByteOrder.LITTLE_ENDIAN);
        put(mda, 4, " LVM2 x[5A%r0N*>");
        m.putInt(20, 1).putLong(24, 4096).putLong(32, mdaSize);
        m.putLong(40, 512).putLong(48, 2L << 20).putInt(56, 0).putInt(60, 0); // 2 MiB of text at +512
        m.putInt(0, (int) LvmLabel.crc(0xf597a6cfL, mda, 4, 508));
        pv.set(4096, mda);
        VolumeFormatException e = assertThrows(VolumeFormatException.class, () -> LvmLabel.read(pv, 0, pv.size()));
        assertEquals("LVM metadata of 2097152 bytes is larger than the 1 MiB cairn reads", e.getMessage());
    }

    @Test
    @DisplayName("a GPT with 300 entries over one range: one partition, the others refused as overlaps, at most 256")
    void overlappingGpt() throws IOException {
        int count = 512;
        int used = 300;
        long sectors = (64L << 20) / 512;
        PatchedImage disk = ZeroImage.disk(sectors * 512);
        byte[] mbr = new byte[512];
        mbr[446 + 4] = (byte) 0xEE;
        ByteBuffer.wrap(mbr).order(ByteOrder.LITTLE_ENDIAN).putInt(446 + 8, 1).putInt(446 + 12, (int) (sectors - 1));
        mbr[510] = 0x55;
        mbr[511] = (byte) 0xAA;
        disk.set(0, mbr);
        byte[] entries = new byte[count * 128];
        ByteBuffer e = ByteBuffer.wrap(entries).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < used; i++) {
            int off = i * 128;
            // type: Linux filesystem data (0FC63DAF-8483-4772-8E79-3D69D8477DE4), mixed-endian
            e.putInt(off, 0x0FC63DAF).putShort(off + 4, (short) 0x8483).putShort(off + 6, (short) 0x4772);
            e.put(off + 8, new byte[] {(byte) 0x8E, 0x79, 0x3D, 0x69, (byte) 0xD8, 0x47, 0x7D, (byte) 0xE4});
            e.putLong(off + 16, i + 1); // unique partition GUID
            e.putLong(off + 32, 2048).putLong(off + 40, 4095);
        }
        byte[] header = new byte[512];
        ByteBuffer h = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
        put(header, 0, "EFI PART");
        h.putInt(8, 0x00010000).putInt(12, 92);
        h.putLong(24, 1).putLong(32, sectors - 1).putLong(40, 34).putLong(48, sectors - 34);
        h.putLong(72, 2).putInt(80, count).putInt(84, 128).putInt(88, (int) crc(entries));
        h.putInt(16, (int) crc(java.util.Arrays.copyOf(header, 92)));
        disk.set(512, header);
        disk.set(1024, entries);
        LinkedHashMap<String, Image> disks = new LinkedHashMap<>();
        disks.put("disk0", disk);
        VolumeScan scan = VolumeScanner.scan(disks);
        assertEquals(List.of(), scan.volumes());
        long overlaps = scan.unsupported().stream()
                .filter(u -> u.reason().endsWith("overlaps partition 1"))
                .count();
        assertEquals(Gpt.MAX_PARTITIONS - 1, overlaps, scan.unsupported().toString());
        assertTrue(
                scan.unsupported()
                        .contains(new Unsupported(
                                "disk0", "GPT: more than 256 partitions; entries from 257 on are ignored")),
                scan.unsupported().toString());
        assertTrue(
                scan.unsupported().contains(new Unsupported("disk0-p1", "no filesystem recognised")),
                scan.unsupported().toString());
        assertEquals(1 + (Gpt.MAX_PARTITIONS - 1) + 1, scan.unsupported().size());
    }

    private static long crc(byte[] b) {
        CRC32 c = new CRC32();
        c.update(b);
        return c.getValue();
    }

    private static void put(byte[] b, int off, String ascii) {
        byte[] s = ascii.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(s, 0, b, off, s.length);
    }
}
