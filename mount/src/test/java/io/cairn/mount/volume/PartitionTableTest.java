package io.cairn.mount.volume;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cairn.mount.image.Image;
import io.cairn.mount.mutation.PatchedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.zip.CRC32;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Partition tables written by hand for the cases the tools refuse to make. */
@DisplayName("Partition tables built by hand")
class PartitionTableTest {

    private static VolumeScan scan(Image disk) throws IOException {
        return VolumeScanner.scan(Map.of("d", disk));
    }

    private static List<String> names(VolumeScan scan) {
        return scan.volumes().stream().map(Volume::name).collect(Collectors.toList());
    }

    private static PatchedImage mbrEntry(PatchedImage d, int index, int status, int type, long start, long count) {
        int off = 446 + 16 * index;
        d.set(off, (byte) status)
                .set(off + 4, (byte) type)
                .setU32(off + 8, start)
                .setU32(off + 12, count);
        return d.set(510, (byte) 0x55, (byte) 0xAA);
    }

    @Test
    @DisplayName("MBR: swap, empty, overlapping and out-of-range partitions each get their reason")
    void mbrReasons() throws IOException {
        PatchedImage d = ZeroImage.disk(64L << 20);
        mbrEntry(d, 0, 0x80, 0x82, 2048, 8192); // swap
        d.set(2048 * 512 + 4096 - 10, "SWAPSPACE2".getBytes(StandardCharsets.US_ASCII));
        mbrEntry(d, 1, 0, 0x83, 10240, 8192); // nothing in it
        mbrEntry(d, 2, 0, 0x83, 12288, 100); // overlaps partition 2
        mbrEntry(d, 3, 0, 0x83, 100000, 100000); // past the 131072-sector end
        VolumeScan scan = scan(d);
        assertEquals(List.of(), scan.volumes());
        assertEquals(
                List.of(
                        new Unsupported(
                                "d-p4",
                                "partition (sectors 100000+100000) extends past the end of the 131072-sector disk"),
                        new Unsupported("d-p3", "overlaps partition 2"),
                        new Unsupported("d-p1", "swap space"),
                        new Unsupported("d-p2", "no filesystem recognised")),
                scan.unsupported());
    }

    @Test
    @DisplayName("MBR: an invalid status byte makes the table unusable")
    void mbrStatus() throws IOException {
        PatchedImage d = mbrEntry(ZeroImage.disk(64L << 20), 0, 0x12, 0x83, 2048, 8192);
        assertEquals(
                List.of(new Unsupported("d", "MBR entry 1 has an invalid status byte 0x12")), scan(d).unsupported());
    }

    @Test
    @DisplayName("a FAT boot sector on the whole disk is a filesystem, not an MBR")
    void wholeDiskFat() throws IOException {
        VolumeScan scan = scan(FsProbeTest.floppy());
        assertEquals(List.of("d"), names(scan));
        assertEquals(
                "whole disk d, 1.4 MiB, FAT12 'FLOPPY'", scan.volumes().get(0).description());
    }

    @Test
    @DisplayName("an ext journal that needs recovery is a volume with a warning")
    void dirtyJournal() throws IOException {
        VolumeScan scan = scan(FsProbeTest.ext(0x4, 0x2 | 0x4, 0x3));
        assertEquals(List.of("d"), names(scan));
        assertEquals(
                "whole disk d, 1 MiB, ext3 'LBL' (journal needs recovery)",
                scan.volumes().get(0).description());
        assertEquals(
                List.of("d: the ext3 journal needs recovery; files are shown as of its last checkpoint"),
                scan.warnings());
    }

    @Test
    @DisplayName("an all-zero disk and a disk of unknown bytes are reported")
    void emptyAndUnknown() throws IOException {
        assertEquals(
                List.of(new Unsupported("d", "empty disk (no partition table, no filesystem)")),
                scan(ZeroImage.disk(1 << 20)).unsupported());
        assertEquals(
                List.of(new Unsupported("d", "no partition table or filesystem recognised")),
                scan(ZeroImage.disk(1 << 20).set(1000, (byte) 1)).unsupported());
    }

    /** Writes a GPT (primary and backup) with the given entries: {type GUID bytes, first, last, name}. */
    static PatchedImage gpt(long sectors, Object[]... entries) {
        PatchedImage d = mbrEntry(ZeroImage.disk(sectors * 512), 0, 0, 0xEE, 1, sectors - 1);
        ByteBuffer array = ByteBuffer.allocate(128 * 128).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < entries.length; i++) {
            array.position(i * 128);
            array.put((byte[]) entries[i][0]);
            array.put(new byte[16]).put(15 - 16 + array.position(), (byte) (i + 1)); // unique GUID
            array.putLong((Long) entries[i][1]).putLong((Long) entries[i][2]).putLong(0);
            array.put(((String) entries[i][3]).getBytes(StandardCharsets.UTF_16LE));
        }
        CRC32 crc = new CRC32();
        crc.update(array.array());
        long arrayCrc = crc.getValue();
        long last = sectors - 1;
        long backupArray = last - 32;
        for (long[] h : new long[][] {{1, last, 2}, {last, 1, backupArray}}) {
            ByteBuffer hdr = ByteBuffer.allocate(92).order(ByteOrder.LITTLE_ENDIAN);
            hdr.put("EFI PART".getBytes(StandardCharsets.US_ASCII))
                    .putInt(0x00010000)
                    .putInt(92)
                    .putInt(0)
                    .putInt(0);
            hdr.putLong(h[0]).putLong(h[1]).putLong(34).putLong(last - 33);
            hdr.put(new byte[16]).putLong(h[2]).putInt(128).putInt(128).putInt((int) arrayCrc);
            CRC32 hc = new CRC32();
            hc.update(hdr.array());
            hdr.putInt(16, (int) hc.getValue());
            d.set(h[0] * 512, hdr.array());
            d.set(h[2] * 512, array.array());
        }
        return d;
    }

    /** GUID bytes as GPT stores them (first three fields little-endian). */
    static byte[] guid(String s) {
        String h = s.replace("-", "");
        byte[] b = new byte[16];
        for (int i = 0; i < 16; i++) {
            b[i] = (byte) Integer.parseInt(h.substring(2 * i, 2 * i + 2), 16);
        }
        byte[] out = b.clone();
        int[] order = {3, 2, 1, 0, 5, 4, 7, 6};
        for (int i = 0; i < 8; i++) {
            out[i] = b[order[i]];
        }
        return out;
    }

    @Test
    @DisplayName("GPT: BIOS boot is skipped silently, an empty data partition is unsupported, names are UTF-16")
    void gptRoles() throws IOException {
        PatchedImage d = gpt(
                131072,
                new Object[] {guid(Gpt.BIOS_BOOT), 34L, 2047L, "bios"},
                new Object[] {guid("0FC63DAF-8483-4772-8E79-3D69D8477DE4"), 2048L, 10239L, "dätä"},
                new Object[] {guid("0FC63DAF-8483-4772-8E79-3D69D8477DE4"), 10240L, 20479L, "ext"});
        // An ext4 superblock in partition 3.
        d.set(10240L * 512 + 1024 + 56, (byte) 0x53, (byte) 0xEF).setU32(10240L * 512 + 1024 + 0x60, 0x42);
        VolumeScan scan = scan(d);
        assertEquals(List.of("d-p3"), names(scan));
        assertEquals(
                "partition 3 of d, GPT 'ext', 5 MiB, ext4",
                scan.volumes().get(0).description());
        assertEquals(List.of(new Unsupported("d-p2", "no filesystem recognised")), scan.unsupported());
        assertEquals(List.of(), scan.warnings());
        PartitionTable t = assertTable(d);
        assertEquals("dätä", t.partitions().get(1).name());
        assertEquals(Partition.Role.NO_FILESYSTEM, t.partitions().get(0).role());
    }

    private static PartitionTable assertTable(Image d) throws IOException {
        try {
            return PartitionTable.read(d, "d");
        } catch (VolumeFormatException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    @DisplayName("GPT written for 4096-byte sectors is recognised and refused")
    void gpt4Kn() throws IOException {
        PatchedImage d = mbrEntry(ZeroImage.disk(64L << 20), 0, 0, 0xEE, 1, 16383);
        d.set(4096, "EFI PART".getBytes(StandardCharsets.US_ASCII));
        assertEquals(
                List.of(new Unsupported("d", "GPT on 4096-byte sectors (4Kn): not supported")), scan(d).unsupported());
    }

    @Test
    @DisplayName("a protective MBR without any GPT header")
    void protectiveOnly() throws IOException {
        PatchedImage d = mbrEntry(ZeroImage.disk(64L << 20), 0, 0, 0xEE, 1, 131071);
        assertEquals(
                List.of(new Unsupported(
                        "d",
                        "GPT header has no EFI PART signature and backup header unreadable"
                                + " (backup GPT header has no EFI PART signature)")),
                scan(d).unsupported());
    }
}
