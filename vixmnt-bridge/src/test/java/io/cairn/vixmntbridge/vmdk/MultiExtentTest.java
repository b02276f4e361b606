package io.cairn.vixmntbridge.vmdk;

import static io.cairn.vixmntbridge.vmdk.Fixtures.SECTOR;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.vixmntbridge.VirtualDisk;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("Split disks of several 2 GiB extents read across extent boundaries")
class MultiExtentTest {
    /** 5 GiB: three extents of 2, 2 and 1 GiB; the data files stay sparse on the host. */
    static final long GIB = 1L << 30;

    static final long SIZE = 5 * GIB;
    /** Writes straddling both extent boundaries and one at the very end. */
    static final long[][] WRITES = {
        {2 * GIB - 3 * SECTOR, 8192, 0x31},
        {4 * GIB - 65536, 131072, 0x32},
        {SIZE - 65536, 65536, 0x33},
        {12345 * SECTOR, 1024, 0x34}
    };

    @TempDir
    static Path dir;

    @BeforeAll
    static void build() throws Exception {
        for (String f : new String[] {"twoGbMaxExtentSparse", "twoGbMaxExtentFlat"}) {
            Fixtures.run(dir, "qemu-img", "create", "-f", "vmdk", "-o", "subformat=" + f, f + ".vmdk", "5G");
            for (long[] w : WRITES) {
                Fixtures.run(dir, "qemu-io", "-c", "write -P " + w[2] + " " + w[0] + " " + w[1], f + ".vmdk");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"twoGbMaxExtentSparse", "twoGbMaxExtentFlat"})
    @DisplayName("reads around every write, across extent boundaries, give the pattern and zeros")
    void readsAcrossExtents(String f) throws Exception {
        try (VirtualDisk d = VmdkDisks.open(dir.resolve(f + ".vmdk"))) {
            assertEquals(SIZE / SECTOR, d.info().capacitySectors());
            for (long[] w : WRITES) {
                long from = Math.max(0, w[0] - 70000) / SECTOR;
                long to = Math.min(SIZE, w[0] + w[1] + 70000) / SECTOR;
                byte[] got = new byte[(int) ((to - from) * SECTOR)];
                d.read(from, (int) (to - from), got, 0);
                byte[] want = new byte[got.length];
                int at = (int) (w[0] - from * SECTOR);
                Arrays.fill(want, at, at + (int) w[1], (byte) w[2]);
                assertArrayEquals(want, got, "around byte " + w[0]);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"twoGbMaxExtentSparse"})
    @DisplayName("allocated blocks are exactly the written grains, across extents")
    void allocated(String f) throws Exception {
        try (VirtualDisk d = VmdkDisks.open(dir.resolve(f + ".vmdk"))) {
            long cap = d.info().capacitySectors();
            List<VirtualDisk.SectorRange> r = d.allocatedBlocks(0, cap, 128);
            assertEquals(
                    List.of(
                            new VirtualDisk.SectorRange(12288, 128),
                            new VirtualDisk.SectorRange(2 * GIB / SECTOR - 128, 256),
                            new VirtualDisk.SectorRange(4 * GIB / SECTOR - 128, 256),
                            new VirtualDisk.SectorRange(cap - 128, 128)),
                    r);
            // a window starting inside the second range is clipped to it
            List<VirtualDisk.SectorRange> w = d.allocatedBlocks(2 * GIB / SECTOR, 2048, 128);
            assertEquals(List.of(new VirtualDisk.SectorRange(2 * GIB / SECTOR, 128)), w);
            assertTrue(d.allocatedBlocks(100_000, 128, 128).isEmpty());
        }
    }
}
