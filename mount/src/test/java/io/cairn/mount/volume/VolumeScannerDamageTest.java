package io.cairn.mount.volume;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.mount.image.Image;
import io.cairn.mount.mutation.PatchedImage;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("VolumeScanner on damaged disks reports reasons and never throws")
class VolumeScannerDamageTest {

    private static VolumeScan scan(Image... disks) throws IOException {
        Map<String, Image> map = new LinkedHashMap<>();
        for (int i = 0; i < disks.length; i++) {
            map.put("disk" + i, disks[i]);
        }
        return VolumeScanner.scan(map);
    }

    private static List<String> names(VolumeScan scan) {
        return scan.volumes().stream().map(Volume::name).collect(Collectors.toList());
    }

    private static long lastLba(Image img) {
        return img.size() / 512 - 1;
    }

    @Test
    @DisplayName("a primary GPT header with a bad CRC falls back to the intact backup, with a warning")
    void gptPrimaryDamaged() throws IOException {
        Image gpt = Fixtures.image("gpt.img");
        PatchedImage damaged = new PatchedImage(gpt).flip(512 + 16); // header CRC field
        VolumeScan scan = scan(damaged);
        assertEquals(List.of("disk0-p1", "disk0-p2"), names(scan));
        assertEquals(List.of(), scan.unsupported());
        assertEquals(List.of("disk0: primary GPT header CRC mismatch; using the backup header"), scan.warnings());
    }

    @Test
    @DisplayName("a damaged primary entry array also falls back to the backup")
    void gptPrimaryEntriesDamaged() throws IOException {
        Image gpt = Fixtures.image("gpt.img");
        VolumeScan scan = scan(new PatchedImage(gpt).flip(2 * 512 + 40)); // first entry's first LBA
        assertEquals(List.of("disk0-p1", "disk0-p2"), names(scan));
        assertEquals(List.of("disk0: primary GPT entry array CRC mismatch; using the backup header"), scan.warnings());
    }

    @Test
    @DisplayName("a damaged backup GPT header is a warning only")
    void gptBackupDamaged() throws IOException {
        Image gpt = Fixtures.image("gpt.img");
        VolumeScan scan = scan(new PatchedImage(gpt).flip(lastLba(gpt) * 512 + 16));
        assertEquals(List.of("disk0-p1", "disk0-p2"), names(scan));
        assertEquals(List.of("disk0: backup GPT header CRC mismatch (the primary header is intact)"), scan.warnings());
    }

    @Test
    @DisplayName("both GPT headers damaged: the disk is unsupported with both reasons")
    void gptBothDamaged() throws IOException {
        Image gpt = Fixtures.image("gpt.img");
        PatchedImage damaged = new PatchedImage(gpt).flip(512 + 16).flip(lastLba(gpt) * 512 + 16);
        VolumeScan scan = scan(damaged);
        assertEquals(List.of(), scan.volumes());
        assertEquals(List.of(), scan.warnings());
        assertEquals(
                List.of(new Unsupported(
                        "disk0",
                        "GPT header CRC mismatch and backup header unreadable (backup GPT header CRC mismatch)")),
                scan.unsupported());
    }

    @Test
    @DisplayName("an EBR chain that loops keeps the logical partitions found before the loop")
    void ebrLoop() throws IOException {
        Image disk = Fixtures.image("mbr-logical.img");
        long ext = 22528; // extended partition start (make-fixtures.sh), which is the first EBR
        byte[] first = disk.readFully(ext * 512, 512);
        long second = ext + Bytes.u32(first, 446 + 16 + 8);
        // The second EBR's link entry: type 0x05, start 0 (relative to the extended partition = first EBR).
        PatchedImage looped = new PatchedImage(disk)
                .set(second * 512 + 446 + 16 + 4, (byte) 0x05)
                .setU32(second * 512 + 446 + 16 + 8, 0)
                .setU32(second * 512 + 446 + 16 + 12, 2048);
        VolumeScan scan = assertDoesNotThrow(() -> scan(looped));
        assertEquals(List.of("disk0-p1", "disk0-p5", "disk0-p6"), names(scan));
        assertEquals(
                List.of(new Unsupported(
                        "disk0",
                        "extended partition 2: EBR chain loops back to sector " + ext
                                + "; logical partitions from 7 on are ignored")),
                scan.unsupported());
    }

    @Test
    @DisplayName("an EBR pointing to itself is a loop too")
    void ebrSelfLoop() throws IOException {
        Image disk = Fixtures.image("mbr-logical.img");
        long ext = 22528;
        PatchedImage looped = new PatchedImage(disk).setU32(ext * 512 + 446 + 16 + 8, 0);
        VolumeScan scan = scan(looped);
        assertEquals(List.of("disk0-p1", "disk0-p5"), names(scan));
        assertEquals(1, scan.unsupported().size());
        assertTrue(scan.unsupported().get(0).reason().contains("EBR chain loops back to sector 22528"));
    }

    /** Byte offset of the lvm.img metadata area header: partition at 1 MiB, LVM's default mda at 4 KiB. */
    private static final long LVM_MDA = (1 << 20) + 4096;

    @Test
    @DisplayName("garbled LVM metadata text: the PV is unsupported with a checksum reason")
    void lvmMetadataGarbled() throws IOException {
        Image disk = Fixtures.image("lvm.img");
        byte[] h = disk.readFully(LVM_MDA, 512);
        assertTrue(Bytes.ascii(h, 4, " LVM2 x[5A%r0N*>"), "fixture layout changed: no mda header at 1 MiB + 4 KiB");
        long text = LVM_MDA + Bytes.u64(h, 40);
        long size = Bytes.u64(h, 48);
        VolumeScan scan = scan(new PatchedImage(disk).flip(text + size / 2));
        assertEquals(List.of(), scan.volumes());
        assertEquals(
                List.of(new Unsupported("disk0-p1", "LVM PV: LVM metadata checksum mismatch")), scan.unsupported());
    }

    @Test
    @DisplayName("LVM metadata with a valid checksum but broken syntax names the line")
    void lvmMetadataSyntax() throws IOException {
        Image disk = Fixtures.image("lvm.img");
        byte[] h = disk.readFully(LVM_MDA, 512);
        long text = LVM_MDA + Bytes.u64(h, 40);
        int size = (int) Bytes.u64(h, 48);
        byte[] t = disk.readFully(text, size);
        int brace = new String(t, java.nio.charset.StandardCharsets.ISO_8859_1).indexOf('{');
        t[brace] = '(';
        // The text's CRC sits in the metadata area header, which has a CRC of its own: fix both.
        long textCrc = LvmLabel.crc(0xf597a6cfL, t, 0, t.length);
        for (int i = 0; i < 4; i++) {
            h[56 + i] = (byte) (textCrc >> (8 * i));
        }
        PatchedImage broken = new PatchedImage(disk)
                .set(text + brace, (byte) '(')
                .setU32(LVM_MDA + 56, textCrc)
                .setU32(LVM_MDA, LvmLabel.crc(0xf597a6cfL, h, 4, 508));
        VolumeScan scan = scan(broken);
        assertEquals(List.of(), scan.volumes());
        assertEquals(1, scan.unsupported().size());
        assertEquals("disk0-p1", scan.unsupported().get(0).name());
        assertTrue(
                scan.unsupported().get(0).reason().startsWith("LVM PV: LVM metadata line 1: "),
                scan.unsupported().get(0).reason());
    }

    @Test
    @DisplayName("a damaged LVM label is reported, not thrown")
    void lvmLabelDamaged() throws IOException {
        Image disk = Fixtures.image("lvm.img");
        // The label is in sector 1 of the PV; byte 100 lies in the CRC-covered part.
        VolumeScan scan = scan(new PatchedImage(disk).flip((1 << 20) + 512 + 100));
        assertEquals(List.of(new Unsupported("disk0-p1", "LVM PV: LVM label checksum mismatch")), scan.unsupported());
    }

    @Test
    @DisplayName("a truncated GPT disk keeps the partitions that fit and reports the others")
    void truncatedGpt() throws IOException {
        Image gpt = Fixtures.image("gpt.img");
        VolumeScan scan = scan(new PatchedImage(gpt, 150L << 20));
        assertEquals(List.of("disk0-p1"), names(scan));
        Fixtures.SfdiskPartition p2 = Fixtures.sfdisk("gpt.img").get(1);
        assertEquals(
                List.of(new Unsupported(
                        "disk0-p2",
                        "partition (LBA 206848-" + (p2.start() + p2.size() - 1)
                                + ") extends past the end of the 307200-sector disk")),
                scan.unsupported());
        assertEquals(
                List.of("disk0: backup GPT header has no EFI PART signature (the primary header is intact)"),
                scan.warnings());
    }

    @Test
    @DisplayName("a truncated MBR disk reports its partition; a tiny image is just unrecognised")
    void truncatedMbr() throws IOException {
        VolumeScan scan = scan(new PatchedImage(Fixtures.image("lvm.img"), 100L << 20));
        assertEquals(List.of(), scan.volumes());
        assertEquals(1, scan.unsupported().size());
        assertTrue(scan.unsupported().get(0).reason().contains("extends past the end"));
        VolumeScan tiny = scan(new PatchedImage(Fixtures.image("gpt.img"), 300));
        assertEquals(List.of(), tiny.volumes());
        assertEquals(
                List.of("disk0"),
                tiny.unsupported().stream().map(Unsupported::name).collect(Collectors.toList()));
        VolumeScan empty = scan(new PatchedImage(Fixtures.image("gpt.img"), 0));
        assertEquals(List.of(), empty.volumes());
    }

    @Test
    @DisplayName("an LV whose segment lies past the end of a truncated PV is unsupported")
    void truncatedPv() throws IOException {
        VolumeScan scan = scan(
                Fixtures.image("lvm-stripe-a.img"), new PatchedImage(Fixtures.image("lvm-stripe-b.img"), 10L << 20));
        assertEquals(List.of(), scan.volumes());
        Unsupported span = scan.unsupported().stream()
                .filter(u -> u.name().equals("vgstripe-lvspan"))
                .findFirst()
                .orElseThrow();
        assertTrue(span.reason().startsWith("segment at extent 27 extends past the end of PV "), span.reason());
    }

    @Test
    @DisplayName("random byte flips in the metadata regions never make scan throw")
    void fuzz() throws IOException {
        Random random = new Random(4);
        String[][] sets = {
            {"gpt.img"}, {"mbr-logical.img"}, {"lvm.img"}, {"mbr-ntfs.img"}, {"lvm-stripe-a.img", "lvm-stripe-b.img"}
        };
        for (String[] set : sets) {
            for (int round = 0; round < 150; round++) {
                Image[] disks = new Image[set.length];
                for (int d = 0; d < set.length; d++) {
                    Image base = Fixtures.image(set[d]);
                    PatchedImage p = new PatchedImage(base);
                    int flips = 1 + random.nextInt(6);
                    for (int f = 0; f < flips; f++) {
                        // Partition tables and LVM label/headers live in the first 16 KiB of the disk or
                        // of the first partition (1 MiB); the backup GPT is at the end.
                        long region = random.nextInt(3);
                        long base0 = region == 0 ? 0 : region == 1 ? 1 << 20 : base.size() - 16384;
                        p.set(base0 + random.nextInt(16384), (byte) random.nextInt(256));
                    }
                    disks[d] = p;
                }
                String what = String.join("+", set) + " round " + round;
                VolumeScan scan = assertDoesNotThrow(() -> scan(disks), what);
                for (Volume v : scan.volumes()) {
                    assertEquals(v.size(), v.image().size(), what);
                }
            }
        }
    }
}
