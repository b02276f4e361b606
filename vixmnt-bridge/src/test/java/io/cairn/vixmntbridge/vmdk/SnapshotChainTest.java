package io.cairn.vixmntbridge.vmdk;

import static io.cairn.vixmntbridge.vmdk.Fixtures.MIB;
import static io.cairn.vixmntbridge.vmdk.Fixtures.SECTOR;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cairn.vixmntbridge.DiskInfo;
import io.cairn.vixmntbridge.VirtualDisk;
import io.cairn.vixmntbridge.VixException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("A snapshot child reads through to its parent, checked by CID")
class SnapshotChainTest {
    static final int SIZE = 4 * MIB + 3 * SECTOR;

    @TempDir
    Path dir;

    byte[] raw;
    Path parent;
    Path child;

    @BeforeEach
    void build() throws Exception {
        raw = Fixtures.rawImage(SIZE, 7);
        Path src = Fixtures.writeRaw(dir, "src.raw", raw);
        Files.createDirectories(dir.resolve("base"));
        parent = Fixtures.convert(src, "monolithicSparse", dir.resolve("base/parent.vmdk"));
        child = dir.resolve("child.vmdk");
        Fixtures.run(dir, "qemu-img", "create", "-f", "vmdk", "-b", "base/parent.vmdk", "-F", "vmdk", "child.vmdk");
        // 64 KiB at 1 MiB (grain-aligned) and 3 sectors at an unaligned offset in a grain the parent does not have
        Fixtures.run(dir, "qemu-io", "-c", "write -P 0x5a 1M 64k", "child.vmdk");
        Fixtures.run(dir, "qemu-io", "-c", "write -P 0xa5 1573888 1536", "child.vmdk");
    }

    private byte[] expected() {
        byte[] want = raw.clone();
        Arrays.fill(want, MIB, MIB + 65536, (byte) 0x5a);
        Arrays.fill(want, 1573888, 1573888 + 1536, (byte) 0xa5);
        return want;
    }

    @Test
    @DisplayName("the child reads the parent's data plus its own writes, byte for byte")
    void readsThrough() throws Exception {
        try (VirtualDisk d = VmdkDisks.open(child)) {
            Fixtures.assertSameBytes(expected(), Fixtures.readAll(d, 333));
            DiskInfo info = d.info();
            assertEquals(2, info.numLinks());
            assertEquals("base/parent.vmdk", info.parentFileNameHint());
            assertEquals(SIZE / SECTOR, info.capacitySectors());
        }
    }

    @Test
    @DisplayName("the child's allocated blocks are the union of its grains and its parent's")
    void allocatedUnion() throws Exception {
        try (VirtualDisk d = VmdkDisks.open(child);
                VirtualDisk p = VmdkDisks.open(parent)) {
            long cap = d.info().capacitySectors();
            java.util.TreeSet<Long> want = chunks(p.allocatedBlocks(0, cap, 128));
            // 1.5 MiB lies in a zero region of the source, a hole in the parent: only the child has it
            assertEquals(false, want.contains(1573888L / 65536), "fixture: the parent has a hole there");
            want.add(1573888L / 65536);
            want.add((long) MIB / 65536);
            assertEquals(want, chunks(d.allocatedBlocks(0, cap, 128)));
        }
    }

    private static java.util.TreeSet<Long> chunks(List<VirtualDisk.SectorRange> ranges) {
        java.util.TreeSet<Long> s = new java.util.TreeSet<>();
        for (VirtualDisk.SectorRange r : ranges) {
            for (long c = r.start() / 128; c < (r.start() + r.length() + 127) / 128; c++) {
                s.add(c);
            }
        }
        return s;
    }

    @Test
    @DisplayName("a parent whose CID is not the child's parentCID is VIX_E_DISK_CID_MISMATCH naming both")
    void cidMismatch() throws Exception {
        String text = new String(Files.readAllBytes(child), java.nio.charset.StandardCharsets.ISO_8859_1);
        String line = text.substring(text.indexOf("parentCID="), text.indexOf('\n', text.indexOf("parentCID=")));
        String cid = line.substring("parentCID=".length());
        String other = cid.charAt(0) == '1' ? "2" + cid.substring(1) : "1" + cid.substring(1);
        Fixtures.replaceText(child, line, "parentCID=" + other);
        VixException x = Fixtures.assertVix(VixException.VIX_E_DISK_CID_MISMATCH, () -> VmdkDisks.open(child));
        Fixtures.assertMessageNames(x, "child.vmdk", "parent.vmdk", other, cid);
    }

    @Test
    @DisplayName("a missing parent is VIX_E_DISK_PARTIALCHAIN naming it")
    void missingParent() throws Exception {
        Files.move(parent, dir.resolve("base/moved.vmdk"));
        VixException x = Fixtures.assertVix(VixException.VIX_E_DISK_PARTIALCHAIN, () -> VmdkDisks.open(child));
        Fixtures.assertMessageNames(x, "base/parent.vmdk", "child.vmdk");
    }

    @Test
    @DisplayName("an unallocated grain of a base disk reads as zeros, grains stored out of order read right")
    void holesReadZeros() throws Exception {
        Path empty = dir.resolve("empty.vmdk");
        Fixtures.run(dir, "qemu-img", "create", "-f", "vmdk", "empty.vmdk", "1M");
        Fixtures.run(dir, "qemu-io", "-c", "write -P 0x11 64k 512", "empty.vmdk");
        // grain 3 before grain 2: neighbours on the disk, out of order in the file
        Fixtures.run(dir, "qemu-io", "-c", "write -P 0x22 192k 64k", "empty.vmdk");
        Fixtures.run(dir, "qemu-io", "-c", "write -P 0x33 128k 64k", "empty.vmdk");
        try (VirtualDisk d = VmdkDisks.open(empty)) {
            byte[] want = new byte[MIB];
            Arrays.fill(want, 65536, 65536 + 512, (byte) 0x11);
            Arrays.fill(want, 131072, 196608, (byte) 0x33);
            Arrays.fill(want, 196608, 262144, (byte) 0x22);
            Fixtures.assertSameBytes(want, Fixtures.readAll(d, 2048));
            assertEquals(List.of(new VirtualDisk.SectorRange(128, 384)), d.allocatedBlocks(0, 2048, 128));
        }
    }
}
