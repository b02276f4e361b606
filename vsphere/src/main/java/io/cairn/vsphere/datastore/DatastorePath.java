package io.cairn.vsphere.datastore;

import java.util.Objects;

/**
 * A file on a vSphere datastore in vSphere's own notation, {@code [datastore] folder/file.vmdk}
 * (what {@code VirtualDisk.backing.fileName} holds). The path is relative to the datastore's root,
 * with {@code /} separators; an empty path is the root.
 *
 * @param datastore the datastore's name, e.g. {@code LocalDS_0}
 * @param path the file's path inside the datastore, e.g. {@code vm1/vm1.vmdk}
 */
public record DatastorePath(String datastore, String path) {

    public DatastorePath {
        Objects.requireNonNull(datastore, "datastore");
        Objects.requireNonNull(path, "path");
        if (datastore.isEmpty() || datastore.indexOf(']') >= 0) {
            throw new IllegalArgumentException("invalid datastore name '" + datastore + "'");
        }
        if (path.startsWith("/")) {
            throw new IllegalArgumentException(
                    "datastore path '" + path + "' must be relative to the datastore [" + datastore + "]");
        }
        for (String seg : path.split("/", -1)) {
            if (seg.equals("..") || seg.equals(".")) {
                throw new IllegalArgumentException("datastore path '" + path + "' must not contain '.' or '..'");
            }
        }
    }

    /**
     * Parses {@code [datastore] path}; the space after {@code ]} is optional, as vSphere writes
     * {@code [ds] } for the root.
     *
     * @throws IllegalArgumentException when {@code text} is not in that form
     */
    public static DatastorePath parse(String text) {
        String t = text.strip();
        int close = t.indexOf(']');
        if (!t.startsWith("[") || close < 2) {
            throw new IllegalArgumentException(
                    "'" + text + "' is not a datastore path like '[datastore] folder/file.vmdk'");
        }
        return new DatastorePath(t.substring(1, close), t.substring(close + 1).strip());
    }

    /** The folder holding this file ({@code vm1} for {@code vm1/vm1.vmdk}); empty at the root. */
    public String folder() {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? "" : path.substring(0, slash);
    }

    /** The last path element ({@code vm1.vmdk}). */
    public String fileName() {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /**
     * A file named relative to this file's folder on the same datastore: a descriptor's extent
     * file ({@code vm1-flat.vmdk} next to {@code vm1/vm1.vmdk} is {@code vm1/vm1-flat.vmdk}).
     *
     * @throws IllegalArgumentException for an absolute name or one that climbs out with {@code ..}
     */
    public DatastorePath resolveSibling(String name) {
        if (name.isEmpty() || name.startsWith("/")) {
            throw new IllegalArgumentException(
                    "'" + name + "' is not a file name relative to " + this
                            + " (absolute extent paths such as /vmfs/volumes/... cannot be read over the datastore HTTP interface)");
        }
        String folder = folder();
        return new DatastorePath(datastore, folder.isEmpty() ? name : folder + "/" + name);
    }

    @Override
    public String toString() {
        return "[" + datastore + "] " + path;
    }
}
