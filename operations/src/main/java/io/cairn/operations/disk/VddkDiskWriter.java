package io.cairn.operations.disk;

import io.cairn.vixmntbridge.VirtualDisk;
import io.cairn.vixmntbridge.vddk.Transport;
import io.cairn.vixmntbridge.vddk.VddkLibrary;
import io.cairn.vixmntbridge.vddk.VddkTarget;
import io.cairn.vsphere.connect.Credentials;
import io.cairn.vsphere.connect.VsphereConnection;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Restores in place over a VDDK transport: each disk opened read-write through VixDiskLib (through
 * the restore snapshot when the transport requires one) and written sector-aligned. Never run
 * against a real VDDK (it cannot be installed where cairn is built); loading it fails in one line.
 */
public final class VddkDiskWriter implements DiskWriter {
    private static final int SECTOR = 512;

    private final VddkLibrary lib;
    private final Path work;
    private final Transport transport;
    private final VsphereConnection c;
    private final Credentials credentials;

    private VddkDiskWriter(
            VddkLibrary lib, Path work, Transport transport, VsphereConnection c, Credentials credentials) {
        this.lib = lib;
        this.work = work;
        this.transport = transport;
        this.c = c;
        this.credentials = credentials;
    }

    public static VddkDiskWriter load(Path vddkDir, Transport transport, VsphereConnection c, Credentials credentials)
            throws IOException {
        Path work = Files.createTempDirectory("cairn-vddk");
        try {
            return new VddkDiskWriter(VddkLibrary.load(vddkDir, transport, work), work, transport, c, credentials);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(work);
            throw e;
        }
    }

    @Override
    public String name() {
        return transport.cliName();
    }

    @Override
    public Sink open(String vmMoRef, String esxHost, String snapshot, String fileName) throws IOException {
        var server = c.serverBase();
        VddkTarget target = new VddkTarget(
                server.getHost(),
                server.getPort() < 0 ? 0 : server.getPort(),
                c.serverThumbprintSha1(),
                credentials.user(),
                new String(credentials.password()),
                vmMoRef,
                snapshot,
                fileName,
                esxHost,
                transport,
                false,
                false);
        VirtualDisk disk = lib.open(target);
        return new Sink() {
            @Override
            public void write(long offset, byte[] data, int off, int len) throws IOException {
                if (offset % SECTOR != 0 || len % SECTOR != 0) {
                    throw new IOException("write of " + len + " bytes at " + offset + " is not whole sectors");
                }
                disk.write(offset / SECTOR, len / SECTOR, data, off);
            }

            @Override
            public void close() throws IOException {
                disk.close();
            }
        };
    }

    @Override
    public void close() throws IOException {
        try {
            lib.close();
        } finally {
            try (var s = Files.list(work)) {
                for (Path p : (Iterable<Path>) s::iterator) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(work);
        }
    }
}
