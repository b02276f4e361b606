package io.cairn.mount.volume;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.mount.image.Image;
import io.cairn.mount.image.SliceImage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("VolumeScanner on disks made by real tools")
class VolumeScannerFixtureTest {

    static VolumeScan scan(String... images) throws IOException {
        Map<String, Image> disks = new LinkedHashMap<>();
        for (int i = 0; i < images.length; i++) {
            disks.put("disk" + i, Fixtures.image(images[i]));
        }
        return VolumeScanner.scan(disks);
    }

    static List<String> names(VolumeScan scan) {
        return scan.volumes().stream().map(Volume::name).collect(Collectors.toList());
    }

    static Volume volume(VolumeScan scan, String name) {
        return scan.volumes().stream()
                .filter(v -> v.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no volume " + name + " in " + scan));
    }

    /** The single segment of a partition volume must be exactly what sfdisk reports. */
    static void assertPartition(VolumeScan scan, String image, String name, int number) throws IOException {
        Fixtures.SfdiskPartition p = Fixtures.sfdisk(image).stream()
                .filter(s -> s.number() == number)
                .findFirst()
                .orElseThrow();
        SliceImage slice = (SliceImage) volume(scan, name).image();
        assertEquals(
                List.of(new SliceImage.Segment(Fixtures.image(image), p.start() * 512, p.size() * 512)),
                slice.segments(),
                name);
        assertEquals(p.size() * 512, volume(scan, name).size());
    }

    /** Compares the slice with the disk bytes at each segment's start and end. */
    static void assertSameBytes(SliceImage slice) throws IOException {
        long pos = 0;
        for (SliceImage.Segment s : slice.segments()) {
            int n = (int) Math.min(65536, s.length());
            assertArrayEquals(s.image().readFully(s.offset(), n), slice.readFully(pos, n));
            assertArrayEquals(
                    s.image().readFully(s.offset() + s.length() - n, n), slice.readFully(pos + s.length() - n, n));
            pos += s.length();
        }
        // A read across the segment boundaries returns the concatenation.
        if (slice.segments().size() > 1) {
            SliceImage.Segment a = slice.segments().get(0);
            SliceImage.Segment b = slice.segments().get(1);
            byte[] across = slice.readFully(a.length() - 100, 200);
            byte[] want = new byte[200];
            System.arraycopy(a.image().readFully(a.offset() + a.length() - 100, 100), 0, want, 0, 100);
            System.arraycopy(b.image().readFully(b.offset(), 100), 0, want, 100, 100);
            assertArrayEquals(want, across);
        }
    }

    @Nested
    @DisplayName("gpt.img (GPT, FAT32 + ext4)")
    class GptDisk {
        @Test
        @DisplayName("has a FAT32 and an ext4 volume at sfdisk's offsets")
        void volumes() throws IOException {
            VolumeScan scan = scan("gpt.img");
            assertEquals(List.of("disk0-p1", "disk0-p2"), names(scan));
            assertEquals(List.of(), scan.unsupported());
            assertEquals(List.of(), scan.warnings());
            Volume fat = volume(scan, "disk0-p1");
            assertEquals(FsType.FAT32, fat.fsType());
            assertEquals("FATVOL", fat.label());
            assertNotNull(fat.uuid());
            assertEquals("partition 1 of disk0, GPT 'fat32', 100 MiB, FAT32 'FATVOL'", fat.description());
            Volume ext = volume(scan, "disk0-p2");
            assertEquals(FsType.EXT4, ext.fsType());
            assertEquals("EXTVOL", ext.label());
            assertTrue(ext.uuid().matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), ext.uuid());
            assertTrue(ext.description().startsWith("partition 2 of disk0, GPT 'ext4', "), ext.description());
            assertTrue(ext.description().endsWith(", ext4 'EXTVOL'"), ext.description());
            assertPartition(scan, "gpt.img", "disk0-p1", 1);
            assertPartition(scan, "gpt.img", "disk0-p2", 2);
        }
    }

    @Nested
    @DisplayName("mbr-ntfs.img (MBR, NTFS)")
    class NtfsDisk {
        @Test
        @DisplayName("has one NTFS volume at sfdisk's offset")
        void volumes() throws IOException {
            VolumeScan scan = scan("mbr-ntfs.img");
            assertEquals(List.of("disk0-p1"), names(scan));
            assertEquals(List.of(), scan.unsupported());
            Volume ntfs = volume(scan, "disk0-p1");
            assertEquals(FsType.NTFS, ntfs.fsType());
            assertNull(ntfs.label(), "the NTFS label lives in $Volume and is not read");
            assertTrue(ntfs.uuid().matches("[0-9A-F]{16}"), ntfs.uuid());
            assertTrue(ntfs.description().startsWith("partition 1 of disk0, MBR type 0x07, "), ntfs.description());
            assertPartition(scan, "mbr-ntfs.img", "disk0-p1", 1);
        }
    }

    @Nested
    @DisplayName("gpt-xfs.img (GPT, XFS)")
    class XfsDisk {
        @Test
        @DisplayName("has one XFS volume with its label")
        void volumes() throws IOException {
            VolumeScan scan = scan("gpt-xfs.img");
            assertEquals(List.of("disk0-p1"), names(scan));
            assertEquals(List.of(), scan.unsupported());
            Volume xfs = volume(scan, "disk0-p1");
            assertEquals(FsType.XFS, xfs.fsType());
            assertEquals("XFSVOL", xfs.label());
            assertEquals("partition 1 of disk0, GPT 'xfs', 300 MiB, XFS 'XFSVOL'", xfs.description());
            assertPartition(scan, "gpt-xfs.img", "disk0-p1", 1);
        }
    }

    @Nested
    @DisplayName("mbr-logical.img (MBR with an extended partition)")
    class LogicalDisk {
        @Test
        @DisplayName("numbers logical partitions from 5 and hides the extended container")
        void volumes() throws IOException {
            VolumeScan scan = scan("mbr-logical.img");
            assertEquals(List.of("disk0-p1", "disk0-p5", "disk0-p6"), names(scan));
            assertEquals(List.of(), scan.unsupported());
            assertEquals(FsType.EXT2, volume(scan, "disk0-p1").fsType());
            assertEquals("PRIM", volume(scan, "disk0-p1").label());
            assertEquals(FsType.EXT4, volume(scan, "disk0-p5").fsType());
            assertEquals("LOG5", volume(scan, "disk0-p5").label());
            assertEquals(FsType.EXT4, volume(scan, "disk0-p6").fsType());
            assertEquals("LOG6", volume(scan, "disk0-p6").label());
            for (int n : new int[] {1, 5, 6}) {
                assertPartition(scan, "mbr-logical.img", "disk0-p" + n, n);
            }
            assertEquals(
                    "partition 5 of disk0, MBR type 0x83, 10 MiB, ext4 'LOG5'",
                    volume(scan, "disk0-p5").description());
        }

        @Test
        @DisplayName("a filesystem on a disk without partition table is the volume named after the disk")
        void wholeDisk() throws IOException {
            Image disk = Fixtures.image("mbr-logical.img");
            Image p5 = SliceImage.of(disk, 24576 * 512L, 20480 * 512L);
            VolumeScan scan = VolumeScanner.scan(Map.of("whole", p5));
            assertEquals(List.of("whole"), names(scan));
            assertEquals(FsType.EXT4, scan.volumes().get(0).fsType());
            assertEquals(
                    "whole disk whole, 10 MiB, ext4 'LOG5'",
                    scan.volumes().get(0).description());
        }
    }

    @Nested
    @DisplayName("lvm.img (MBR, one PV, two linear LVs)")
    class LvmDisk {
        @Test
        @DisplayName("offers the LVs, not the PV partition, at the offsets lvs and pvs report")
        void volumes() throws IOException {
            VolumeScan scan = scan("lvm.img");
            assertEquals(List.of("vgtest-lvdata", "vgtest-lvsmall"), names(scan));
            assertEquals(List.of(), scan.unsupported());
            Volume data = volume(scan, "vgtest-lvdata");
            assertEquals(FsType.EXT4, data.fsType());
            assertEquals("LVEXT", data.label());
            assertEquals("logical volume lvdata of VG vgtest, 64 MiB, ext4 'LVEXT'", data.description());
            Volume small = volume(scan, "vgtest-lvsmall");
            assertEquals(FsType.FAT16, small.fsType());
            assertEquals("LVFAT", small.label());
            assertEquals(32L << 20, small.size());

            long partStart = Fixtures.sfdisk("lvm.img").get(0).start() * 512;
            Map<String, List<SliceImage.Segment>> expected =
                    expectedSegments("lvm", 4L << 20, Map.of("lvm.img", partStart));
            assertEquals(expected.get("lvdata"), ((SliceImage) data.image()).segments());
            assertEquals(expected.get("lvsmall"), ((SliceImage) small.image()).segments());
            // The numbers in fixtures.md, for the reader.
            assertEquals(2097152, expected.get("lvdata").get(0).offset());
            assertEquals(69206016, expected.get("lvsmall").get(0).offset());
            assertSameBytes((SliceImage) data.image());
            assertSameBytes((SliceImage) small.image());
        }
    }

    /**
     * Segments from the fixture's {@code pvs}/{@code lvs} reports: byte = PV start on its disk +
     * pe_start × 512 + PE × extent size.
     */
    static Map<String, List<SliceImage.Segment>> expectedSegments(String prefix, long extent, Map<String, Long> pvStart)
            throws IOException {
        Map<String, Long> peStart = new LinkedHashMap<>();
        for (String l : Fixtures.lines(prefix + ".pvs.txt")) {
            String[] f = l.split(":");
            peStart.put(f[0], Long.parseLong(f[1]) * 512);
        }
        Map<String, List<SliceImage.Segment>> out = new LinkedHashMap<>();
        for (String l : Fixtures.lines(prefix + ".lvs.txt")) {
            String[] f = l.split(":", 4);
            if (!f[1].equals("linear")) {
                continue;
            }
            for (String range : f[3].split(" ")) {
                String img = range.substring(0, range.indexOf(':'));
                String[] pes = range.substring(range.indexOf(':') + 1).split("-");
                long first = Long.parseLong(pes[0]);
                long count = Long.parseLong(pes[1]) - first + 1;
                out.computeIfAbsent(f[0], k -> new ArrayList<>())
                        .add(new SliceImage.Segment(
                                Fixtures.image(img),
                                pvStart.get(img) + peStart.get(img) + first * extent,
                                count * extent));
            }
        }
        return out;
    }

    @Nested
    @DisplayName("lvm-stripe-a.img + lvm-stripe-b.img (a VG on two whole disks)")
    class TwoDiskVg {
        @Test
        @DisplayName("offers the linear LV spanning both disks and refuses the striped one")
        void volumes() throws IOException {
            VolumeScan scan = scan("lvm-stripe-a.img", "lvm-stripe-b.img");
            assertEquals(List.of("vgstripe-lvspan"), names(scan));
            Volume span = volume(scan, "vgstripe-lvspan");
            assertEquals(FsType.EXT4, span.fsType());
            assertEquals("SPAN", span.label());
            assertEquals(40L << 20, span.size());
            List<SliceImage.Segment> segs = ((SliceImage) span.image()).segments();
            assertEquals(2, segs.size(), "one SliceImage segment per LVM segment");
            assertEquals(
                    expectedSegments("lvm-stripe", 1L << 20, Map.of("lvm-stripe-a.img", 0L, "lvm-stripe-b.img", 0L))
                            .get("lvspan"),
                    segs);
            assertSameBytes((SliceImage) span.image());
            assertEquals(
                    List.of(new Unsupported(
                            "vgstripe-lvstripe", "striped across 2 PVs (stripe size 64 KiB): not supported")),
                    scan.unsupported());
        }

        @Test
        @DisplayName("reports LVs on a missing PV as unsupported, naming the PV")
        void missingPv() throws IOException {
            VolumeScan scan = scan("lvm-stripe-a.img");
            assertEquals(List.of(), scan.volumes());
            Unsupported span = scan.unsupported().stream()
                    .filter(u -> u.name().equals("vgstripe-lvspan"))
                    .findFirst()
                    .orElseThrow();
            assertTrue(
                    span.reason().matches("PV [0-9A-Za-z]{6}(-[0-9A-Za-z]{4}){5}-[0-9A-Za-z]{6} missing"),
                    span.reason());
        }
    }

    @Test
    @DisplayName("scans several disks in order and keeps their names apart")
    void severalDisks() throws IOException {
        VolumeScan scan = scan("gpt.img", "lvm.img", "mbr-logical.img");
        assertEquals(
                List.of("disk0-p1", "disk0-p2", "disk2-p1", "disk2-p5", "disk2-p6", "vgtest-lvdata", "vgtest-lvsmall"),
                names(scan));
        assertFalse(scan.volumes().isEmpty());
        assertEquals(List.of(), scan.unsupported());
    }
}
