package io.cairn.vixmntbridge.vmdk;

import static io.cairn.vixmntbridge.vmdk.Fixtures.MIB;
import static io.cairn.vixmntbridge.vmdk.Fixtures.SECTOR;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.vixmntbridge.DiskInfo;
import io.cairn.vixmntbridge.VirtualDisk;
import io.cairn.vixmntbridge.VixException;
import io.cairn.vixmntbridge.vmdk.VmdkWriter.Format;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@DisplayName("VmdkWriter creates disks that qemu-img and cairn's reader both read back")
class VmdkWriterTest {
    /** 10 MiB + 3 sectors: the last grain is a partial one. */
    static final int SIZE = 10 * MIB + 3 * SECTOR;

    static final Map<String, String> META = new LinkedHashMap<>();
    static byte[] raw;

    @TempDir
    Path dir;

    @BeforeAll
    static void source() {
        raw = Fixtures.rawImage(SIZE, 7);
        META.put("adapterType", "pvscsi");
        META.put("virtualHWVersion", "19");
        META.put("uuid", "60 00 C2 9b 1e 5c 2a 7d-3f 44 0a 11 22 33 44 55");
        META.put("longContentID", "0123456789abcdef0123456789abcdef");
    }

    /** Writes {@code src} through a VmdkWriter in pieces of {@code piece} bytes. */
    static Path write(Path target, Format f, byte[] src, int piece, Map<String, String> meta) throws Exception {
        try (VmdkWriter w = VmdkWriter.create(target, f, src.length, meta)) {
            for (int at = 0; at < src.length; at += piece) {
                w.write(at, src, at, Math.min(piece, src.length - at));
            }
        }
        return target;
    }

    static String name(Format f) {
        return f == Format.RAW ? "disk.raw" : "disk.vmdk";
    }

    static boolean sparse(Format f) {
        return f == Format.MONOLITHIC_SPARSE || f == Format.STREAM_OPTIMIZED || f == Format.TWO_GB_SPARSE;
    }

    /** Bytes the files of a disk occupy on the filesystem (holes not counted). */
    static long allocated(Path dir, List<Path> files) throws IOException {
        long sum = 0;
        for (Path p : files) {
            sum += Long.parseLong(
                            Fixtures.run(dir, "stat", "-c", "%b", p.toString()).trim())
                    * 512;
        }
        return sum;
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Format.class)
    @DisplayName("qemu-img checks the written disk and converts it back to the source bytes")
    void qemuReadsIt(Format f) throws Exception {
        Path disk = write(dir.resolve(name(f)), f, raw, MIB, META);
        if (sparse(f)) {
            Fixtures.run(dir, "qemu-img", "check", "-f", "vmdk", disk.toString());
        }
        Path back = dir.resolve("back.raw");
        Fixtures.run(
                dir,
                "qemu-img",
                "convert",
                "-f",
                f == Format.RAW ? "raw" : "vmdk",
                "-O",
                "raw",
                disk.toString(),
                back.toString());
        Fixtures.assertSameBytes(raw, Files.readAllBytes(back));
        if (f != Format.RAW) {
            String info = Fixtures.run(dir, "qemu-img", "info", disk.toString());
            assertTrue(info.contains("create type: " + f.createType()), info);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Format.class)
    @DisplayName("cairn's reader reads back every byte and the metadata passed at creation")
    void readerReadsIt(Format f) throws Exception {
        // odd pieces, neither sector- nor grain-aligned
        Path disk = write(dir.resolve(name(f)), f, raw, 100_003, META);
        try (VirtualDisk d = VmdkDisks.open(disk)) {
            Fixtures.assertSameBytes(raw, Fixtures.readAll(d, 4096));
            DiskInfo info = d.info();
            assertEquals(SIZE / SECTOR, info.capacitySectors());
            if (f != Format.RAW) {
                assertEquals(DiskInfo.AdapterType.PVSCSI, info.adapterType());
                assertEquals(19, info.hardwareVersion());
                assertEquals(META.get("uuid"), d.metadata().get("uuid"));
                assertEquals(META.get("longContentID"), d.metadata().get("longContentID"));
                assertEquals("255", d.metadata().get("geometry.heads"));
                assertEquals(
                        Long.toString(SIZE / (255 * 63 * SECTOR)), d.metadata().get("geometry.cylinders"));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Format.class)
    @DisplayName("a mostly-zero disk is thin: zero grains and zero blocks take no room")
    void thin(Format f) throws Exception {
        int size = 64 * MIB;
        byte[] src = new byte[size];
        byte[] some = Fixtures.rawImage(MIB, 3);
        System.arraycopy(some, 0, src, 5 * MIB + 4096, MIB);
        System.arraycopy(some, 0, src, size - MIB, MIB);
        VmdkWriter w = VmdkWriter.create(dir.resolve(name(f)), f, size, META);
        List<Path> files;
        try (w) {
            for (int at = 0; at < size; at += MIB) {
                w.write(at, src, at, MIB);
            }
            files = w.files();
        }
        long used = allocated(dir, files);
        long length = 0;
        for (Path p : files) {
            length += Files.size(p);
        }
        assertTrue(used < size / 8, () -> f + " uses " + used + " bytes for 2 MiB of data");
        if (sparse(f)) {
            long total = length;
            assertTrue(total < size / 8, () -> f + " files are " + total + " bytes long for 2 MiB of data");
        }
        try (VirtualDisk d = VmdkDisks.open(files.get(0))) {
            Fixtures.assertSameBytes(src, Fixtures.readAll(d, 8192));
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Format.class)
    @DisplayName("chunks of zeros may be left out: gaps between writes read as zeros")
    void gaps(Format f) throws Exception {
        byte[] src = raw.clone();
        Arrays.fill(src, 2 * MIB, 7 * MIB + 17, (byte) 0);
        Path disk = dir.resolve(name(f));
        try (VmdkWriter w = VmdkWriter.create(disk, f, src.length, Map.of())) {
            w.write(0, src, 0, 2 * MIB);
            w.write(7 * MIB + 17, src, 7 * MIB + 17, src.length - (7 * MIB + 17));
        }
        try (VirtualDisk d = VmdkDisks.open(disk)) {
            Fixtures.assertSameBytes(src, Fixtures.readAll(d, 4096));
        }
    }

    @Test
    @DisplayName("a disk over 2 GiB as vmdk-2gbsparse is split into 2047 MiB extents that qemu-img reads as one disk")
    void splitOverTwoGib() throws Exception {
        long size = 2048L * MIB + MIB;
        long[] at = {0, 1024L * MIB + 17 * SECTOR, 2047L * MIB - 3000, size - 70_000};
        byte[] data = Fixtures.rawImage(MIB / 4, 5);
        Path disk = dir.resolve("big.vmdk");
        byte[] piece = new byte[MIB];
        try (VmdkWriter w = VmdkWriter.create(disk, Format.TWO_GB_SPARSE, size, META)) {
            for (long p = 0; p < size; p += MIB) {
                fill(piece, p, at, data);
                w.write(p, piece, 0, MIB);
            }
            assertEquals(3, w.files().size());
        }
        String desc = Files.readString(disk);
        assertTrue(desc.contains("RW 4192256 SPARSE \"big-s001.vmdk\""), desc);
        assertTrue(desc.contains("RW " + (size / SECTOR - 4192256) + " SPARSE \"big-s002.vmdk\""), desc);
        Fixtures.run(dir, "qemu-img", "check", "-f", "vmdk", disk.toString());
        Path back = dir.resolve("big.raw");
        Fixtures.run(dir, "qemu-img", "convert", "-f", "vmdk", "-O", "raw", disk.toString(), back.toString());
        assertEquals(size, Files.size(back));
        byte[] expected = new byte[MIB];
        byte[] got = new byte[MIB];
        try (InputStream in = Files.newInputStream(back);
                VirtualDisk d = VmdkDisks.open(disk)) {
            for (long p = 0; p < size; p += MIB) {
                fill(expected, p, at, data);
                assertEquals(MIB, in.readNBytes(got, 0, MIB));
                assertArrayEquals(expected, got, "qemu-img at " + p);
                d.read(p / SECTOR, MIB / SECTOR, got, 0);
                assertArrayEquals(expected, got, "reader at " + p);
            }
        }
    }

    /** The 1 MiB of the big disk at {@code p}: {@code data} at each offset of {@code at}, zeros elsewhere. */
    private static void fill(byte[] piece, long p, long[] at, byte[] data) {
        Arrays.fill(piece, (byte) 0);
        for (long a : at) {
            long s = Math.max(a, p);
            long e = Math.min(a + data.length, p + piece.length);
            if (s < e) {
                System.arraycopy(data, (int) (s - a), piece, (int) (s - p), (int) (e - s));
            }
        }
    }

    @Nested
    @DisplayName("The files are laid out as the VMDK spec pins them")
    class Layout {
        @Test
        @DisplayName("a monolithic sparse header: KDMV, version 1, flags 3, 128-sector grains, descriptor at sector 1")
        void sparseHeader() throws Exception {
            Path p = write(dir.resolve("s.vmdk"), Format.MONOLITHIC_SPARSE, raw, MIB, META);
            assertEquals(0x564d444b, Fixtures.u32(p, 0));
            assertEquals(1, Fixtures.u32(p, Fixtures.H_VERSION));
            assertEquals(3, Fixtures.u32(p, Fixtures.H_FLAGS));
            assertEquals(SIZE / SECTOR, Fixtures.u64(p, Fixtures.H_CAPACITY));
            assertEquals(128, Fixtures.u64(p, Fixtures.H_GRAIN_SIZE));
            assertEquals(1, Fixtures.u64(p, Fixtures.H_DESC_OFFSET));
            assertEquals(20, Fixtures.u64(p, Fixtures.H_DESC_SIZE));
            assertEquals(512, Fixtures.u32(p, Fixtures.H_GTES));
            assertEquals(0, Fixtures.u64(p, Fixtures.H_OVERHEAD) % 128);
            byte[] head = Arrays.copyOf(Files.readAllBytes(p), SECTOR);
            assertArrayEquals(new byte[] {'\n', ' ', '\r', '\n', 0, 0}, Arrays.copyOfRange(head, 73, 79));
        }

        @Test
        @DisplayName(
                "a streamOptimized file: version 3, flags 0x30001, GD_AT_END, then footer marker, footer, end-of-stream")
        void streamLayout() throws Exception {
            Path p = write(dir.resolve("st.vmdk"), Format.STREAM_OPTIMIZED, raw, MIB, META);
            long len = Files.size(p);
            assertEquals(0, len % SECTOR);
            assertEquals(3, Fixtures.u32(p, Fixtures.H_VERSION));
            assertEquals(0x30001, Fixtures.u32(p, Fixtures.H_FLAGS));
            assertEquals(-1L, Fixtures.u64(p, Fixtures.H_GD_OFFSET));
            assertEquals(1, Fixtures.u32(p, 77) & 0xffff);
            // footer marker {1, 0, type 3}
            assertEquals(1, Fixtures.u64(p, len - 3 * SECTOR));
            assertEquals(0, Fixtures.u32(p, len - 3 * SECTOR + 8));
            assertEquals(3, Fixtures.u32(p, len - 3 * SECTOR + 12));
            // footer header with the real directory, which starts after a GD marker
            long footer = len - 2 * SECTOR;
            assertEquals(0x564d444b, Fixtures.u32(p, footer));
            long gd = Fixtures.u64(p, footer + Fixtures.H_GD_OFFSET);
            assertTrue(gd > 0 && gd * SECTOR < footer);
            assertEquals(2, Fixtures.u32(p, (gd - 1) * SECTOR + 12));
            // end-of-stream: a sector of zeros
            byte[] all = Files.readAllBytes(p);
            assertArrayEquals(new byte[SECTOR], Arrays.copyOfRange(all, (int) len - SECTOR, (int) len));
        }

        @Test
        @DisplayName("the descriptor with its disk database is on disk before any data is written")
        void metadataFirst() throws Exception {
            Path flat = dir.resolve("f.vmdk");
            Path sparse = dir.resolve("s.vmdk");
            try (VmdkWriter a = VmdkWriter.create(flat, Format.MONOLITHIC_FLAT, SIZE, META);
                    VmdkWriter b = VmdkWriter.create(sparse, Format.MONOLITHIC_SPARSE, SIZE, META)) {
                String f = Files.readString(flat);
                String s = new String(
                        Arrays.copyOfRange(Files.readAllBytes(sparse), SECTOR, 21 * SECTOR), StandardCharsets.UTF_8);
                for (String text : List.of(f, s)) {
                    assertTrue(text.contains("ddb.adapterType = \"pvscsi\""), text);
                    assertTrue(text.contains("ddb.virtualHWVersion = \"19\""), text);
                    assertTrue(text.contains("ddb.uuid = \"" + META.get("uuid") + "\""), text);
                    assertTrue(text.contains("parentCID=ffffffff"), text);
                }
                assertTrue(f.contains("createType=\"monolithicFlat\""), f);
                assertTrue(f.contains("RW " + SIZE / SECTOR + " FLAT \"f-flat.vmdk\" 0"), f);
                assertTrue(s.contains("createType=\"monolithicSparse\""), s);
                assertTrue(s.contains("RW " + SIZE / SECTOR + " SPARSE \"s.vmdk\""), s);
            }
        }

        @Test
        @DisplayName("without metadata the disk gets qemu-img's defaults, lsilogic and a computed geometry")
        void defaults() throws Exception {
            long size = 3L << 30;
            try (VmdkWriter w = VmdkWriter.create(dir.resolve("d.vmdk"), Format.MONOLITHIC_FLAT, size, null)) {
                assertEquals(size, w.capacityBytes());
            }
            try (VirtualDisk d = VmdkDisks.open(dir.resolve("d.vmdk"))) {
                DiskInfo i = d.info();
                assertEquals(DiskInfo.AdapterType.LSILOGIC, i.adapterType());
                assertEquals(4, i.hardwareVersion());
                assertEquals(new DiskInfo.Geometry(size / (255 * 63 * 512), 255, 63), i.physicalGeometry());
                assertEquals("2147483647", d.metadata().get("toolsVersion"));
            }
            try (VmdkWriter w = VmdkWriter.create(
                    dir.resolve("ide.vmdk"), Format.MONOLITHIC_SPARSE, size, Map.of("adapterType", "ide"))) {
                assertEquals(Format.MONOLITHIC_SPARSE, w.format());
            }
            try (VirtualDisk d = VmdkDisks.open(dir.resolve("ide.vmdk"))) {
                assertEquals(
                        new DiskInfo.Geometry(size / (16 * 63 * 512), 16, 63),
                        d.info().physicalGeometry());
            }
        }

        @Test
        @DisplayName("a rendered descriptor parses back to the same CID, createType, extents and disk database")
        void descriptorRoundTrip() throws Exception {
            Map<String, String> ddb =
                    VmdkWriter.diskDatabase(Map.of("adapterType", "pvscsi", "displayName", "Bürodisk"), 5L << 30);
            List<Descriptor.ExtentLine> lines = List.of(
                    new Descriptor.ExtentLine(
                            "RW", 4192256, Descriptor.ExtentType.SPARSE, "SPARSE", "a b-s001.vmdk", 0, 0),
                    new Descriptor.ExtentLine("RW", 100, Descriptor.ExtentType.FLAT, "FLAT", "x-flat.vmdk", 7, 0));
            String text = Descriptor.render(0xabcdef01L, "twoGbMaxExtentSparse", lines, ddb);
            assertTrue(text.startsWith("# Disk DescriptorFile\nversion=1\nencoding=\"UTF-8\"\nCID=abcdef01\n"), text);
            Descriptor d = Descriptor.parse(text, "test");
            assertEquals(0xabcdef01L, d.cid());
            assertEquals(Descriptor.NO_PARENT, d.parentCid());
            assertEquals("twoGbMaxExtentSparse", d.createType());
            assertEquals(ddb, d.ddb());
            assertEquals(2, d.extents().size());
            assertEquals("a b-s001.vmdk", d.extents().get(0).file());
            assertEquals(4192256, d.extents().get(0).sectors());
            assertEquals(7, d.extents().get(1).offset());
            assertEquals(
                    List.of(
                            "ddb.virtualHWVersion",
                            "ddb.geometry.cylinders",
                            "ddb.geometry.heads",
                            "ddb.geometry.sectors",
                            "ddb.adapterType",
                            "ddb.toolsVersion",
                            "ddb.displayName"),
                    List.copyOf(ddb.keySet()));
        }

        @Test
        @DisplayName("incompressible grains are stored, not deflated, and compressible ones shrink")
        void streamStoresIncompressibleGrains() throws Exception {
            byte[] random = new byte[4 * MIB];
            new java.util.Random(9).nextBytes(random);
            byte[] text = new byte[4 * MIB];
            Arrays.fill(text, (byte) 'a');
            Path r = write(dir.resolve("r.vmdk"), Format.STREAM_OPTIMIZED, random, MIB, META);
            Path t = write(dir.resolve("t.vmdk"), Format.STREAM_OPTIMIZED, text, MIB, META);
            // a stored grain: 12-byte marker + 65536 bytes + zlib framing, in 129 sectors
            long rs = Files.size(r);
            long ts = Files.size(t);
            assertTrue(rs < 4 * MIB + 64 * SECTOR + 64 * 1024, () -> "random: " + rs);
            assertTrue(ts < 64 * 1024, () -> "text: " + ts);
            for (Path p : List.of(r, t)) {
                Fixtures.run(dir, "qemu-img", "check", p.toString());
                try (VirtualDisk d = VmdkDisks.open(p)) {
                    Fixtures.assertSameBytes(p == r ? random : text, Fixtures.readAll(d, 2048));
                }
            }
        }

        @Test
        @DisplayName("every format has its vmkfstools-style CLI name and createType")
        void names() {
            assertEquals("raw", Format.RAW.cliName());
            assertEquals("vmdk-flat", Format.MONOLITHIC_FLAT.cliName());
            assertEquals("vmdk-sparse", Format.MONOLITHIC_SPARSE.cliName());
            assertEquals("vmdk-stream", Format.STREAM_OPTIMIZED.cliName());
            assertEquals("vmdk-2gbsparse", Format.TWO_GB_SPARSE.cliName());
            for (Format f : Format.values()) {
                assertEquals(f, Format.fromCliName(f.cliName()));
            }
            assertEquals("twoGbMaxExtentSparse", Format.TWO_GB_SPARSE.createType());
            assertEquals(128, VmdkWriter.GRAIN_SECTORS);
            assertEquals(512, VmdkWriter.GTES_PER_GT);
            assertEquals(4192256, VmdkWriter.SPLIT_EXTENT_SECTORS);
            assertEquals(0x30001, StreamExtentWriter.FLAGS);
            assertEquals(3, SparseExtentWriter.FLAGS);
        }
    }

    @Nested
    @DisplayName("Misuse is refused")
    class Misuse {
        @ParameterizedTest(name = "{0}")
        @EnumSource(Format.class)
        @DisplayName("a write below the end of the previous one is an IllegalStateException")
        void outOfOrder(Format f) throws Exception {
            try (VmdkWriter w = VmdkWriter.create(dir.resolve(name(f)), f, SIZE, META)) {
                w.write(MIB, raw, 0, MIB);
                assertThrows(IllegalStateException.class, () -> w.write(MIB, raw, 0, 512));
                assertThrows(IllegalStateException.class, () -> w.write(0, raw, 0, 512));
                w.write(2 * MIB, raw, 0, 512); // still usable
            }
        }

        @Test
        @DisplayName("a capacity that is not a multiple of 512 is an IllegalArgumentException, and nothing is created")
        void badCapacity() {
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class,
                    () -> VmdkWriter.create(dir.resolve("x.vmdk"), Format.MONOLITHIC_SPARSE, 1000, META));
            assertTrue(e.getMessage().contains("512"), e.getMessage());
            assertThrows(
                    IllegalArgumentException.class,
                    () -> VmdkWriter.create(dir.resolve("x.vmdk"), Format.RAW, 0, META));
            assertTrue(Files.notExists(dir.resolve("x.vmdk")));
        }

        @ParameterizedTest(name = "{0}")
        @EnumSource(
                value = Format.class,
                names = {"MONOLITHIC_SPARSE", "STREAM_OPTIMIZED"})
        @DisplayName("a single sparse file over 2 TiB, which grain table entries cannot address, is refused up front")
        void tooLargeForOneSparseFile(Format f) throws Exception {
            Path p = dir.resolve("huge.vmdk");
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> VmdkWriter.create(p, f, 3L << 40, META));
            assertTrue(e.getMessage().contains("2gbsparse"), e.getMessage());
            assertTrue(Files.notExists(p));
        }

        @Test
        @DisplayName("a write past the capacity is an IllegalArgumentException")
        void pastEnd() throws Exception {
            try (VmdkWriter w = VmdkWriter.create(dir.resolve("e.vmdk"), Format.STREAM_OPTIMIZED, MIB, META)) {
                assertThrows(IllegalArgumentException.class, () -> w.write(MIB - 512, raw, 0, 1024));
            }
        }

        @Test
        @DisplayName("a metadata key with the ddb. prefix or a value with a quote is an IllegalArgumentException")
        void badMetadata() {
            assertThrows(
                    IllegalArgumentException.class,
                    () -> VmdkWriter.create(
                            dir.resolve("m.vmdk"), Format.MONOLITHIC_SPARSE, MIB, Map.of("ddb.adapterType", "ide")));
            assertThrows(
                    IllegalArgumentException.class,
                    () -> VmdkWriter.create(
                            dir.resolve("m.vmdk"), Format.MONOLITHIC_SPARSE, MIB, Map.of("uuid", "a\"b")));
        }

        @Test
        @DisplayName("an existing file is never overwritten")
        void existing() throws Exception {
            Path p = dir.resolve("taken.vmdk");
            Files.writeString(p, "mine");
            VixException x =
                    assertThrows(VixException.class, () -> VmdkWriter.create(p, Format.MONOLITHIC_SPARSE, MIB, META));
            Fixtures.assertMessageNames(x, "taken.vmdk");
            assertEquals("mine", Files.readString(p));
        }

        @Test
        @DisplayName("when an extent file exists already, the files created so far are removed and the old one is kept")
        void existingExtent() throws Exception {
            Files.writeString(dir.resolve("f-flat.vmdk"), "mine");
            assertThrows(
                    VixException.class,
                    () -> VmdkWriter.create(dir.resolve("f.vmdk"), Format.MONOLITHIC_FLAT, MIB, META));
            assertTrue(Files.notExists(dir.resolve("f.vmdk")));
            assertEquals("mine", Files.readString(dir.resolve("f-flat.vmdk")));
        }

        @Test
        @DisplayName("after close the writer refuses writes")
        void afterClose() throws Exception {
            VmdkWriter w = VmdkWriter.create(dir.resolve("c.vmdk"), Format.MONOLITHIC_SPARSE, MIB, META);
            w.close();
            w.close();
            assertThrows(IllegalStateException.class, () -> w.write(0, raw, 0, 512));
        }
    }
}
