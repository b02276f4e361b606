package io.cairn.vixmntbridge.vmdk;

import static io.cairn.vixmntbridge.vmdk.Fixtures.MIB;
import static io.cairn.vixmntbridge.vmdk.Fixtures.SECTOR;
import static org.junit.jupiter.api.Assertions.fail;

import io.cairn.vixmntbridge.VirtualDisk;
import io.cairn.vixmntbridge.VixException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * ESXi snapshot data files are untrusted input: every header field the reader uses is bounded,
 * every table entry checked before it is followed, and damage is a {@link VixException} naming the
 * file, never a wrong byte, an unbounded allocation or another exception. The fixtures come from
 * the recipe (see {@link EsxSnapshots}); each test damages one field by its documented offset.
 */
@DisplayName("Damaged ESXi snapshot files give a clear VixException")
class EsxSnapshotDamageTest {
    static final int SIZE = 4 * MIB + 3 * SECTOR;

    @TempDir
    Path dir;

    Path raw;
    Path base;

    @BeforeEach
    void build() throws Exception {
        raw = Fixtures.writeRaw(dir, "base.raw", Fixtures.rawImage(SIZE, 31));
        base = EsxSnapshots.base(dir, "vm", raw);
    }

    /** Opening and reading every sector fails with {@code code}, the message naming the data file. */
    static VixException fails(long code, Path desc, Path data) {
        VixException x = Fixtures.assertVix(code, () -> {
            try (VirtualDisk d = VmdkDisks.open(desc)) {
                Fixtures.readAll(d, 1024);
            }
        });
        Fixtures.assertMessageNames(x, data.getFileName().toString());
        return x;
    }

    @Nested
    @DisplayName("vmfsSparse (COWD): each header field and table entry")
    class Cowd {
        Path desc;
        Path data;

        @BeforeEach
        void child() throws Exception {
            EsxSnapshots.child(dir, "vmfsSparse", base, raw, "vm-000001", 7, "1048576:65536", "0:512");
            desc = dir.resolve("vm-000001.vmdk");
            data = dir.resolve("vm-000001-delta.vmdk");
        }

        @Test
        @DisplayName("version other than 1: not supported")
        void version() throws Exception {
            Fixtures.putU32(data, 4, 2);
            Fixtures.assertMessageNames(fails(VixException.VIX_E_NOT_SUPPORTED, desc, data), "version 2");
        }

        @Test
        @DisplayName("grain size 0, 3 or 2^20 sectors")
        void grainSize() throws Exception {
            for (int g : new int[] {0, 3, 1 << 20}) {
                Fixtures.putU32(data, 16, g);
                Fixtures.assertMessageNames(fails(VixException.VIX_E_DISK_INVAL, desc, data), "grain size " + g);
            }
        }

        @Test
        @DisplayName("capacity below the extent line's")
        void capacity() throws Exception {
            Fixtures.putU32(data, 12, 100);
            fails(VixException.VIX_E_DISK_INVAL, desc, data);
        }

        @Test
        @DisplayName("too few grain directory entries, or a directory inside the header or past the end")
        void directory() throws Exception {
            Fixtures.putU32(data, 24, 1);
            fails(VixException.VIX_E_DISK_INVAL, desc, data);
            Fixtures.putU32(data, 24, 3);
            Fixtures.putU32(data, 20, 2);
            fails(VixException.VIX_E_DISK_INVAL, desc, data);
            Fixtures.putU32(data, 20, -1);
            fails(VixException.VIX_E_DISK_INVAL, desc, data);
        }

        @Test
        @DisplayName("a grain table past the end of the file")
        void table() throws Exception {
            Fixtures.putU32(data, 4L * SECTOR, (int) (Files.size(data) / SECTOR));
            fails(VixException.VIX_E_DISK_INVAL, desc, data);
        }

        @Test
        @DisplayName("a grain inside the header, or past the end of the file")
        void grain() throws Exception {
            long gt0 = Integer.toUnsignedLong(Fixtures.u32(data, 4L * SECTOR)) * SECTOR;
            Fixtures.putU32(data, gt0, 2); // grain 0 (written: "0:512") now points into the header
            fails(VixException.VIX_E_DISK_INVAL, desc, data);
            Fixtures.putU32(data, gt0, (int) (Files.size(data) / SECTOR));
            fails(VixException.VIX_E_DISK_INVAL, desc, data);
        }

        @Test
        @DisplayName("a truncated data file")
        void truncated() throws Exception {
            Fixtures.truncate(data, Files.size(data) - 3 * SECTOR);
            fails(VixException.VIX_E_DISK_INVAL, desc, data);
            Fixtures.truncate(data, 1000);
            fails(VixException.VIX_E_DISK_INVAL, desc, data);
        }
    }

    @Nested
    @DisplayName("seSparse: each header field and directory and table entry")
    class SeSparse {
        Path desc;
        Path data;

        @BeforeEach
        void child() throws Exception {
            EsxSnapshots.child(dir, "seSparse", base, raw, "vm-000001", 8, "1048576:65536", "0:4096", "8192:4096:zero");
            desc = dir.resolve("vm-000001.vmdk");
            data = dir.resolve("vm-000001-sesparse.vmdk");
        }

        long header(int field) throws Exception {
            return Fixtures.u64(data, 8L * field);
        }

        @Test
        @DisplayName("wrong magic, or another version, grain size, table size, flags, reserved or padding")
        void constantHeader() throws Exception {
            Fixtures.putU64(data, 0, 0xcafed00dL);
            fails(VixException.VIX_E_DISK_INVAL, desc, data);
            Fixtures.putU64(data, 0, SeSparseExtent.CONST_MAGIC);
            long[][] unsupported = {{1, 0x200000002L}, {3, 16}, {4, 32}, {5, 1}, {7, 1}};
            for (long[] f : unsupported) {
                long was = header((int) f[0]);
                Fixtures.putU64(data, 8 * f[0], f[1]);
                fails(VixException.VIX_E_NOT_SUPPORTED, desc, data);
                Fixtures.putU64(data, 8 * f[0], was);
            }
            Fixtures.put(data, 300, new byte[] {1});
            fails(VixException.VIX_E_NOT_SUPPORTED, desc, data);
        }

        @Test
        @DisplayName("a capacity beyond the format's 64 TB or below the extent line's")
        void capacity() throws Exception {
            Fixtures.putU64(data, 16, 1L << 60);
            fails(VixException.VIX_E_DISK_INVAL, desc, data);
            Fixtures.putU64(data, 16, 8);
            fails(VixException.VIX_E_DISK_INVAL, desc, data);
        }

        @Test
        @DisplayName("a region (volatile header, directory, tables, grains) outside the file")
        void regions() throws Exception {
            // offset/size pairs from field 10: volatile 10, journal header 12, journal 14, gd 16, gts 18, ..., grains
            // 24
            for (int field : new int[] {10, 16, 18, 24}) {
                long was = header(field);
                Fixtures.putU64(data, 8L * field, Long.MAX_VALUE);
                fails(VixException.VIX_E_DISK_INVAL, desc, data);
                Fixtures.putU64(data, 8L * field, was);
                long size = header(field + 1);
                Fixtures.putU64(data, 8L * (field + 1), -1L);
                fails(VixException.VIX_E_DISK_INVAL, desc, data);
                Fixtures.putU64(data, 8L * (field + 1), size);
            }
        }

        @Test
        @DisplayName("a damaged volatile header, and one whose journal was never replayed")
        void volatileHeader() throws Exception {
            long at = header(10) * SECTOR;
            Fixtures.putU64(data, at, 0);
            fails(VixException.VIX_E_DISK_INVAL, desc, data);
            Fixtures.putU64(data, at, SeSparseExtent.VOLATILE_MAGIC);
            Fixtures.putU64(data, at + 24, 1);
            Fixtures.assertMessageNames(fails(VixException.VIX_E_NOT_SUPPORTED, desc, data), "not closed cleanly");
        }

        @Test
        @DisplayName("a directory entry of an unknown kind or naming a table the file has no room for")
        void directoryEntries() throws Exception {
            long gd = header(16) * SECTOR;
            long e = Fixtures.u64(data, gd);
            Fixtures.putU64(data, gd, 0x2000000000000000L | (e & 0xffffffffL));
            fails(VixException.VIX_E_DISK_INVAL, desc, data);
            Fixtures.putU64(data, gd, 0x1000000000000000L | 9999);
            fails(VixException.VIX_E_DISK_INVAL, desc, data);
        }

        @Test
        @DisplayName("a table entry of an unknown kind, an unallocated one with bits set, a grain outside the file")
        void tableEntries() throws Exception {
            long gt = (header(18) + (Fixtures.u64(data, header(16) * SECTOR) & 0xffffffffL) * 64) * SECTOR;
            long grain0 = Fixtures.u64(data, gt); // grain 0 is written ("0:4096")
            for (long bad : new long[] {0x7000000000000000L, 0x0000000000000005L, 0x3000ffffffffffffL}) {
                Fixtures.putU64(data, gt, bad);
                fails(VixException.VIX_E_DISK_INVAL, desc, data);
            }
            Fixtures.putU64(data, gt, grain0);
            try (VirtualDisk d = VmdkDisks.open(desc)) {
                Fixtures.readAll(d, 4096); // restored: reads again
            }
        }
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    @DisplayName("seeded mutation fuzzing of both kinds: only VixException or a read, never anything else")
    void fuzz() throws Exception {
        EsxSnapshots.child(dir, "vmfsSparse", base, raw, "c-000001", 9, "1048576:65536", "0:512", "2097152:1024");
        EsxSnapshots.child(dir, "seSparse", base, raw, "s-000001", 10, "1048576:65536", "0:4096", "8192:8192:zero");
        Path[][] fixtures = {
            {dir.resolve("c-000001.vmdk"), dir.resolve("c-000001-delta.vmdk")},
            {dir.resolve("s-000001.vmdk"), dir.resolve("s-000001-sesparse.vmdk")}
        };
        long seed = 0x14_2026L;
        Random r = new Random(seed);
        int failures = 0;
        int reads = 0;
        for (int i = 0; i < 400; i++) {
            Path[] fx = fixtures[i % 2];
            Path work = Files.createDirectory(dir.resolve("fuzz-" + i));
            Path desc = Files.copy(fx[0], work.resolve(fx[0].getFileName()));
            Path data = Files.copy(fx[1], work.resolve(fx[1].getFileName()));
            Files.copy(base, work.resolve(base.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            Files.createSymbolicLink(work.resolve("vm-flat.vmdk"), dir.resolve("vm-flat.vmdk"));
            byte[] bytes = Files.readAllBytes(data);
            int n = 1 + r.nextInt(8);
            StringBuilder what = new StringBuilder();
            for (int k = 0; k < n; k++) {
                // mostly the metadata (headers, directory, tables: the first 64 KiB), some anywhere
                int at = r.nextInt(10) < 8 ? r.nextInt(Math.min(bytes.length, 65536)) : r.nextInt(bytes.length);
                switch (r.nextInt(3)) {
                    case 0 -> bytes[at] = (byte) r.nextInt(256);
                    case 1 -> bytes[at] ^= (byte) (1 << r.nextInt(8));
                    default -> {
                        // a boundary value over a 4-byte field
                        int[] edges = {0, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, 1, 4096};
                        int v = edges[r.nextInt(edges.length)];
                        for (int b = 0; b < 4 && at + b < bytes.length; b++) {
                            bytes[at + b] = (byte) (v >>> (8 * b));
                        }
                    }
                }
                what.append(' ').append(at);
            }
            Files.write(data, bytes);
            try (VirtualDisk d = VmdkDisks.open(desc)) {
                Fixtures.readAll(d, 777);
                d.allocatedBlocks(0, d.info().capacitySectors(), 128);
                reads++;
            } catch (VixException expected) {
                failures++;
            } catch (Throwable t) {
                fail(
                        "iteration " + i + " (seed " + seed + ", " + fx[1].getFileName() + " damaged at" + what
                                + ") threw " + t,
                        t);
            }
            Fixtures.deleteTree(work);
        }
        // both outcomes happened: the mutations hit metadata and data alike
        if (failures == 0 || reads == 0) {
            fail("fuzzing exercised only one outcome: " + failures + " refused, " + reads + " read");
        }
    }
}
