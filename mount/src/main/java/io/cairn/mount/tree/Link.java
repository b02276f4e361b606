package io.cairn.mount.tree;

import java.io.IOException;
import java.time.Instant;

/**
 * A symbolic link. Its target is normally fixed; {@link #target()} may do work first (a guest
 * volume link mounts the volume when it is first followed), which is why it can fail.
 */
public non-sealed interface Link extends Node {

    /** The target as stat shows it; cheap, no side effects. */
    String target() throws IOException;

    /**
     * The target when the link is followed (readlink). A guest volume's link mounts the volume
     * here, so that the path walk continuing through the target finds the files.
     */
    default String follow() throws IOException {
        return target();
    }

    /** A link with a fixed target. */
    static Link of(String name, String target, Instant modified) {
        return new Link() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Instant modified() {
                return modified;
            }

            @Override
            public String target() {
                return target;
            }
        };
    }
}
