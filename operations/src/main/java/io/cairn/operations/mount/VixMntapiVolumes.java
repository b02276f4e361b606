package io.cairn.operations.mount;

import io.cairn.mount.guest.VolumeMounter;
import io.cairn.mount.volume.FsType;
import io.cairn.operations.disk.Vddk;
import io.cairn.vixmntbridge.VixException;
import io.cairn.vixmntbridge.mntapi.DiskSet;
import io.cairn.vixmntbridge.mntapi.GuestMounter;
import io.cairn.vixmntbridge.mntapi.GuestVolume;
import io.cairn.vixmntbridge.vddk.Transport;
import io.cairn.vixmntbridge.vddk.VddkLibrary;
import io.cairn.vixmntbridge.vddk.VddkTarget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Guest volumes through VMware's VixMntapi ({@code cairn mount --vddk DIR}, and the web UI of a
 * server given a VDDK): each backup disk is opened by VixDiskLib over a local connection as the flat
 * VMDK the mount shows under {@code .cairn/disk}, VixMntapi lists its volumes and mounts the one
 * asked for where it chooses; the mount binds that directory into the tree. VixMntapi on Linux mounts
 * Linux file systems only, so NTFS volumes (and FAT, which cairn reads itself) stay with the open
 * fallback, as does anything VixMntapi refuses.
 *
 * <p>VixMntapi is loaded on the first volume (after VixDiskLib, on which it runs), once for the
 * process ({@code VixMntapi_Init} may run once per process) and under cairn's host-wide lock ("only one
 * VixMntapi program at a time"); a disk set stays open until {@link #close}, which dismounts every
 * volume, closes the sets in VMware's order and releases the library and the lock.
 */
final class VixMntapiVolumes implements VolumeMounter {
    /** What VixMntapi mounts on Linux ("Linux file systems only"). */
    private static final Set<FsType> LINUX = Set.of(FsType.EXT2, FsType.EXT3, FsType.EXT4, FsType.XFS);

    private final Vddk vddk;
    private final Consumer<String> log;
    private final Map<Path, DiskSet> sets = new LinkedHashMap<>();
    private GuestMounter mntapi;
    private Path work;
    private boolean closed;

    VixMntapiVolumes(Vddk vddk, Consumer<String> log) {
        this.vddk = vddk;
        this.log = log;
    }

    /**
     * The VixMntapi of {@code vddk}, or null (the reason logged) when it cannot be used here: the
     * library missing, another VixMntapi program holding cairn's lock. Loads nothing yet.
     */
    static VixMntapiVolumes probe(Vddk vddk, Consumer<String> log) {
        GuestMounter.Availability a = GuestMounter.probe(vddk.dir());
        if (!a.available()) {
            log.accept("guest volumes through the open fallback only: " + a.reason());
            return null;
        }
        return new VixMntapiVolumes(vddk, log);
    }

    @Override
    public String name() {
        return "VixMntapi";
    }

    @Override
    public boolean takes(FsType type) {
        return LINUX.contains(type);
    }

    @Override
    public synchronized Path mount(Request r) throws IOException {
        if (closed) {
            throw new IOException("VixMntapi is closed");
        }
        DiskSet set = set(r.disk());
        List<GuestVolume> volumes = set.volumes();
        if (volumes.size() != r.count()) {
            throw new IOException("VixMntapi lists " + volumes.size() + " volumes on "
                    + r.disk().getFileName() + " where cairn reads " + r.count() + " from its partition table");
        }
        return set.mount(volumes.get(r.index())).path();
    }

    private DiskSet set(Path descriptor) throws IOException {
        DiskSet set = sets.get(descriptor);
        if (set == null) {
            VddkLibrary lib = vddk.library(Transport.NBD);
            if (mntapi == null) {
                work = Files.createTempDirectory("cairn-vixmntapi");
                mntapi = GuestMounter.load(vddk.dir(), lib, work);
            }
            set = mntapi.open(lib.open(VddkTarget.local(descriptor, true)), true);
            sets.put(descriptor, set);
        }
        return set;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<DiskSet> open = new ArrayList<>(sets.values());
        sets.clear();
        for (int i = open.size() - 1; i >= 0; i--) {
            try {
                open.get(i).close();
            } catch (VixException e) {
                log.accept("closing a VixMntapi disk set failed: " + e.getMessage());
            }
        }
        if (mntapi != null) {
            try {
                mntapi.close();
            } catch (VixException e) {
                log.accept("closing VixMntapi failed: " + e.getMessage());
            }
        }
        if (work != null) {
            try (Stream<Path> s = Files.walk(work)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            } catch (IOException e) {
                log.accept("cannot remove " + work + ": " + e.getMessage());
            }
        }
    }
}
