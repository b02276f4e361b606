package io.cairn.mount.image;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A read-only, random-access run of bytes: a backed-up disk, a partition or logical volume inside
 * it, or a plain file in tests. Everything above the repository (partition tables, LVM, the FAT
 * reader, the FUSE tree) reads disks only through this interface.
 *
 * <p>Implementations are safe for concurrent readers.
 */
public interface Image {

    /** Size in bytes. */
    long size();

    /**
     * Reads up to {@code dst.remaining()} bytes starting at {@code position} into {@code dst}.
     * Reads fully unless the end of the image comes first.
     *
     * @return bytes read; 0 when {@code dst} has no room; -1 when {@code position >= size()}
     * @throws IOException when the underlying data cannot be read or is corrupt; never returns
     *         wrong bytes instead
     */
    int read(long position, ByteBuffer dst) throws IOException;

    /** Reads exactly {@code length} bytes at {@code position}; fails if the image ends first. */
    default byte[] readFully(long position, int length) throws IOException {
        if (position < 0 || length < 0 || position + length > size()) {
            throw new java.io.EOFException(
                    "read of " + length + " bytes at " + position + " is past the end of a " + size() + "-byte image");
        }
        ByteBuffer b = ByteBuffer.allocate(length);
        while (b.hasRemaining()) {
            int n = read(position + b.position(), b);
            if (n <= 0) {
                throw new java.io.EOFException("image ended at " + (position + b.position()));
            }
        }
        return b.array();
    }
}
