package io.cairn.repository.chunk;

import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;
import java.io.IOException;

/**
 * The only class that touches zstd-jni: everything else sees byte arrays. Contexts are per thread
 * because creating one per chunk costs more than compressing a small chunk.
 */
final class Zstd {
    private final int level;
    private final ThreadLocal<ZstdCompressCtx> compressors;
    private static final ThreadLocal<ZstdDecompressCtx> DECOMPRESSORS = ThreadLocal.withInitial(ZstdDecompressCtx::new);

    Zstd(int level) {
        this.level = level;
        this.compressors = ThreadLocal.withInitial(() -> {
            ZstdCompressCtx c = new ZstdCompressCtx();
            c.setLevel(level);
            c.setChecksum(false); // chunks are verified by their id
            return c;
        });
    }

    int level() {
        return level;
    }

    static int maxCompressedSize(int length) {
        return (int) com.github.luben.zstd.Zstd.compressBound(length);
    }

    /** @return compressed length written to {@code dst} */
    int compress(byte[] src, int off, int len, byte[] dst, int dstOff) {
        return compressors.get().compressByteArray(dst, dstOff, dst.length - dstOff, src, off, len);
    }

    /** Decompresses exactly {@code plainLength} bytes or fails. */
    static byte[] decompress(byte[] src, int off, int len, int plainLength) throws IOException {
        byte[] out = new byte[plainLength];
        try {
            int n = DECOMPRESSORS.get().decompressByteArray(out, 0, plainLength, src, off, len);
            if (n != plainLength) {
                throw new IOException("zstd produced " + n + " bytes, expected " + plainLength);
            }
            return out;
        } catch (ZstdException e) {
            throw new IOException("zstd: " + e.getMessage(), e);
        }
    }
}
