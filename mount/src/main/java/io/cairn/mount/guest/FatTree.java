package io.cairn.mount.guest;

import io.cairn.mount.fat.FatEntry;
import io.cairn.mount.fat.FatFileSystem;
import io.cairn.mount.tree.Dir;
import io.cairn.mount.tree.FileNode;
import io.cairn.mount.tree.Node;
import io.cairn.mount.tree.Nodes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A FAT volume served by cairn's own reader (this machine's kernel has no vfat driver, and a
 * userspace reader keeps an untrusted guest filesystem away from the kernel anyway).
 */
final class FatTree {
    private FatTree() {}

    static Dir root(String name, FatFileSystem fs, Instant fallbackTime) {
        return dir(name, fs, fs.root(), fallbackTime, 0);
    }

    /**
     * A damaged volume can make a directory contain one of its ancestors; below this depth a
     * directory is shown empty, so that find(1) or a folder download ends.
     */
    static final int MAX_DEPTH = 64;

    private static Dir dir(String name, FatFileSystem fs, FatEntry entry, Instant fallback, int depth) {
        Instant t = entry.modified() == null ? fallback : entry.modified();
        return Nodes.lazyDir(name, t, () -> {
            List<Node> out = new ArrayList<>();
            if (depth >= MAX_DEPTH) {
                return out;
            }
            Set<String> seen = new HashSet<>();
            for (FatEntry e : fs.list(entry)) {
                String n = e.name();
                if (n.isEmpty()
                        || n.equals(".")
                        || n.equals("..")
                        || n.indexOf('/') >= 0
                        || n.indexOf('\0') >= 0
                        || !seen.add(n)) {
                    continue; // a damaged directory must not produce names a path cannot hold
                }
                out.add(e.directory() ? dir(n, fs, e, t, depth + 1) : file(n, fs, e, t));
            }
            return out;
        });
    }

    private static FileNode file(String name, FatFileSystem fs, FatEntry e, Instant fallback) {
        Instant t = e.modified() == null ? fallback : e.modified();
        return new FileNode() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Instant modified() {
                return t;
            }

            @Override
            public int permissions() {
                return 0444;
            }

            @Override
            public long size() {
                return e.size();
            }

            @Override
            public int read(long position, ByteBuffer dst) throws IOException {
                return fs.read(e, position, dst);
            }
        };
    }
}
