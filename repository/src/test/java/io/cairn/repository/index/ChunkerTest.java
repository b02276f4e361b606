package io.cairn.repository.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ChunkerTest {
    static final int KB = 1024;
    static final int MB = 1024 * KB;
    static final Chunker.Params SMALL = new Chunker.Params(4096, 16 * KB, 64 * KB, 256 * KB);

    /** Cuts a whole buffer as a disk: the chunk lengths in order. */
    static List<Integer> cutAll(Chunker c, byte[] disk) {
        List<Integer> out = new ArrayList<>();
        int max = c.params().max();
        for (int s = 0; s < disk.length; ) {
            int avail = disk.length - s;
            int len = c.cut(disk, s, Math.min(avail, max), avail <= max);
            out.add(len);
            s += len;
        }
        return out;
    }

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Text-like bytes: numbered log lines, so every 64-byte window differs but compresses well. */
    static byte[] text(int n, long seed) {
        StringBuilder sb = new StringBuilder();
        Random r = new Random(seed);
        while (sb.length() < n) {
            sb.append("2026-12-07T18:")
                    .append(r.nextInt(60))
                    .append(" host")
                    .append(r.nextInt(99))
                    .append(" job ")
                    .append(r.nextInt(1_000_000))
                    .append(" finished in ")
                    .append(r.nextInt(5000))
                    .append(" ms\n");
        }
        byte[] b = sb.toString().getBytes(StandardCharsets.US_ASCII);
        return java.util.Arrays.copyOf(b, n);
    }

    @Test
    @DisplayName("every boundary but the disk's end is 4 KiB-aligned, and chunks keep within min and max")
    void alignedAndBounded() {
        Chunker c = new Chunker(SMALL, 0);
        for (byte[] disk : List.of(random(8 * MB + 1000, 1), text(5 * MB + 4096, 2), new byte[3 * MB + 17])) {
            List<Integer> lens = cutAll(c, disk);
            long pos = 0;
            for (int i = 0; i < lens.size(); i++) {
                int len = lens.get(i);
                boolean last = i == lens.size() - 1;
                assertTrue(len <= SMALL.max(), "chunk " + i + " of " + len + " bytes exceeds max");
                if (!last) {
                    assertTrue(len >= SMALL.min(), "chunk " + i + " of " + len + " bytes is under min");
                    assertEquals(0, (pos + len) % 4096, "boundary after chunk " + i + " is not aligned");
                }
                pos += len;
            }
            assertEquals(disk.length, pos);
        }
    }

    @Test
    @DisplayName("zeros never match or always match: their chunks are all of one size, min or max")
    void zerosCutEvenly() {
        List<Integer> lens = cutAll(new Chunker(SMALL, 0), new byte[4 * MB]);
        Set<Integer> sizes = new HashSet<>(lens.subList(0, lens.size() - 1));
        assertEquals(1, sizes.size(), sizes.toString());
        int size = sizes.iterator().next();
        assertTrue(size == SMALL.min() || size == SMALL.max(), "zero chunks of " + size);
    }

    @Test
    @DisplayName("random data averages near avg: the candidate probability follows the parameters")
    void averageNearTarget() {
        List<Integer> lens = cutAll(new Chunker(SMALL, 0), random(32 * MB, 3));
        double mean = 32.0 * MB / lens.size();
        // min + (avg - min), truncated at max: about 62 KiB for these parameters
        assertTrue(mean > 50 * KB && mean < 75 * KB, "mean chunk " + mean);
    }

    @Test
    @DisplayName("the same bytes cut the same way; another seed cuts them differently")
    void deterministicPerSeed() {
        byte[] disk = random(8 * MB, 4);
        assertEquals(cutAll(new Chunker(SMALL, 0), disk), cutAll(new Chunker(SMALL, 0), disk.clone()));
        assertEquals(cutAll(new Chunker(SMALL, 77), disk), cutAll(new Chunker(SMALL, 77), disk));
        assertNotEquals(cutAll(new Chunker(SMALL, 0), disk), cutAll(new Chunker(SMALL, 77), disk));
    }

    @Test
    @DisplayName("the boundary function is the documented one (a pinned vector)")
    void pinnedBoundaries() {
        // 1 MiB of SHA-256 counter-mode bytes: reproducible in any language from the format document.
        byte[] disk = new byte[MB];
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (int i = 0; i < disk.length / 32; i++) {
                md.update(("cairn" + i).getBytes(StandardCharsets.US_ASCII));
                System.arraycopy(md.digest(), 0, disk, i * 32, 32);
            }
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        Chunker c = new Chunker(SMALL, 0);
        List<Integer> candidates = new ArrayList<>();
        for (int p = 4096; p < disk.length; p += 4096) {
            if (c.isCandidate(disk, p)) {
                candidates.add(p / 4096);
            }
        }
        // A change here is a new format: every existing repository would stop deduplicating
        // against new backups.
        assertEquals(PINNED, candidates.toString());
    }

    // Computed independently from the format document (a Python transcription of the boundary
    // function), then checked against this implementation.
    static final String PINNED =
            "[12, 17, 20, 30, 38, 45, 47, 63, 66, 69, 74, 81, 102, 103, 108, 110, 175, 180, 225, 229, 237, 238, 249]";

    @Test
    @DisplayName("a copy of the same data at another 4 KiB-aligned offset shares nearly all its chunks")
    void unalignedCopyShares() throws Exception {
        byte[] file = random(16 * MB, 5);
        // The same file after 3 × 4 KiB + 1 MiB of other data on one disk, after 7 × 4 KiB on another:
        // neither offset is a multiple of 1 MiB, nor of each other.
        byte[] a = concat(text(MB + 3 * 4096, 6), file);
        byte[] b = concat(text(7 * 4096, 7), file);
        Chunker c = new Chunker(SMALL, 0);
        Set<String> inA = ids(a, cutAll(c, a));
        long sharedBytes = 0;
        int pos = 0;
        for (int len : cutAll(c, b)) {
            if (inA.contains(sha(b, pos, len))) {
                sharedBytes += len;
            }
            pos += len;
        }
        assertTrue(sharedBytes > file.length - 2L * SMALL.max(), "shared " + sharedBytes + " of " + file.length);
    }

    @Test
    @DisplayName("a file between free space cuts the same wherever it lies: its first and last chunks too")
    void fileBetweenZerosCutsAlike() {
        Chunker c = new Chunker(SMALL, 0);
        byte[] file = concat(text(300 * KB + 123, 8), random(MB, 9)); // ends mid-block, as files do
        List<String> shapes = new ArrayList<>();
        for (int at : new int[] {3 * 4096, 77 * 4096, 1000 * 4096}) {
            byte[] disk = new byte[at + file.length + 500 * KB];
            System.arraycopy(file, 0, disk, at, file.length);
            StringBuilder shape = new StringBuilder();
            int pos = 0;
            for (int len : cutAll(c, disk)) {
                if (pos >= at && pos < at + file.length) {
                    shape.append(pos - at).append('+').append(len).append(' ');
                }
                pos += len;
            }
            shapes.add(shape.toString());
        }
        assertTrue(shapes.get(0).startsWith("0+"), "a chunk starts where the file starts: " + shapes.get(0));
        assertEquals(shapes.get(0), shapes.get(1));
        assertEquals(shapes.get(0), shapes.get(2));
    }

    @Test
    @DisplayName("parameters that break the rules are refused with the rule")
    void badParams() {
        assertThrows(IllegalArgumentException.class, () -> new Chunker.Params(512, 16 * KB, 64 * KB, 256 * KB));
        assertThrows(IllegalArgumentException.class, () -> new Chunker.Params(4096, 1000, 64 * KB, 256 * KB));
        assertThrows(IllegalArgumentException.class, () -> new Chunker.Params(4096, 64 * KB, 64 * KB, 256 * KB));
        assertThrows(IllegalArgumentException.class, () -> new Chunker.Params(4096, 16 * KB, 256 * KB, 256 * KB));
        assertThrows(IllegalArgumentException.class, () -> new Chunker.Params(4096, MB, 4 * MB, 64 * MB));
        assertEquals(new Chunker.Params(4096, 256 * KB, MB, 4 * MB), Chunker.Params.forAverage(MB));
    }

    static byte[] concat(byte[] x, byte[] y) {
        byte[] r = java.util.Arrays.copyOf(x, x.length + y.length);
        System.arraycopy(y, 0, r, x.length, y.length);
        return r;
    }

    static Set<String> ids(byte[] disk, List<Integer> lens) throws Exception {
        Set<String> s = new HashSet<>();
        int pos = 0;
        for (int len : lens) {
            s.add(sha(disk, pos, len));
            pos += len;
        }
        return s;
    }

    static String sha(byte[] b, int off, int len) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        md.update(b, off, len);
        return HexFormat.of().formatHex(md.digest());
    }
}
