package io.cairn.mount.mutation;

import io.cairn.mount.image.Image;
import java.io.IOException;
import java.util.List;
import java.util.Random;

/**
 * Seeded mutations of real inputs, as a fuzzer makes them: bit flips, interesting bytes and
 * integers (0, 1, -1, the sign boundaries, sizes near the input's own), splices of the input onto
 * itself, zeroed runs and truncation. One seed always gives the same mutations, so a failure
 * names the seed that reproduces it.
 */
public final class Mutator {
    private static final long[] INTERESTING = {
        0,
        1,
        2,
        0x7f,
        0x80,
        0xff,
        0x100,
        0x7fff,
        0x8000,
        0xffff,
        0x10000,
        0x7fffffffL,
        0x80000000L,
        0xffffffffL,
        0x100000000L,
        Long.MAX_VALUE,
        Long.MIN_VALUE,
        -1,
        -2,
        512,
        4096,
        65536,
        1 << 20
    };

    private final Random random;

    public Mutator(long seed) {
        this.random = new Random(seed);
    }

    public Random random() {
        return random;
    }

    /**
     * {@code base} with 1 to 8 mutations inside {@code regions} ({offset, length} pairs; everything
     * else stays as it is), maybe truncated. Nothing is copied: the result is an overlay.
     */
    public Image mutate(Image base, List<long[]> regions) throws IOException {
        long size = random.nextInt(16) == 0 ? (long) (random.nextDouble() * base.size()) : base.size();
        PatchedImage o = new PatchedImage(base, size);
        int n = 1 + random.nextInt(8);
        for (int i = 0; i < n; i++) {
            long[] r = regions.get(random.nextInt(regions.size()));
            long len = Math.min(r[1], base.size() - r[0]);
            if (len <= 0) {
                continue;
            }
            long at = r[0] + (long) (random.nextDouble() * len);
            switch (random.nextInt(6)) {
                case 0 -> set(o, at, (byte) (o.get(at) ^ (1 << random.nextInt(8))));
                case 1 -> set(o, at, (byte) INTERESTING[random.nextInt(8)]);
                case 2 -> {
                    int width = new int[] {2, 4, 8}[random.nextInt(3)];
                    long v = random.nextInt(4) == 0
                            ? base.size() >> random.nextInt(16)
                            : INTERESTING[random.nextInt(INTERESTING.length)];
                    for (int b = 0; b < width; b++) {
                        set(o, at + b, (byte) (v >> (8 * b)));
                    }
                }
                case 3 -> {
                    long[] s = regions.get(random.nextInt(regions.size()));
                    long from = s[0] + (long) (random.nextDouble() * Math.max(1, Math.min(s[1], base.size() - s[0])));
                    int count = 1 + random.nextInt(512);
                    for (int b = 0; b < count; b++) {
                        set(o, at + b, o.get(from + b));
                    }
                }
                case 4 -> {
                    int count = 1 + random.nextInt(64);
                    for (int b = 0; b < count; b++) {
                        set(o, at + b, (byte) 0);
                    }
                }
                default -> set(o, at, (byte) random.nextInt(256));
            }
        }
        return o;
    }

    /** A patch inside the (maybe truncated) image; past its end, nothing. */
    private static void set(PatchedImage o, long at, byte b) {
        if (at >= 0 && at < o.size()) {
            o.set(at, b);
        }
    }

    /** A mutated copy of {@code data} (text or a small structure), the same operations plus inserts and cuts. */
    public byte[] mutate(byte[] data) {
        byte[] d = data.clone();
        int n = 1 + random.nextInt(8);
        for (int i = 0; i < n && d.length > 0; i++) {
            int at = random.nextInt(d.length);
            switch (random.nextInt(7)) {
                case 0 -> d[at] ^= (byte) (1 << random.nextInt(8));
                case 1 -> d[at] = (byte) "{}[]=\",#\\\0\n 0123456789-.".charAt(random.nextInt(23));
                case 2 -> {
                    // duplicate a slice in place: nests sections, repeats keys
                    int from = random.nextInt(d.length);
                    int len = Math.min(d.length - from, 1 + random.nextInt(256));
                    byte[] e = new byte[d.length + len];
                    System.arraycopy(d, 0, e, 0, at);
                    System.arraycopy(d, from, e, at, len);
                    System.arraycopy(d, at, e, at + len, d.length - at);
                    d = e;
                }
                case 3 -> {
                    int len = Math.min(d.length - at, 1 + random.nextInt(64));
                    byte[] e = new byte[d.length - len];
                    System.arraycopy(d, 0, e, 0, at);
                    System.arraycopy(d, at + len, e, at, d.length - at - len);
                    d = e;
                }
                case 4 -> {
                    String v = Long.toString(INTERESTING[random.nextInt(INTERESTING.length)]);
                    for (int b = 0; b < v.length() && at + b < d.length; b++) {
                        d[at + b] = (byte) v.charAt(b);
                    }
                }
                case 5 -> d = java.util.Arrays.copyOf(d, at);
                default -> d[at] = (byte) random.nextInt(256);
            }
        }
        return d;
    }
}
