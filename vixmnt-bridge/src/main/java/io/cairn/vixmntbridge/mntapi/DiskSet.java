package io.cairn.vixmntbridge.mntapi;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import io.cairn.vixmntbridge.VixException;
import io.cairn.vixmntbridge.mntapi.jna.VixMntapiNative;
import io.cairn.vixmntbridge.mntapi.jna.VixOsInfo;
import io.cairn.vixmntbridge.mntapi.jna.VixVolumeInfo;
import io.cairn.vixmntbridge.vddk.VddkDisk;
import io.cairn.vixmntbridge.vddk.jna.SizeT;
import io.cairn.vixmntbridge.vddk.jna.VixDiskLibNative;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One disk opened for mounting with {@code VixMntapi_OpenDisks}, its volumes, and the volumes mounted
 * from it. It owns the {@link VddkDisk} it was opened over and closes it last.
 *
 * <p>On Linux VixMntapi opens one disk per set ({@code OpenDisks}: "Must be 1 for Linux";
 * {@code VixMntapi_OpenDiskSet} over several handles is Windows-only in {@code vixMntapi.h}), mounts
 * volumes through FUSE, and mounts only what the Linux proxy itself can mount: ext2/3/4, XFS and the
 * like, not NTFS or other Windows file systems, not LVM, swap or extended partitions.
 *
 * <p>Native memory: the volume and OS information the library returns is copied into Java records
 * and freed ({@code FreeVolumeInfo}, {@code FreeOsInfo}) in {@code finally} at once; the volume-handle
 * array is held until {@link #close()}. One native call at a time: every method is synchronized.
 */
public final class DiskSet implements AutoCloseable {

    /** Most guest mount points read from one {@code VixVolumeInfo}; more means the count is garbage. */
    static final long MAX_GUEST_MOUNT_POINTS = 4096;

    /** The disk under the set: the VixDiskLib connection VixMntapi opens it on, and how to close it. */
    interface Member {
        /** The {@code VixDiskLibConnection}; VixMntapi opens its own handle of {@link #path()} on it. */
        Pointer connection() throws VixException;

        String path();

        /** {@code VixDiskLib_Close}, {@code Disconnect}, {@code EndAccess}: after {@code CloseDiskSet}. */
        void close() throws VixException;

        static Member of(VddkDisk disk) {
            return new Member() {
                @Override
                public Pointer connection() throws VixException {
                    return disk.lendConnection();
                }

                @Override
                public String path() {
                    return disk.diskPath();
                }

                @Override
                public void close() throws VixException {
                    disk.close();
                }

                @Override
                public String toString() {
                    return disk.toString();
                }
            };
        }
    }

    private final VixMntapiNative lib;
    private final ErrorText errors;
    private final Member disk;
    private final boolean readOnly;
    private final Consumer<DiskSet> onClose;
    private Pointer handle;
    private Pointer volumeArray;
    private final List<Pointer> volumeHandles = new ArrayList<>();
    private final List<GuestVolume> volumes = new ArrayList<>();
    /** Mounted volumes by index, in mounting order. */
    private final Map<Integer, MountedVolume> mounted = new LinkedHashMap<>();

    private boolean closed;

    private DiskSet(VixMntapiNative lib, ErrorText errors, Member disk, boolean readOnly, Consumer<DiskSet> onClose) {
        this.lib = lib;
        this.errors = errors;
        this.disk = disk;
        this.readOnly = readOnly;
        this.onClose = onClose;
    }

    /**
     * {@code VixMntapi_OpenDisks} of {@code disk} on its connection, then {@code GetVolumeHandles} and a
     * {@code GetVolumeInfo} per volume. Takes ownership of {@code disk}: it is closed with the set, and
     * also when opening fails.
     */
    static DiskSet open(VixMntapiNative lib, ErrorText errors, Member disk, boolean readOnly, Consumer<DiskSet> onClose)
            throws VixException {
        DiskSet s = new DiskSet(lib, errors, disk, readOnly, onClose);
        try {
            s.openAndList();
            return s;
        } catch (VixException | RuntimeException | Error e) {
            try {
                s.close();
            } catch (VixException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private synchronized void openAndList() throws VixException {
        Pointer connection = disk.connection();
        int flags = readOnly ? VixDiskLibNative.VIXDISKLIB_FLAG_OPEN_READ_ONLY : 0;
        PointerByReference ref = new PointerByReference();
        check(
                lib.VixMntapi_OpenDisks(connection, new String[] {disk.path()}, new SizeT(1), flags, ref),
                () -> "VixMntapi_OpenDisks");
        handle = ref.getValue();
        SizeT.ByRef count = new SizeT.ByRef();
        PointerByReference array = new PointerByReference();
        check(lib.VixMntapi_GetVolumeHandles(handle, count, array), () -> "VixMntapi_GetVolumeHandles");
        volumeArray = array.getValue();
        long n = count.getValue();
        if (n < 0 || n > Integer.MAX_VALUE || (n > 0 && volumeArray == null)) {
            throw new VixException(
                    VixException.VIX_E_FAIL,
                    "VixMntapi_GetVolumeHandles on " + this + " returned " + Long.toUnsignedString(n) + " volumes "
                            + (volumeArray == null ? "and no array" : ""));
        }
        for (int i = 0; i < n; i++) {
            volumeHandles.add(volumeArray.getPointer((long) i * Native.POINTER_SIZE));
        }
        for (int i = 0; i < volumeHandles.size(); i++) {
            volumes.add(describe(i));
        }
    }

    /** {@code GetVolumeInfo} of volume {@code i}, copied, then {@code FreeVolumeInfo}. Caller holds the monitor. */
    private GuestVolume describe(int i) throws VixException {
        PointerByReference ref = new PointerByReference();
        check(lib.VixMntapi_GetVolumeInfo(volumeHandles.get(i), ref), () -> "VixMntapi_GetVolumeInfo of volume " + i);
        Pointer p = ref.getValue();
        if (p == null) {
            throw new VixException(
                    VixException.VIX_E_FAIL,
                    "VixMntapi_GetVolumeInfo of volume " + i + " on " + this + " returned no information");
        }
        try {
            VixVolumeInfo info = new VixVolumeInfo(p);
            long n = info.numGuestMountPoints.longValue();
            if (n < 0 || n > MAX_GUEST_MOUNT_POINTS) {
                throw new VixException(
                        VixException.VIX_E_FAIL,
                        "VixMntapi_GetVolumeInfo of volume " + i + " on " + this + " reports "
                                + Long.toUnsignedString(n) + " guest mount points");
            }
            List<String> points = new ArrayList<>();
            for (int k = 0; k < n; k++) {
                String s = info.guestMountPoint(k);
                if (s != null) {
                    points.add(s);
                }
            }
            String link = info.symbolicLink;
            return new GuestVolume(
                    i,
                    GuestVolume.Type.of(info.type),
                    info.isMounted != 0,
                    link == null || link.isEmpty() ? null : Path.of(link),
                    points);
        } finally {
            lib.VixMntapi_FreeVolumeInfo(p);
        }
    }

    /** The volumes VixMntapi found, as described when the set was opened. */
    public synchronized List<GuestVolume> volumes() {
        return List.copyOf(volumes);
    }

    /**
     * {@code VixMntapi_MountVolume} (read-only if the set was opened read-only), then
     * {@code GetVolumeInfo} for where the files appear. Mounting a mounted volume returns it again.
     * VMware: mount parents before children (the guest's {@code /} before {@code /home}).
     */
    public synchronized MountedVolume mount(GuestVolume volume) throws VixException {
        ensureOpen();
        int i = volume.index();
        if (i < 0 || i >= volumes.size() || !volumes.get(i).equals(volume)) {
            throw new VixException(VixException.VIX_E_INVALID_ARG, volume + " is not a volume of " + this);
        }
        MountedVolume already = mounted.get(i);
        if (already != null) {
            return already;
        }
        Pointer h = volumeHandles.get(i);
        check(lib.VixMntapi_MountVolume(h, (byte) (readOnly ? 1 : 0)), () -> "VixMntapi_MountVolume of volume " + i);
        GuestVolume now;
        try {
            now = describe(i);
            if (now.symbolicLink() == null) {
                throw new VixException(
                        VixException.VIX_E_FAIL,
                        "VixMntapi_MountVolume of volume " + i + " on " + this
                                + " succeeded but VixMntapi_GetVolumeInfo names no mount path");
            }
        } catch (VixException e) {
            long err = lib.VixMntapi_DismountVolume(h, (byte) 1);
            if (err != VixMntapiNative.VIX_OK) {
                e.addSuppressed(error(err, () -> "VixMntapi_DismountVolume of volume " + i));
            }
            throw e;
        }
        MountedVolume m = new MountedVolume(i, now.type(), now.symbolicLink(), readOnly, now.guestMountPoints());
        mounted.put(i, m);
        return m;
    }

    /** {@code VixMntapi_DismountVolume} without force: fails while files on the volume are open. */
    public synchronized void dismount(MountedVolume volume) throws VixException {
        ensureOpen();
        int i = volume.index();
        if (!volume.equals(mounted.get(i))) {
            throw new VixException(VixException.VIX_E_INVALID_ARG, volume + " is not mounted from " + this);
        }
        check(
                lib.VixMntapi_DismountVolume(volumeHandles.get(i), (byte) 0),
                () -> "VixMntapi_DismountVolume of volume " + i);
        mounted.remove(i);
    }

    /** The volumes mounted now, in mounting order. */
    public synchronized List<MountedVolume> mounted() {
        return List.copyOf(mounted.values());
    }

    /**
     * {@code VixMntapi_GetOsInfo}, copied, then {@code FreeOsInfo}. VMware: it needs the system volume
     * mounted (and leaves it mounted), and recognises only Windows, read by a Windows VixMntapi.
     */
    public synchronized GuestOs guestOs() throws VixException {
        ensureOpen();
        PointerByReference ref = new PointerByReference();
        check(lib.VixMntapi_GetOsInfo(handle, ref), () -> "VixMntapi_GetOsInfo");
        Pointer p = ref.getValue();
        if (p == null) {
            throw new VixException(
                    VixException.VIX_E_FAIL, "VixMntapi_GetOsInfo on " + this + " returned no information");
        }
        try {
            VixOsInfo o = new VixOsInfo(p);
            return new GuestOs(
                    GuestOs.Family.of(o.family),
                    Integer.toUnsignedLong(o.majorVersion),
                    Integer.toUnsignedLong(o.minorVersion),
                    o.osIs64Bit != 0,
                    o.vendor,
                    o.edition,
                    o.osFolder);
        } finally {
            lib.VixMntapi_FreeOsInfo(p);
        }
    }

    /**
     * Teardown in VMware's order, every step run even when an earlier one failed: dismount the mounted
     * volumes (last mounted first, with force: cairn is leaving), {@code FreeVolumeHandles},
     * {@code CloseDiskSet}, then close the disk ({@code VixDiskLib_Close}, {@code Disconnect},
     * {@code EndAccess}; Disconnect "invalidates open file handles, so call [CloseDiskSet] first").
     * Volume and OS information was freed when it was read. Throws the first failure with the others
     * suppressed.
     */
    @Override
    public synchronized void close() throws VixException {
        if (closed) {
            return;
        }
        closed = true;
        VixException first = null;
        List<Integer> order = new ArrayList<>(mounted.keySet());
        for (int k = order.size() - 1; k >= 0; k--) {
            int i = order.get(k);
            first = step(
                    first,
                    () -> lib.VixMntapi_DismountVolume(volumeHandles.get(i), (byte) 1),
                    () -> "VixMntapi_DismountVolume of volume " + i);
        }
        mounted.clear();
        if (volumeArray != null) {
            Pointer a = volumeArray;
            first = step(
                    first,
                    () -> {
                        lib.VixMntapi_FreeVolumeHandles(a);
                        return VixMntapiNative.VIX_OK;
                    },
                    () -> "VixMntapi_FreeVolumeHandles");
            volumeArray = null;
        }
        volumeHandles.clear();
        if (handle != null) {
            Pointer h = handle;
            first = step(first, () -> lib.VixMntapi_CloseDiskSet(h), () -> "VixMntapi_CloseDiskSet");
            handle = null;
        }
        try {
            disk.close();
        } catch (VixException | RuntimeException e) {
            first = keep(
                    first,
                    e instanceof VixException v
                            ? v
                            : new VixException(VixException.VIX_E_FAIL, "closing " + disk + " failed: " + e, e));
        }
        onClose.accept(this);
        if (first != null) {
            throw first;
        }
    }

    @FunctionalInterface
    private interface NativeCall {
        long call();
    }

    private VixException step(VixException first, NativeCall call, Supplier<String> doing) {
        long err;
        try {
            err = call.call();
        } catch (RuntimeException | LinkageError e) {
            return keep(
                    first, new VixException(VixException.VIX_E_FAIL, doing.get() + " on " + this + " failed: " + e, e));
        }
        return err == VixMntapiNative.VIX_OK ? first : keep(first, error(err, doing));
    }

    private static VixException keep(VixException first, VixException e) {
        if (first == null) {
            return e;
        }
        first.addSuppressed(e);
        return first;
    }

    private void check(long err, Supplier<String> doing) throws VixException {
        if (err != VixMntapiNative.VIX_OK) {
            throw error(err, doing);
        }
    }

    private VixException error(long err, Supplier<String> doing) {
        return errors.error(err, () -> doing.get() + " on " + this);
    }

    private void ensureOpen() throws VixException {
        if (closed) {
            throw new VixException(VixException.VIX_E_DISK_NOINIT, this + " is closed");
        }
    }

    @Override
    public String toString() {
        return "VixMntapi disk set of " + disk.path();
    }
}
