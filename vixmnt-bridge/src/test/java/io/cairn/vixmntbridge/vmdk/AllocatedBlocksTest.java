package io.cairn.vixmntbridge.vmdk;

import static io.cairn.vixmntbridge.vmdk.Fixtures.MIB;
import static io.cairn.vixmntbridge.vmdk.Fixtures.SECTOR;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cairn.vixmntbridge.VirtualDisk;
import io.cairn.vixmntbridge.VixException;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Allocated blocks of a sparse image")
class AllocatedBlocksTest {
    /** Data in [0, 1 MiB) and [3 MiB, 3 MiB + 100 sectors), zeros between and after: qemu-img leaves holes. */
    static final int SIZE = 5 * MIB + 3 * SECTOR;

    static final long DATA2 = 3L * MIB / SECTOR;

    @TempDir
    static Path dir;

    static Path sparse;
    static Path stream;

    @BeforeAll
    static void build() throws Exception {
        byte[] raw = new byte[SIZE];
        Random r = new Random(5);
        byte[] d = new byte[MIB];
        r.nextBytes(d);
        System.arraycopy(d, 0, raw, 0, MIB);
        System.arraycopy(d, 0, raw, 3 * MIB, 100 * SECTOR);
        Path src = Fixtures.writeRaw(dir, "holes.raw", raw);
        sparse = Fixtures.convert(src, "monolithicSparse", dir.resolve("holes.vmdk"));
        stream = Fixtures.convert(src, "streamOptimized", dir.resolve("holes-stream.vmdk"));
    }

    @Test
    @DisplayName("cover the data and not the hole, rounded out to whole chunks")
    void coversDataNotHole() throws Exception {
        for (Path p : new Path[] {sparse, stream}) {
            try (VirtualDisk d = VmdkDisks.open(p)) {
                long cap = d.info().capacitySectors();
                assertEquals(
                        List.of(new VirtualDisk.SectorRange(0, 2048), new VirtualDisk.SectorRange(DATA2, 128)),
                        d.allocatedBlocks(0, cap, 128),
                        p.toString());
                assertEquals(
                        List.of(new VirtualDisk.SectorRange(0, 2048), new VirtualDisk.SectorRange(DATA2, 2048)),
                        d.allocatedBlocks(0, cap - 3, 2048),
                        "1 MiB chunks");
                assertEquals(
                        List.of(new VirtualDisk.SectorRange(1000, 1048)),
                        d.allocatedBlocks(1000, 3000, 128),
                        "clipped to the window");
                assertEquals(List.of(), d.allocatedBlocks(2048, 4096, 128), "the hole");
            }
        }
    }

    @Test
    @DisplayName("a query past the capacity is VIX_E_DISK_OUTOFRANGE, a zero chunk is VIX_E_INVALID_ARG")
    void badQueries() throws Exception {
        try (VirtualDisk d = VmdkDisks.open(sparse)) {
            long cap = d.info().capacitySectors();
            Fixtures.assertVix(VixException.VIX_E_DISK_OUTOFRANGE, () -> d.allocatedBlocks(0, cap + 1, 128));
            Fixtures.assertVix(VixException.VIX_E_INVALID_ARG, () -> d.allocatedBlocks(0, cap, 0));
        }
    }
}
