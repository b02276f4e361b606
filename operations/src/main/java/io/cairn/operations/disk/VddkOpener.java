package io.cairn.operations.disk;

import io.cairn.repository.backup.DiskSource;
import io.cairn.repository.backup.Extent;
import io.cairn.repository.backup.SourceChangedException;
import io.cairn.vixmntbridge.vddk.Placement;
import io.cairn.vixmntbridge.vddk.Transport;
import io.cairn.vixmntbridge.vddk.VddkLibrary;
import io.cairn.vixmntbridge.vddk.VddkTarget;
import io.cairn.vsphere.connect.Credentials;
import io.cairn.vsphere.connect.VsphereConnection;
import io.cairn.vsphere.datastore.DatastoreKind;
import io.cairn.vsphere.datastore.DatastorePath;
import io.cairn.vsphere.inventory.VmInfo;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The VDDK transports (nbd, nbdssl, hotadd, san) for vCenter backups: each disk of the snapshot is
 * opened through VixDiskLib with the VM's and the snapshot's moRefs, pinned by the SHA-1 thumbprint of
 * the certificate cairn's own pinned connection verified, with the transport VMware's rules allow
 * for its datastore ({@link Placement}: a local datastore gets nbdssl asked for explicitly, SAN never
 * reaches VVol). A disk is opened when the backup first reads it and closed once it is read, so that a
 * VM holds one VixDiskLib connection (and at most one of its host's six SAN streams) at a time. After
 * a VM's disks are closed, {@link #disksClosed} runs {@code VixDiskLib_Cleanup} before its snapshot is
 * removed.
 */
public final class VddkOpener implements DiskOpener {
    private final VddkLibrary lib;
    private final Transport transport;
    private final VsphereConnection c;
    private final Credentials credentials;
    private final Map<String, Map<String, DatastoreKind>> datastores = new ConcurrentHashMap<>();

    private VddkOpener(VddkLibrary lib, Transport transport, VsphereConnection c, Credentials credentials) {
        this.lib = lib;
        this.transport = transport;
        this.c = c;
        this.credentials = credentials;
    }

    /**
     * The opener for {@code transport}, VixDiskLib loaded now (before any snapshot is taken), so a
     * missing VDDK fails in one line and leaves nothing behind. {@code vddk} stays open; its owner
     * closes it.
     */
    public static VddkOpener load(Vddk vddk, Transport transport, VsphereConnection c, Credentials credentials)
            throws IOException {
        if (credentials == null) {
            throw new IllegalArgumentException("a VDDK transport needs the vCenter login");
        }
        return new VddkOpener(vddk.library(transport), transport, c, credentials);
    }

    @Override
    public String name() {
        return transport.cliName();
    }

    @Override
    public DiskSource open(VmInfo vm, String snapshot, String fileName, long capacity) throws IOException {
        VddkTarget target = Targets.of(
                c, credentials, vm.moRef(), snapshot, fileName, vm.host(), transport, true, placement(vm, fileName));
        String name = fileName.substring(fileName.lastIndexOf('/') + 1);
        return new Lazy(name, capacity, target);
    }

    /** VixDiskLib_Cleanup on the server: releases what a transport left behind for the VM's disks. */
    @Override
    public void disksClosed(VmInfo vm) throws IOException {
        lib.cleanup(Targets.forCleanup(c, credentials, vm.moRef(), transport));
    }

    private Placement placement(VmInfo vm, String fileName) throws IOException {
        Map<String, DatastoreKind> kinds = datastores.get(vm.moRef());
        if (kinds == null) {
            kinds = DatastoreKind.ofVm(c, vm.moRef());
            datastores.put(vm.moRef(), kinds);
        }
        DatastoreKind kind = kinds.get(DatastorePath.parse(fileName).datastore());
        // thin or not does not matter for reading
        return kind == null ? Placement.SHARED_THICK : new Placement(kind.local(), kind.vvol(), false);
    }

    /**
     * A disk opened through VixDiskLib when it is first used and closed at {@link #finish} (its
     * metadata read before), or at {@link #close} when the backup ends early.
     */
    private final class Lazy implements DiskSource {
        private final String name;
        private final long capacity;
        private final VddkTarget target;
        private VirtualDiskSource disk;
        private Map<String, String> metadata;

        Lazy(String name, long capacity, VddkTarget target) {
            this.name = name;
            this.capacity = capacity;
            this.target = target;
        }

        private synchronized VirtualDiskSource disk() throws IOException {
            if (disk == null) {
                VirtualDiskSource d = new VirtualDiskSource(name, lib.open(target));
                if (d.capacity() != capacity) {
                    d.close();
                    throw new SourceChangedException(target.diskPath() + " holds " + d.capacity()
                            + " bytes through VixDiskLib, the snapshot's configuration says " + capacity);
                }
                disk = d;
            }
            return disk;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public long capacity() {
            return capacity;
        }

        @Override
        public void read(long offset, byte[] buf, int off, int len) throws IOException {
            disk().read(offset, buf, off, len);
        }

        @Override
        public synchronized Map<String, String> metadata() throws IOException {
            if (metadata == null) {
                metadata = disk().metadata();
            }
            return metadata;
        }

        @Override
        public List<Extent> allocatedAreas() throws IOException {
            return disk().allocatedAreas();
        }

        /** The disk is read: its metadata kept, its connection closed. */
        @Override
        public synchronized void finish() throws IOException {
            metadata();
            close();
        }

        @Override
        public synchronized void close() throws IOException {
            if (disk != null) {
                VirtualDiskSource d = disk;
                disk = null;
                d.close();
            }
        }
    }
}
