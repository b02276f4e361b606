package io.cairn.mount.tree;

import io.cairn.mount.image.Image;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;

/** Small immutable node implementations. */
public final class Nodes {
    private Nodes() {}

    /** A directory whose children are known up front. */
    public static Dir dir(String name, Instant modified, List<Node> children) {
        List<Node> copy = List.copyOf(children);
        return new Dir() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Instant modified() {
                return modified;
            }

            @Override
            public List<Node> children() {
                return copy;
            }
        };
    }

    /** A directory whose children are computed once, on first use (failures are retried). */
    public static Dir lazyDir(String name, Instant modified, Loader loader) {
        return new Dir() {
            private volatile List<Node> children;

            @Override
            public String name() {
                return name;
            }

            @Override
            public Instant modified() {
                return modified;
            }

            @Override
            public List<Node> children() throws IOException {
                List<Node> c = children;
                if (c == null) {
                    synchronized (this) {
                        c = children;
                        if (c == null) {
                            c = List.copyOf(loader.load());
                            children = c;
                        }
                    }
                }
                return c;
            }
        };
    }

    /** Computes a directory's entries. */
    @FunctionalInterface
    public interface Loader {
        List<Node> load() throws IOException;
    }

    /** A small file held in memory. */
    public static FileNode bytes(String name, Instant modified, byte[] content) {
        byte[] data = content.clone();
        return new FileNode() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Instant modified() {
                return modified;
            }

            @Override
            public long size() {
                return data.length;
            }

            @Override
            public int read(long position, ByteBuffer dst) {
                if (position >= data.length) {
                    return -1;
                }
                int n = (int) Math.min(dst.remaining(), data.length - position);
                dst.put(data, (int) position, n);
                return n;
            }
        };
    }

    /** A file whose bytes are an image (a disk, a volume slice). */
    public static FileNode image(String name, Instant modified, Image image) {
        return image(name, modified, image, -1);
    }

    /** A file whose bytes are an image, readable by {@code readerGroup} too (see {@link Node#readerGroup}). */
    public static FileNode image(String name, Instant modified, Image image, int readerGroup) {
        return new FileNode() {
            @Override
            public int readerGroup() {
                return readerGroup;
            }

            @Override
            public String name() {
                return name;
            }

            @Override
            public Instant modified() {
                return modified;
            }

            @Override
            public long size() {
                return image.size();
            }

            @Override
            public int read(long position, ByteBuffer dst) throws IOException {
                return image.read(position, dst);
            }
        };
    }
}
