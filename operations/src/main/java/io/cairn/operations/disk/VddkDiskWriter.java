package io.cairn.operations.disk;

import io.cairn.vixmntbridge.DiskInfo;
import io.cairn.vixmntbridge.VirtualDisk;
import io.cairn.vixmntbridge.VixException;
import io.cairn.vixmntbridge.vddk.Transport;
import io.cairn.vixmntbridge.vddk.VddkLibrary;
import io.cairn.vixmntbridge.vddk.VddkTarget;
import io.cairn.vsphere.connect.Credentials;
import io.cairn.vsphere.connect.VsphereConnection;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * Restores over a VDDK transport: each disk opened read-write through VixDiskLib by its VM's moRef
 * (through the restore snapshot when one was taken), its metadata keys written before its data, the
 * data written sector-aligned. Where the backup holds zeros, zeros are written only where the disk
 * holds data now ({@code VixDiskLib_QueryAllocatedBlocks} at open): a thin disk is not inflated, a
 * thick one loses its old bytes. Never run against VMware's VDDK here (it cannot be installed where
 * cairn is built); the stand-ins of docs/vddk.md run it in the tests.
 */
public final class VddkDiskWriter implements DiskWriter {
    private static final int SECTOR = DiskInfo.SECTOR_SIZE;
    /** VixDiskLib's smallest QueryAllocatedBlocks chunk (VIXDISKLIB_MIN_CHUNK_SIZE): 64 KiB. */
    private static final long QUERY_CHUNK_SECTORS = 128;
    /** Zeros are written in pieces of this size, from one shared buffer that nothing writes into. */
    private static final byte[] ZEROS = new byte[1 << 20];

    private final VddkLibrary lib;
    private final Transport transport;
    private final VsphereConnection c;
    private final Credentials credentials;

    private VddkDiskWriter(VddkLibrary lib, Transport transport, VsphereConnection c, Credentials credentials) {
        this.lib = lib;
        this.transport = transport;
        this.c = c;
        this.credentials = credentials;
    }

    /**
     * The writer for {@code transport}, VixDiskLib loaded now (before anything changes on vSphere).
     * {@code vddk} stays open; its owner closes it.
     */
    public static VddkDiskWriter load(Vddk vddk, Transport transport, VsphereConnection c, Credentials credentials)
            throws IOException {
        if (credentials == null) {
            throw new IllegalArgumentException("a VDDK transport needs the vCenter login");
        }
        return new VddkDiskWriter(vddk.library(transport), transport, c, credentials);
    }

    @Override
    public String name() {
        return transport.cliName();
    }

    private VddkTarget target(Disk disk, String snapshot) throws IOException {
        return Targets.of(
                c,
                credentials,
                disk.vmMoRef(),
                snapshot,
                disk.fileName(),
                disk.esxHost(),
                transport,
                false,
                disk.placement());
    }

    @Override
    public Transport transportFor(Disk disk) {
        // the rules need no server: any thumbprint and login give the same answer
        return new VddkTarget(
                        "-",
                        0,
                        "-",
                        "-",
                        "-",
                        disk.vmMoRef(),
                        null,
                        disk.fileName(),
                        disk.esxHost(),
                        transport,
                        false,
                        disk.placement())
                .effectiveTransport();
    }

    @Override
    public Sink open(Disk disk, String snapshot) throws IOException {
        VirtualDisk d = lib.open(target(disk, snapshot));
        try {
            return new VddkSink(d, disk.fileName(), allocated(d));
        } catch (IOException | RuntimeException e) {
            try {
                d.close();
            } catch (VixException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    @Override
    public void disksClosed(String vmMoRef) throws IOException {
        lib.cleanup(Targets.forCleanup(c, credentials, vmMoRef, transport));
    }

    /**
     * What the disk holds now, in sectors; null when VixDiskLib cannot say (before VDDK 6.7, or a
     * transport that does not answer it): then every zero range is written.
     */
    private static List<VirtualDisk.SectorRange> allocated(VirtualDisk d) throws VixException {
        long sectors = d.info().capacitySectors();
        try {
            return d.allocatedBlocks(0, sectors, QUERY_CHUNK_SECTORS);
        } catch (VixException e) {
            if (e.code() == VixException.VIX_E_NOT_SUPPORTED) {
                return null;
            }
            throw e;
        }
    }

    /** One disk open for writing. */
    private static final class VddkSink implements Sink {
        private final VirtualDisk disk;
        private final String path;
        private final List<VirtualDisk.SectorRange> allocated;
        private int next; // the first allocated range that may still meet a zero range (they come in order)

        VddkSink(VirtualDisk disk, String path, List<VirtualDisk.SectorRange> allocated) {
            this.disk = disk;
            this.path = path;
            this.allocated = allocated;
        }

        @Override
        public void writeMetadata(Map<String, String> keys) throws IOException {
            for (Map.Entry<String, String> k : keys.entrySet()) {
                disk.writeMetadata(k.getKey(), k.getValue());
            }
        }

        @Override
        public void write(long offset, byte[] data, int off, int len) throws IOException {
            if (offset % SECTOR != 0 || len % SECTOR != 0) {
                throw new IOException(
                        "write of " + len + " bytes at " + offset + " into " + path + " is not whole sectors");
            }
            disk.write(offset / SECTOR, len / SECTOR, data, off);
        }

        @Override
        public void zeros(long offset, long len) throws IOException {
            if (offset % SECTOR != 0 || len % SECTOR != 0) {
                throw new IOException(
                        "zeros of " + len + " bytes at " + offset + " into " + path + " are not whole sectors");
            }
            long start = offset / SECTOR;
            long end = start + len / SECTOR;
            if (allocated == null) {
                writeZeros(start, end);
                return;
            }
            while (next < allocated.size()) {
                VirtualDisk.SectorRange r = allocated.get(next);
                long rEnd = r.start() + r.length();
                if (rEnd <= start) {
                    next++;
                    continue;
                }
                if (r.start() >= end) {
                    return;
                }
                writeZeros(Math.max(start, r.start()), Math.min(end, rEnd));
                if (rEnd > end) {
                    return; // the range reaches into the next zero range too
                }
                next++;
            }
        }

        private void writeZeros(long from, long to) throws VixException {
            for (long at = from; at < to; ) {
                int n = (int) Math.min(to - at, ZEROS.length / SECTOR);
                disk.write(at, n, ZEROS, 0);
                at += n;
            }
        }

        @Override
        public void close() throws IOException {
            disk.close();
        }
    }
}
