package io.cairn.mount.tree;

import java.time.Instant;

/**
 * One entry of the read-only tree a mount shows: a directory, a file or a symbolic link. The tree
 * is plain Java (no FUSE types), so it is tested by direct calls and served unchanged by the
 * FUSE adapter and the web UI.
 */
public sealed interface Node permits Dir, FileNode, Link {

    /** The entry's name in its directory (never empty, never containing '/'). */
    String name();

    /** Modification time shown by stat. */
    Instant modified();

    /** Permission bits (e.g. 0444, 0555); the type bits come from the node's kind. */
    default int permissions() {
        return this instanceof Dir ? 0555 : this instanceof Link ? 0777 : 0444;
    }

    /**
     * A group that may read this node besides the mount's owner when the mount is not shared with
     * every local user, or -1 (the default): the sandboxed guest drivers' group reads the volume
     * files they serve, and nothing else.
     */
    default int readerGroup() {
        return -1;
    }
}
