package io.cairn.mount.tree;

import java.io.IOException;
import java.nio.ByteBuffer;

/** A regular file with random read access. */
public non-sealed interface FileNode extends Node {

    long size();

    /** Same contract as {@link io.cairn.mount.image.Image#read}. */
    int read(long position, ByteBuffer dst) throws IOException;
}
