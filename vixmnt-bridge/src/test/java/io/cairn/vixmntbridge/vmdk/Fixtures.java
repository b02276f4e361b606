package io.cairn.vixmntbridge.vmdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.cairn.vixmntbridge.VirtualDisk;
import io.cairn.vixmntbridge.VixException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/** Builds fixtures with the real qemu-img / qemu-io (recipe: docs of ../shared/fixtures.md) and checks disks. */
final class Fixtures {
    static final int SECTOR = 512;
    static final int MIB = 1 << 20;
    static final String[] SUBFORMATS = {
        "monolithicSparse", "monolithicFlat", "streamOptimized", "twoGbMaxExtentSparse", "twoGbMaxExtentFlat"
    };

    private Fixtures() {}

    /**
     * A raw image of {@code size} bytes: random, text and zero regions, deterministic for a seed.
     * Regions do not line up with 64 KiB grains on purpose.
     */
    static byte[] rawImage(int size, long seed) {
        byte[] b = new byte[size];
        Random r = new Random(seed);
        r.nextBytes(b);
        byte[] text = "cairn VMDK fixture: the quick brown fox jumps over the lazy dog 0123456789\n"
                .getBytes(StandardCharsets.US_ASCII);
        int third = size / 3;
        for (int i = third / 3; i < third; i++) {
            b[i] = text[i % text.length];
        }
        // zero regions: one grain-unaligned, one spanning several whole grains
        Arrays.fill(b, third, Math.min(size, third + third / 2 + 5 * SECTOR), (byte) 0);
        Arrays.fill(b, 2 * third + 7 * SECTOR, Math.min(size, 2 * third + 7 * SECTOR + 3 * 65536 + 4096), (byte) 0);
        return b;
    }

    static Path writeRaw(Path dir, String name, byte[] data) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, data);
        return p;
    }

    static Path convert(Path raw, String subformat, Path out) throws IOException {
        run(
                out.getParent(),
                "qemu-img",
                "convert",
                "-f",
                "raw",
                "-O",
                "vmdk",
                "-o",
                "subformat=" + subformat + ",adapter_type=lsilogic,hwversion=14",
                raw.toString(),
                out.toString());
        return out;
    }

    static String run(Path dir, String... cmd) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
        Process p = pb.start();
        try {
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + " timed out");
            }
            String text = new String(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IOException(String.join(" ", cmd) + " failed (" + p.exitValue() + "): " + text);
            }
            return text;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /** Reads every sector of the disk in odd-sized pieces that cross grain and extent boundaries. */
    static byte[] readAll(VirtualDisk disk, int piece) throws VixException {
        long cap = disk.info().capacitySectors();
        byte[] all = new byte[Math.toIntExact(cap * SECTOR)];
        for (long s = 0; s < cap; s += piece) {
            int n = (int) Math.min(piece, cap - s);
            disk.read(s, n, all, (int) (s * SECTOR));
        }
        return all;
    }

    static void assertSameBytes(byte[] expected, byte[] actual) {
        assertEquals(expected.length, actual.length, "length");
        int i = Arrays.mismatch(expected, actual);
        if (i >= 0) {
            fail("first difference at byte " + i + " (sector " + i / SECTOR + "): expected " + expected[i] + ", got "
                    + actual[i]);
        }
    }

    static VixException assertVix(long code, Executable e) {
        VixException x = assertThrows(VixException.class, e::run);
        assertEquals(code, x.code(), () -> "code of: " + x.getMessage());
        return x;
    }

    static void assertMessageNames(VixException x, String... parts) {
        for (String p : parts) {
            assertTrue(x.getMessage().contains(p), () -> "message '" + x.getMessage() + "' should name '" + p + "'");
        }
    }

    /** Something that throws. */
    @FunctionalInterface
    interface Executable {
        void run() throws Exception;
    }

    static int u32(Path file, long at) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            byte[] b = new byte[4];
            f.seek(at);
            f.readFully(b);
            return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt();
        }
    }

    static long u64(Path file, long at) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            byte[] b = new byte[8];
            f.seek(at);
            f.readFully(b);
            return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong();
        }
    }

    static void putU32(Path file, long at, int v) throws IOException {
        put(
                file,
                at,
                ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array());
    }

    static void putU64(Path file, long at, long v) throws IOException {
        put(
                file,
                at,
                ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
    }

    static void put(Path file, long at, byte[] bytes) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(at);
            f.write(bytes);
        }
    }

    /** Deletes a directory tree (symbolic links themselves, not what they point to). */
    static void deleteTree(Path root) throws IOException {
        try (var walk = Files.walk(root)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    static void truncate(Path file, long size) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(size);
        }
    }

    /** Replaces the first occurrence of {@code from} in the file's bytes with {@code to} of the same length. */
    static void replaceText(Path file, String from, String to) throws IOException {
        if (from.length() != to.length()) {
            throw new IllegalArgumentException("same length only: keeps the embedded descriptor's size");
        }
        byte[] all = Files.readAllBytes(file);
        byte[] f = from.getBytes(StandardCharsets.US_ASCII);
        int at = indexOf(all, f);
        if (at < 0) {
            throw new IllegalStateException("'" + from + "' not in " + file);
        }
        put(file, at, to.getBytes(StandardCharsets.US_ASCII));
    }

    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i <= hay.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** Header fields of a sparse extent, by the spec's byte offsets. */
    static final int H_VERSION = 4;

    static final int H_FLAGS = 8;
    static final int H_CAPACITY = 12;
    static final int H_GRAIN_SIZE = 20;
    static final int H_DESC_OFFSET = 28;
    static final int H_DESC_SIZE = 36;
    static final int H_GTES = 44;
    static final int H_GD_OFFSET = 56;
    static final int H_OVERHEAD = 64;

    /** The file offset of the GTE of {@code grain} (first grain directory's table), or -1 if its table is absent. */
    static long gteOffset(Path sparse, long grain) throws IOException {
        long gd = u64(sparse, H_GD_OFFSET) * SECTOR;
        int gtes = u32(sparse, H_GTES);
        long gde = Integer.toUnsignedLong(u32(sparse, gd + 4 * (grain / gtes)));
        return gde == 0 ? -1 : gde * SECTOR + 4 * (grain % gtes);
    }

    static List<Long> sectorsOf(List<VirtualDisk.SectorRange> ranges) {
        List<Long> out = new ArrayList<>();
        for (VirtualDisk.SectorRange r : ranges) {
            out.add(r.start());
            out.add(r.length());
        }
        return out;
    }
}
