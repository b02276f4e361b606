package io.cairn.operations.disk;

import io.cairn.repository.backup.DiskOutput;
import io.cairn.repository.manifest.Manifest;
import io.cairn.vixmntbridge.vmdk.DiskDatabase;
import io.cairn.vixmntbridge.vmdk.VmdkWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

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

    @Override
    public Sink create(Path file, Manifest.DiskEntry disk) throws IOException {
        if (disk.capacity() % 512 != 0) {
            throw new IllegalArgumentException("disk " + disk.name() + " is " + disk.capacity()
                    + " bytes, not whole 512-byte sectors: restore it with --format raw");
        }
        // The disk's own keys go into the new descriptor before any data (VMware's rule for re-created disks).
        VmdkWriter w = VmdkWriter.create(file, format, disk.capacity(), DiskDatabase.restorable(disk.metadata()));
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
