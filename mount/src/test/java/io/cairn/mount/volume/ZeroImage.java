package io.cairn.mount.volume;

import io.cairn.mount.image.Image;
import io.cairn.mount.mutation.PatchedImage;
import java.nio.ByteBuffer;

/** {@code size} zero bytes, without the memory: with {@link PatchedImage} on top, a synthetic disk. */
final class ZeroImage implements Image {
    private final long size;

    ZeroImage(long size) {
        this.size = size;
    }

    static PatchedImage disk(long size) {
        return new PatchedImage(new ZeroImage(size));
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public int read(long position, ByteBuffer dst) {
        if (position >= size) {
            return -1;
        }
        int n = (int) Math.min(dst.remaining(), size - position);
        for (int i = 0; i < n; i++) {
            dst.put((byte) 0);
        }
        return n;
    }
}
