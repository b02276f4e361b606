package io.cairn.repository.chunk;

import io.cairn.repository.format.FormatConstants;
import java.util.Arrays;
import java.util.HexFormat;

/** A 32-byte chunk id (SHA-256 or HMAC-SHA-256 of the chunk's plaintext). Immutable. */
public final class ChunkId implements Comparable<ChunkId> {
    /** The id an index uses for an all-zero chunk; such chunks are never stored. */
    public static final ChunkId ZERO = new ChunkId(new byte[FormatConstants.ID_SIZE]);

    private static final HexFormat HEX = HexFormat.of();

    private final byte[] bytes;
    private final int hash;

    private ChunkId(byte[] bytes) {
        this.bytes = bytes;
        this.hash = Arrays.hashCode(bytes);
    }

    public static ChunkId of(byte[] bytes) {
        if (bytes.length != FormatConstants.ID_SIZE) {
            throw new IllegalArgumentException("a chunk id has 32 bytes, not " + bytes.length);
        }
        return new ChunkId(bytes.clone());
    }

    public static ChunkId of(byte[] src, int off) {
        return new ChunkId(Arrays.copyOfRange(src, off, off + FormatConstants.ID_SIZE));
    }

    /** @throws IllegalArgumentException if {@code hex} is not 64 hex digits */
    public static ChunkId parse(String hex) {
        if (hex.length() != 2 * FormatConstants.ID_SIZE) {
            throw new IllegalArgumentException("a chunk id has 64 hex digits: " + hex);
        }
        return new ChunkId(HEX.parseHex(hex));
    }

    public boolean isZero() {
        return equals(ZERO);
    }

    public void copyTo(byte[] dst, int off) {
        System.arraycopy(bytes, 0, dst, off, bytes.length);
    }

    public byte[] bytes() {
        return bytes.clone();
    }

    /** The first 8 bytes as a long: what garbage collection marks. */
    public long prefix() {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (bytes[i] & 0xff);
        }
        return v;
    }

    public String hex() {
        return HEX.formatHex(bytes);
    }

    /** The store key of this chunk: {@code chunks/<4 hex>/<64 hex>}. */
    public String key() {
        String h = hex();
        return FormatConstants.DIR_CHUNKS + "/" + h.substring(0, 4) + "/" + h;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChunkId other && hash == other.hash && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public int compareTo(ChunkId o) {
        return Arrays.compareUnsigned(bytes, o.bytes);
    }

    @Override
    public String toString() {
        return hex();
    }
}
