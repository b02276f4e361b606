package io.cairn.vixmntbridge.engine;

import io.cairn.repository.backup.DiskOutput;
import io.cairn.repository.manifest.Manifest;
import io.cairn.vixmntbridge.vmdk.VmdkWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Restored disks as VMDK files of one subformat, written by the disk layer's pure-Java writers. */
public final class VmdkOutput implements DiskOutput {
    private final VmdkWriter.Format format;

    public VmdkOutput(VmdkWriter.Format format) {
        this.format = format;
    }

    @Override
    public String fileName(Manifest.DiskEntry disk) {
        String n = Path.of(disk.name()).getFileName().toString();
        int dot = n.lastIndexOf('.');
        return (dot > 0 ? n.substring(0, dot) : n) + ".vmdk";
    }

    /**
     * The disk database keys of a backed-up disk that may go into a new descriptor: VixDiskLib names
     * a descriptor can hold, without the {@code ddb.} prefix, and without {@code longContentID},
     * which belongs to the old disk (the writer makes a new content id).
     */
    public static Map<String, String> restorableMetadata(Map<String, String> metadata) {
        Map<String, String> meta = new LinkedHashMap<>();
        metadata.forEach((k, v) -> {
            if (k.matches("[A-Za-z0-9_.]+")
                    && !k.startsWith("ddb.")
                    && !k.equals("longContentID")
                    && v.indexOf('"') < 0
                    && v.indexOf('\n') < 0
                    && v.indexOf('\r') < 0
                    && v.indexOf('\0') < 0) {
                meta.put(k, v);
            }
        });
        return meta;
    }

    @Override
    public Sink create(Path file, Manifest.DiskEntry disk) throws IOException {
        if (disk.capacity() % 512 != 0) {
            throw new IllegalArgumentException("disk " + disk.name() + " is " + disk.capacity()
                    + " bytes, not whole 512-byte sectors: restore it with --format raw");
        }
        // The disk's own keys go into the new descriptor before any data (VMware's rule for re-created disks).
        VmdkWriter w = VmdkWriter.create(file, format, disk.capacity(), restorableMetadata(disk.metadata()));
        return new Sink() {
            @Override
            public void write(long offset, byte[] data, int off, int len) throws IOException {
                w.write(offset, data, off, len);
            }

            @Override
            public List<Path> files() {
                return w.files();
            }

            @Override
            public void close() throws IOException {
                w.close();
            }
        };
    }
}
