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

    /** Receives the disk in increasing offset order; ranges never written are zeros. */
    interface Sink extends Closeable {
        void write(long offset, byte[] data, int off, int len) throws IOException;

        /** Every file of the disk, the one users open first. */
        List<Path> files();
    }
}
