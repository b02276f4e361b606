package io.cairn.repository.index;

import io.cairn.repository.format.FormatConstants;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Where a version 2 repository cuts a disk into chunks: content-defined boundaries restricted to
 * 4 KiB-aligned offsets. The boundary function and cut rule are part of the format
 * ({@code docs/repository-format.md}, "Content-defined chunking"): every writer of a repository must
 * cut identically, or equal data stops deduplicating. Only 64 bytes before each aligned offset are
 * looked at, so finding boundaries costs next to nothing beside hashing the chunks.
 *
 * <p>Immutable and thread-safe.
 */
public final class Chunker {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /**
     * The persisted parameters.
     * @param min smallest chunk (but the disk's last), a multiple of {@code align}
     * @param avg target mean; candidates are {@code align / (avg - min)} likely
     * @param max largest chunk, a multiple of {@code align}
     */
    public record Params(int align, int min, int avg, int max) {
        /** @throws IllegalArgumentException naming the rule the values break */
        public Params {
            if (align != FormatConstants.CHUNKER_ALIGN) {
                throw new IllegalArgumentException("chunker alignment must be " + FormatConstants.CHUNKER_ALIGN);
            }
            if (min < align || min % align != 0 || max % align != 0) {
                throw new IllegalArgumentException(
                        "chunker min and max must be multiples of " + align + " (min " + min + ", max " + max + ")");
            }
            if (avg - min < align || avg >= max || max > FormatConstants.CHUNKER_MAX_LIMIT) {
                throw new IllegalArgumentException("chunker sizes must satisfy min + " + align + " <= avg < max <= "
                        + FormatConstants.CHUNKER_MAX_LIMIT + " (min " + min + ", avg " + avg + ", max " + max + ")");
            }
        }

        /** What {@code init --chunk-size S} makes: avg S, min S/4, max 4·S. */
        public static Params forAverage(int avg) {
            return new Params(FormatConstants.CHUNKER_ALIGN, avg / 4, avg, avg * 4);
        }
    }

    private static final byte[] ZERO_BLOCK = new byte[FormatConstants.CHUNKER_ALIGN];

    private final Params params;
    private final long seed;
    private final long threshold;

    /** @param seed 0 for an unencrypted repository; see the format document for encrypted ones */
    public Chunker(Params params, long seed) {
        this.params = params;
        this.seed = seed;
        this.threshold = (1L << 32) * params.align() / (params.avg() - params.min());
    }

    public Params params() {
        return params;
    }

    /** True when the disk offset whose preceding 64 bytes end at {@code buf[pos]} is a candidate. */
    public boolean isCandidate(byte[] buf, int pos) {
        long h = seed;
        int w = pos - FormatConstants.CHUNKER_WINDOW;
        for (int k = 0; k < 8; k++) {
            h = (h ^ (long) LONGS.get(buf, w + 8 * k)) * FormatConstants.CHUNKER_MUL1;
        }
        h = (h ^ (h >>> 29)) * FormatConstants.CHUNKER_MUL2;
        h ^= h >>> 32;
        return (h >>> 32) < threshold;
    }

    /**
     * The length of the chunk that starts at {@code buf[off]} (a chunk start on the disk, hence
     * aligned), given the {@code avail} bytes that follow it there. A chunk whose first block is all
     * zeros is a zero run: it goes on over zero blocks (up to {@code max}). Any other chunk ends at the
     * first offset at least {@code min} in that is a candidate or where a whole zero block begins, or
     * at {@code max}. So data after free space starts a chunk exactly where it starts, and data before
     * free space ends one where it ends (or {@code min} after the chunk's start): copies of a file
     * surrounded by free space cut alike wherever they are.
     * @param atEnd true when the disk ends after those bytes
     * @return the chunk's length; the caller must give at least {@code max} bytes unless {@code atEnd}
     */
    public int cut(byte[] buf, int off, int avail, boolean atEnd) {
        int limit = Math.min(params.max(), avail);
        if (!atEnd && limit < params.max()) {
            throw new IllegalArgumentException("cut needs " + params.max() + " bytes or the disk's end");
        }
        int step = params.align();
        if (isZero(buf, off, Math.min(step, avail))) {
            int rel = step;
            while (rel < limit && isZero(buf, off + rel, Math.min(step, avail - rel))) {
                rel += step;
            }
            return Math.min(rel, limit);
        }
        for (int rel = params.min(); rel < limit; rel += step) {
            if (isCandidate(buf, off + rel) || (rel + step <= avail && isZero(buf, off + rel, step))) {
                return rel;
            }
        }
        return limit;
    }

    /** True when {@code len} bytes from {@code buf[off]} are all zero (the first word decides most). */
    private static boolean isZero(byte[] buf, int off, int len) {
        if (len >= 8 && (long) LONGS.get(buf, off) != 0) {
            return false;
        }
        return java.util.Arrays.mismatch(buf, off, off + len, ZERO_BLOCK, 0, len) == -1;
    }
}
