package io.cairn.operations.disk;

import io.cairn.repository.backup.DiskSource;
import io.cairn.vixmntbridge.vddk.Transport;
import io.cairn.vixmntbridge.vddk.VddkLibrary;
import io.cairn.vixmntbridge.vddk.VddkTarget;
import io.cairn.vsphere.connect.Credentials;
import io.cairn.vsphere.connect.VsphereConnection;
import io.cairn.vsphere.inventory.VmInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The VDDK transports (nbd, nbdssl, hotadd, san) for vCenter backups: each disk of the snapshot is
 * opened through VixDiskLib with the VM's and the snapshot's moRefs, pinned by the server's SHA-1
 * thumbprint. The library is loaded once, before any snapshot is taken, so a missing VDDK fails
 * in one line and leaves nothing behind.
 */
public final class VddkOpener implements DiskOpener {
    private final VddkLibrary lib;
    private final Path work;
    private final Transport transport;
    private final VsphereConnection c;
    private final Credentials credentials;

    private VddkOpener(VddkLibrary lib, Path work, Transport transport, VsphereConnection c, Credentials credentials) {
        this.lib = lib;
        this.work = work;
        this.transport = transport;
        this.c = c;
        this.credentials = credentials;
    }

    public static VddkOpener load(Path vddkDir, Transport transport, VsphereConnection c, Credentials credentials)
            throws IOException {
        Path work = Files.createTempDirectory("cairn-vddk");
        try {
            return new VddkOpener(VddkLibrary.load(vddkDir, transport, work), work, transport, c, credentials);
        } catch (IOException | RuntimeException e) {
            deleteTree(work);
            throw e;
        }
    }

    @Override
    public String name() {
        return transport.cliName();
    }

    @Override
    public DiskSource open(VmInfo vm, String snapshot, String fileName) throws IOException {
        var server = c.serverBase();
        VddkTarget target = new VddkTarget(
                server.getHost(),
                server.getPort() < 0 ? 0 : server.getPort(),
                c.serverThumbprintSha1(),
                credentials.user(),
                new String(credentials.password()),
                vm.moRef(),
                snapshot,
                fileName,
                vm.host(),
                transport,
                true,
                false);
        String name = fileName.substring(fileName.lastIndexOf('/') + 1);
        return new VirtualDiskSource(name, lib.open(target));
    }

    @Override
    public void close() throws IOException {
        try {
            lib.close();
        } finally {
            deleteTree(work);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
