package io.cairn.repository.backup;

import io.cairn.repository.manifest.Manifest;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A format a restored disk is written in, other than the built-in raw image: the disk layer's VMDK
 * writers. The repository knows no disk format; it hands the bytes over in disk order.
 */
public interface DiskOutput {

    /** The name of the file users open (the descriptor for VMDK), e.g. {@code web01.vmdk}. */
    String fileName(Manifest.DiskEntry disk);

    /** Creates the disk at {@code file}, with its metadata written before any data. */
    Sink create(Path file, Manifest.DiskEntry disk) throws IOException;

    /**
     * Receives the disk in increasing offset order. A new disk's ranges never written are zeros, so
     * by default the ranges the backup holds as zeros are left out; a sink that overwrites an
     * existing disk says so with {@link #overwrites()} and receives them through {@link #zeros}.
     */
    interface Sink extends Closeable {
        void write(long offset, byte[] data, int off, int len) throws IOException;

        /**
         * Whether this sink writes over a disk that already holds data (an in-place restore): then the
         * ranges the backup holds as zeros are handed to {@link #zeros} too, or the old data would stay
         * there.
         */
        default boolean overwrites() {
            return false;
        }

        /**
         * {@code len} bytes at {@code offset} are zeros in the backup; called, in disk order between
         * the {@link #write}s, only when {@link #overwrites()}. A sink that knows which ranges of its
         * target hold data may write zeros only there.
         */
        default void zeros(long offset, long len) throws IOException {
            throw new UnsupportedOperationException("this sink does not overwrite a disk");
        }

        /** Every file of the disk, the one users open first. */
        List<Path> files();
    }
}
