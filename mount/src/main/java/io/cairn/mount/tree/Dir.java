package io.cairn.mount.tree;

import java.io.IOException;
import java.util.List;

/** A directory: its children are computed on first use and may be refreshed by the implementation. */
public non-sealed interface Dir extends Node {

    /** The entries, in display order. */
    List<Node> children() throws IOException;

    /** The entry called {@code name}, or null. */
    default Node child(String name) throws IOException {
        for (Node n : children()) {
            if (n.name().equals(name)) {
                return n;
            }
        }
        return null;
    }
}
