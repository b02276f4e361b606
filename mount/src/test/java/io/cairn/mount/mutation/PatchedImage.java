package io.cairn.mount.mutation;

import io.cairn.mount.image.Image;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.TreeMap;

/** A damaged copy of an image without copying it: single-byte patches over it, and maybe truncated. */
public final class PatchedImage implements Image {
    private final Image base;
    private final long size;
    private final TreeMap<Long, Byte> patches = new TreeMap<>();

    public PatchedImage(Image base, long size) {
        this.base = base;
        this.size = Math.min(size, base.size());
    }

    public PatchedImage(Image base) {
        this(base, base.size());
    }

    public PatchedImage set(long position, byte... bytes) {
        for (int i = 0; i < bytes.length; i++) {
            patches.put(position + i, bytes[i]);
        }
        return this;
    }

    public PatchedImage flip(long position) throws IOException {
        return set(position, (byte) ~base.readFully(position, 1)[0]);
    }

    public PatchedImage setU32(long position, long value) {
        return set(position, (byte) value, (byte) (value >> 8), (byte) (value >> 16), (byte) (value >> 24));
    }

    /** The byte at {@code position} as this image shows it (0 past its end). */
    public byte get(long position) throws IOException {
        if (position < 0 || position >= size) {
            return 0;
        }
        Byte p = patches.get(position);
        return p != null ? p : base.readFully(position, 1)[0];
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public int read(long position, ByteBuffer dst) throws IOException {
        if (position >= size) {
            return -1;
        }
        int start = dst.position();
        ByteBuffer view = dst.slice().limit((int) Math.min(dst.remaining(), size - position));
        int n = base.read(position, view);
        if (n <= 0) {
            return n;
        }
        for (var e : patches.subMap(position, position + n).entrySet()) {
            dst.put(start + (int) (e.getKey() - position), e.getValue());
        }
        dst.position(start + n);
        return n;
    }
}
