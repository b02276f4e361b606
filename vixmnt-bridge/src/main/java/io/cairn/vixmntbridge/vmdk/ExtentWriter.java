package io.cairn.vixmntbridge.vmdk;

import java.io.IOException;

/**
 * Writes one extent file of a disk being created by {@link VmdkWriter}. The disk is handed over in
 * 64 KiB blocks (one grain), in strictly increasing block order; blocks of zeros are never handed over,
 * so they stay holes (flat) or unallocated grains (sparse). Not thread-safe: one writer thread.
 */
sealed interface ExtentWriter permits FlatExtentWriter, SparseExtentWriter, StreamExtentWriter {

    /**
     * Stores block {@code index} (counted from the start of this extent): {@link VmdkWriter#BLOCK}
     * bytes of {@code buf} from {@code off}. Bytes past the extent's end are zero and not stored.
     */
    void block(long index, byte[] buf, int off) throws IOException;

    /** Writes the remaining metadata, forces everything to disk and closes the file. */
    void finish() throws IOException;

    /** Closes the file without finishing it, after a failure; never throws. */
    void abort();
}
