package io.cairn.vixmntbridge.vmdk;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * How the VMDK reader opens each file a disk leads to: the one named, the extents its descriptor
 * names and the parents of a snapshot chain. Descriptors are input (a descriptor may name {@code
 * /etc/shadow} as its extent), so a caller that must stay inside some directories gives an opener
 * that refuses the rest.
 */
@FunctionalInterface
public interface FileOpener {
    /** Opens {@code path} for reading; an {@link IOException} says why not, in one line. */
    FileChannel open(Path path) throws IOException;

    /** Opens any file the process may read. */
    FileOpener PLAIN = p -> FileChannel.open(p, StandardOpenOption.READ);
}
