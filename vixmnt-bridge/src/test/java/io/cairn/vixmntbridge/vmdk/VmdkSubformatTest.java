package io.cairn.vixmntbridge.vmdk;

import static io.cairn.vixmntbridge.vmdk.Fixtures.MIB;
import static io.cairn.vixmntbridge.vmdk.Fixtures.SECTOR;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.cairn.vixmntbridge.DiskInfo;
import io.cairn.vixmntbridge.VirtualDisk;
import io.cairn.vixmntbridge.VixException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

@DisplayName("Every VMDK subformat qemu-img writes reads back byte for byte")
class VmdkSubformatTest {
    /** 10 MiB + 3 sectors, and a small size that is not a whole number of 64 KiB grains either. */
    static final int[] SIZES = {10 * MIB + 3 * SECTOR, MIB + 37 * SECTOR};

    @TempDir
    static Path dir;

    static byte[][] raws = new byte[SIZES.length][];

    @BeforeAll
    static void buildFixtures() throws Exception {
        for (int i = 0; i < SIZES.length; i++) {
            raws[i] = Fixtures.rawImage(SIZES[i], 42 + i);
            Path raw = Fixtures.writeRaw(dir, "src" + i + ".raw", raws[i]);
            for (String f : Fixtures.SUBFORMATS) {
                Fixtures.convert(raw, f, dir.resolve(f + "-" + i + ".vmdk"));
            }
        }
    }

    static Stream<Arguments> images() {
        List<Arguments> a = new ArrayList<>();
        for (String f : Fixtures.SUBFORMATS) {
            for (int i = 0; i < SIZES.length; i++) {
                a.add(Arguments.of(f, i));
            }
        }
        return a.stream();
    }

    @ParameterizedTest(name = "{0}, image {1}")
    @MethodSource("images")
    @DisplayName("reading every byte in odd pieces gives the raw source")
    void readsEveryByte(String subformat, int image) throws Exception {
        try (VirtualDisk d = VmdkDisks.open(dir.resolve(subformat + "-" + image + ".vmdk"))) {
            Fixtures.assertSameBytes(raws[image], Fixtures.readAll(d, 777));
            Fixtures.assertSameBytes(raws[image], Fixtures.readAll(d, 4096));
        }
    }

    @ParameterizedTest(name = "{0}, image {1}")
    @MethodSource("images")
    @DisplayName("info and metadata carry the capacity, adapter and hardware version")
    void infoAndMetadata(String subformat, int image) throws Exception {
        try (VirtualDisk d = VmdkDisks.open(dir.resolve(subformat + "-" + image + ".vmdk"))) {
            DiskInfo info = d.info();
            assertEquals(SIZES[image] / SECTOR, info.capacitySectors());
            assertEquals(DiskInfo.AdapterType.LSILOGIC, info.adapterType());
            assertEquals(14, info.hardwareVersion());
            assertEquals(1, info.numLinks());
            assertNull(info.parentFileNameHint());
            assertEquals("lsilogic", d.metadata().get("adapterType"));
            assertEquals("14", d.metadata().get("virtualHWVersion"));
            assertEquals("255", d.metadata().get("geometry.heads"));
            assertEquals(
                    new DiskInfo.Geometry(Long.parseLong(d.metadata().get("geometry.cylinders")), 255, 63),
                    info.physicalGeometry());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.cairn.vixmntbridge.vmdk.VmdkSubformatTest#subformats")
    @DisplayName("many threads reading at random offsets all get the right bytes")
    void concurrentReads(String subformat) throws Exception {
        byte[] raw = raws[0];
        try (VirtualDisk d = VmdkDisks.open(dir.resolve(subformat + "-0.vmdk"))) {
            long cap = d.info().capacitySectors();
            ExecutorService pool = Executors.newFixedThreadPool(6);
            try {
                List<Future<?>> fs = new ArrayList<>();
                for (int t = 0; t < 6; t++) {
                    long seed = t;
                    fs.add(pool.submit(() -> {
                        Random r = new Random(seed);
                        for (int k = 0; k < 300; k++) {
                            int n = 1 + r.nextInt(300);
                            long s = (long) (r.nextDouble() * (cap - n));
                            byte[] b = new byte[n * SECTOR + 3];
                            d.read(s, n, b, 3);
                            byte[] want = Arrays.copyOfRange(raw, (int) (s * SECTOR), (int) ((s + n) * SECTOR));
                            assertArrayEquals(want, Arrays.copyOfRange(b, 3, b.length), "sectors " + s + "+" + n);
                        }
                        return null;
                    }));
                }
                for (Future<?> f : fs) {
                    f.get();
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    static Stream<String> subformats() {
        return Stream.of(Fixtures.SUBFORMATS);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("subformats")
    @DisplayName("a read past the capacity is VIX_E_DISK_OUTOFRANGE and the last sector still reads")
    void readPastCapacity(String subformat) throws Exception {
        try (VirtualDisk d = VmdkDisks.open(dir.resolve(subformat + "-0.vmdk"))) {
            long cap = d.info().capacitySectors();
            byte[] b = new byte[2 * SECTOR];
            Fixtures.assertVix(VixException.VIX_E_DISK_OUTOFRANGE, () -> d.read(cap - 1, 2, b, 0));
            Fixtures.assertVix(VixException.VIX_E_DISK_OUTOFRANGE, () -> d.read(-1, 1, b, 0));
            d.read(cap - 1, 1, b, 0);
            assertArrayEquals(
                    Arrays.copyOfRange(raws[0], (int) ((cap - 1) * SECTOR), (int) (cap * SECTOR)),
                    Arrays.copyOf(b, SECTOR));
            Fixtures.assertVix(VixException.VIX_E_INVALID_ARG, () -> d.read(0, 3, b, 0));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("subformats")
    @DisplayName("write and writeMetadata are refused with VIX_E_NOT_SUPPORTED")
    void readOnly(String subformat) throws Exception {
        try (VirtualDisk d = VmdkDisks.open(dir.resolve(subformat + "-0.vmdk"))) {
            Fixtures.assertVix(VixException.VIX_E_NOT_SUPPORTED, () -> d.write(0, 1, new byte[SECTOR], 0));
            Fixtures.assertVix(VixException.VIX_E_NOT_SUPPORTED, () -> d.writeMetadata("uuid", "x"));
        }
    }

    @Test
    @DisplayName("a renamed monolithic sparse file still reads itself, not the file its descriptor names")
    void renamedMonolithic() throws Exception {
        Path sub = Files.createDirectories(dir.resolve("renamed"));
        Path copy = sub.resolve("copy.vmdk");
        Files.copy(dir.resolve("monolithicSparse-1.vmdk"), copy);
        // the name inside the copy, next to it, is another disk: it must not be read
        Files.copy(dir.resolve("monolithicSparse-0.vmdk"), sub.resolve("monolithicSparse-1.vmdk"));
        try (VirtualDisk d = VmdkDisks.open(copy)) {
            Fixtures.assertSameBytes(raws[1], Fixtures.readAll(d, 512));
        }
    }

    @Test
    @DisplayName("a hand-written descriptor mixing FLAT at an offset, ZERO and VMFS extents reads them end to end")
    void mixedExtents() throws Exception {
        Path sub = Files.createDirectories(dir.resolve("mixed"));
        byte[] a = Arrays.copyOfRange(raws[0], 0, 300 * SECTOR);
        byte[] b = Arrays.copyOfRange(raws[0], 300 * SECTOR, 1000 * SECTOR);
        byte[] withHeader = new byte[7 * SECTOR + b.length];
        Arrays.fill(withHeader, 0, 7 * SECTOR, (byte) 0x77);
        System.arraycopy(b, 0, withHeader, 7 * SECTOR, b.length);
        Files.write(sub.resolve("a.img"), a);
        Files.write(sub.resolve("b b.img"), withHeader);
        Files.writeString(
                sub.resolve("mixed.vmdk"),
                "# Disk DescriptorFile\nversion=1\nCID=fffffffe\nparentCID=ffffffff\n"
                        + "createType=\"vmfs\"\nRDONLY 300 FLAT \"a.img\"\nRW 50 ZERO\nRW 700 VMFS \"b b.img\" 7\n"
                        + "ddb.adapterType = \"pvscsi\"\n");
        try (VirtualDisk d = VmdkDisks.open(sub.resolve("mixed.vmdk"))) {
            byte[] want = new byte[1050 * SECTOR];
            System.arraycopy(a, 0, want, 0, a.length);
            System.arraycopy(b, 0, want, 350 * SECTOR, b.length);
            Fixtures.assertSameBytes(want, Fixtures.readAll(d, 77));
            assertEquals(DiskInfo.AdapterType.PVSCSI, d.info().adapterType());
            assertEquals(
                    List.of(new VirtualDisk.SectorRange(0, 300), new VirtualDisk.SectorRange(350, 700)),
                    d.allocatedBlocks(0, 1050, 1));
        }
    }

    @Test
    @DisplayName("a closed disk refuses reads with VIX_E_DISK_NOINIT")
    void closedDisk() throws Exception {
        VirtualDisk d = VmdkDisks.open(dir.resolve("monolithicSparse-0.vmdk"));
        d.close();
        d.close();
        Fixtures.assertVix(VixException.VIX_E_DISK_NOINIT, () -> d.read(0, 1, new byte[SECTOR], 0));
    }

    @Test
    @DisplayName("a raw image reads as itself, with empty metadata and every block allocated")
    void rawImage() throws Exception {
        Path raw = dir.resolve("src0.raw");
        try (VirtualDisk d = VmdkDisks.open(raw)) {
            assertEquals(SIZES[0] / SECTOR, d.info().capacitySectors());
            assertEquals(DiskInfo.AdapterType.UNKNOWN, d.info().adapterType());
            assertEquals(0, d.metadata().size());
            Fixtures.assertSameBytes(raws[0], Fixtures.readAll(d, 1000));
            assertEquals(
                    List.of(new VirtualDisk.SectorRange(0, SIZES[0] / SECTOR)),
                    d.allocatedBlocks(0, SIZES[0] / SECTOR, 128));
        }
    }

    @Test
    @DisplayName("a raw image whose size is not a multiple of 512 is refused, naming its size")
    void rawOddSize() throws Exception {
        Path raw = dir.resolve("odd.img");
        Files.write(raw, new byte[SECTOR * 3 + 100]);
        VixException x = Fixtures.assertVix(VixException.VIX_E_DISK_INVAL, () -> VmdkDisks.open(raw));
        Fixtures.assertMessageNames(x, "odd.img", "1636", "512");
    }

    @Test
    @DisplayName("a file that does not exist is VIX_E_FILE_NOT_FOUND")
    void missingFile() {
        Fixtures.assertVix(VixException.VIX_E_FILE_NOT_FOUND, () -> VmdkDisks.open(dir.resolve("nope.vmdk")));
    }
}
