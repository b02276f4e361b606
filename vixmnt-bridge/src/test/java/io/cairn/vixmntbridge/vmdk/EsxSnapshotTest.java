package io.cairn.vixmntbridge.vmdk;

import static io.cairn.vixmntbridge.vmdk.Fixtures.MIB;
import static io.cairn.vixmntbridge.vmdk.Fixtures.SECTOR;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.cairn.vixmntbridge.DiskInfo;
import io.cairn.vixmntbridge.VirtualDisk;
import io.cairn.vixmntbridge.VixException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ESXi snapshot children read bit-exact through their chain: vmfsSparse ({@code -delta.vmdk}, COWD
 * with 512-byte grains) and seSparse ({@code -sesparse.vmdk}, 4 KiB grains, zeroed and unmapped
 * grains that hide the parent), built by the recipe and checked against qemu-img (see
 * {@link EsxSnapshots}).
 */
@DisplayName("ESXi snapshot children (vmfsSparse, seSparse) read bit-exact, as qemu-img reads them")
class EsxSnapshotTest {
    static final int SIZE = 4 * MIB + 3 * SECTOR;

    @TempDir
    Path dir;

    Path raw;
    Path base;

    @BeforeEach
    void build() throws Exception {
        raw = Fixtures.writeRaw(dir, "base.raw", Fixtures.rawImage(SIZE, 21));
        base = EsxSnapshots.base(dir, "web01", raw);
    }

    private static byte[] read(Path p) throws Exception {
        try (VirtualDisk d = VmdkDisks.open(p)) {
            return Fixtures.readAll(d, 333);
        }
    }

    @Test
    @DisplayName("a vmfsSparse child: aligned, unaligned, first- and last-sector writes over a vmfs base")
    void vmfsSparse() throws Exception {
        Path want = EsxSnapshots.child(
                dir,
                "vmfsSparse",
                base,
                raw,
                "web01-000001",
                1,
                "1048576:65536",
                "1573888:1536",
                "0:512",
                "4194304:1536");
        Path child = dir.resolve("web01-000001.vmdk");
        Fixtures.assertSameBytes(Files.readAllBytes(want), read(child));
        assertFalse(
                java.util.Arrays.equals(Files.readAllBytes(raw), Files.readAllBytes(want)),
                "the child changes something");
        try (VirtualDisk d = VmdkDisks.open(child)) {
            DiskInfo info = d.info();
            assertEquals(2, info.numLinks());
            assertEquals("web01.vmdk", info.parentFileNameHint());
            assertEquals(SIZE / SECTOR, info.capacitySectors());
            assertEquals("lsilogic", d.metadata().get("adapterType"), "the base's disk database reads through");
        }
    }

    @Test
    @DisplayName(
            "a seSparse child: copy-on-write of partial grains, zeroed and unmapped grains read as zeros, not the parent")
    void seSparse() throws Exception {
        Path want = EsxSnapshots.child(
                dir,
                "seSparse",
                base,
                raw,
                "web01-000001",
                2,
                "1048576:65536",
                "1573888:1536",
                "8192:8192:zero",
                "2097152:4096:unmap",
                "12288:512",
                "4194304:1536");
        byte[] got = read(dir.resolve("web01-000001.vmdk"));
        Fixtures.assertSameBytes(Files.readAllBytes(want), got);
        byte[] parent = Files.readAllBytes(raw);
        assertFalse(isZero(parent, 8192, 4096), "fixture: the parent has data where the child zeroes a grain");
        assertEquals(true, isZero(got, 8192, 4096));
        assertEquals(true, isZero(got, 2097152, 4096));
    }

    @Test
    @DisplayName("two links deep, of each kind: a child of a child reads through both to the base")
    void chains() throws Exception {
        for (String kind : List.of("vmfsSparse", "seSparse")) {
            Path sub = Files.createDirectory(dir.resolve(kind));
            Path b = EsxSnapshots.base(sub, "db01", raw);
            Path first = EsxSnapshots.child(sub, kind, b, raw, "db01-000001", 3, "1048576:65536", "3145728:8192");
            Path second = EsxSnapshots.child(
                    sub, kind, sub.resolve("db01-000001.vmdk"), first, "db01-000002", 4, "1052672:4096", "0:4096");
            Fixtures.assertSameBytes(Files.readAllBytes(second), read(sub.resolve("db01-000002.vmdk")));
            try (VirtualDisk d = VmdkDisks.open(sub.resolve("db01-000002.vmdk"))) {
                assertEquals(3, d.info().numLinks(), kind);
            }
        }
    }

    @Test
    @DisplayName("allocated blocks of a child are its data grains and its parent's, not its zeroed grains")
    void allocated() throws Exception {
        // a hosted sparse parent, so that it has holes: the 1.4 MiB zero region of the source
        Path sparseBase = Fixtures.convert(raw, "monolithicSparse", dir.resolve("sparse.vmdk"));
        Path want = EsxSnapshots.child(
                dir, "seSparse", sparseBase, raw, "sparse-000001", 5, "1507328:4096", "1703936:4096:zero");
        Fixtures.assertSameBytes(Files.readAllBytes(want), read(dir.resolve("sparse-000001.vmdk")));
        try (VirtualDisk c = VmdkDisks.open(dir.resolve("sparse-000001.vmdk"));
                VirtualDisk p = VmdkDisks.open(sparseBase)) {
            long cap = c.info().capacitySectors();
            TreeSet<Long> parentChunks = chunks(p.allocatedBlocks(0, cap, 128));
            assertFalse(parentChunks.contains(1507328L / 65536), "fixture: the parent has a hole at 1.4375 MiB");
            assertFalse(parentChunks.contains(1703936L / 65536), "fixture: and at 1.625 MiB");
            TreeSet<Long> want2 = new TreeSet<>(parentChunks);
            want2.add(1507328L / 65536);
            assertEquals(want2, chunks(c.allocatedBlocks(0, cap, 128)));
        }
    }

    @Test
    @DisplayName("a COWD or seSparse data file opened on its own is refused, naming the descriptor to open")
    void bareDataFiles() throws Exception {
        EsxSnapshots.child(dir, "vmfsSparse", base, raw, "web01-000001", 1, "0:512");
        VixException x = Fixtures.assertVix(
                VixException.VIX_E_NOT_SUPPORTED, () -> VmdkDisks.open(dir.resolve("web01-000001-delta.vmdk")));
        Fixtures.assertMessageNames(x, "COWD", "open the descriptor", "probably web01-000001.vmdk");
        EsxSnapshots.child(dir, "seSparse", base, raw, "web01-000002", 1, "0:4096");
        x = Fixtures.assertVix(
                VixException.VIX_E_NOT_SUPPORTED, () -> VmdkDisks.open(dir.resolve("web01-000002-sesparse.vmdk")));
        Fixtures.assertMessageNames(x, "seSparse", "probably web01-000002.vmdk");
    }

    static boolean isZero(byte[] b, int off, int len) {
        for (int i = off; i < off + len; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    static TreeSet<Long> chunks(List<VirtualDisk.SectorRange> ranges) {
        TreeSet<Long> s = new TreeSet<>();
        for (VirtualDisk.SectorRange r : ranges) {
            for (long c = r.start() / 128; c < (r.start() + r.length() + 127) / 128; c++) {
                s.add(c);
            }
        }
        return s;
    }
}
