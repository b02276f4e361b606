package io.cairn.vixmntbridge.mntapi;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import io.cairn.vixmntbridge.mntapi.jna.VixMntapiNative;
import io.cairn.vixmntbridge.mntapi.jna.VixOsInfo;
import io.cairn.vixmntbridge.mntapi.jna.VixVolumeInfo;
import io.cairn.vixmntbridge.vddk.jna.SizeT;
import io.cairn.vixmntbridge.vddk.jna.VixDiskLibNative;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * FakeVixMntapi (stand-in: the real VDDK cannot be installed here). VixMntapi's function table in
 * Java, for testing the driver's call order, error translation and teardown: a disk set with canned
 * volumes, a journal of the calls, failures to inject, and a record of the native memory it handed
 * out and got back, so tests can check that the driver frees everything exactly once. It proves
 * nothing about the real library's behaviour.
 */
final class FakeVixMntapi implements VixMntapiNative {
    static final long FAKE_DISKSET = 0x7000;
    static final long VOLUME_BASE = 0x5000;
    /** VIX_E_FILE_ACCESS_ERROR with extra information in the high bits, as a VixError may carry. */
    static final long FAILURE = 13 | (3L << 32);

    record Volume(int type, String mountPath, List<String> guestMountPoints) {}

    final List<String> calls = Collections.synchronizedList(new ArrayList<>());
    /** Native memory handed to the driver and not yet freed, by address; the value keeps it reachable. */
    final Map<Long, Object> outstanding = Collections.synchronizedMap(new LinkedHashMap<>());

    final List<Volume> volumes = new ArrayList<>(List.of(
            new Volume(VIXMNTAPI_BASIC_PARTITION, "/tmp/vixmnt/vol0", List.of("/boot")),
            new Volume(VIXMNTAPI_GPT_PARTITION, "/tmp/vixmnt/vol1", List.of("/", "/srv"))));
    final Map<Integer, Boolean> mounted = new HashMap<>();
    /** Function names (without "VixMntapi_") that fail with {@link #FAILURE}. */
    final java.util.Set<String> failing = new java.util.HashSet<>();

    volatile Pointer openedOnConnection;
    volatile String[] openedNames;
    volatile long openedCount;
    volatile int openedFlags;
    volatile byte lastMountReadOnly = -1;

    private boolean fails(String f) {
        return failing.contains(f);
    }

    private void track(Pointer p, Object keepAlive) {
        outstanding.put(Pointer.nativeValue(p), keepAlive);
    }

    private void untrack(String what, Pointer p) {
        if (p == null) {
            return;
        }
        if (outstanding.remove(Pointer.nativeValue(p)) == null) {
            throw new IllegalStateException(what + " of memory the library never handed out (or freed twice): " + p);
        }
    }

    private int volumeIndex(Pointer h) {
        long i = Pointer.nativeValue(h) - VOLUME_BASE;
        if (i < 0 || i >= volumes.size()) {
            throw new IllegalStateException("not a volume handle: " + h);
        }
        return (int) i;
    }

    @Override
    public long VixMntapi_Init(
            int major,
            int minor,
            VixDiskLibNative.LogFunc log,
            VixDiskLibNative.LogFunc warn,
            VixDiskLibNative.LogFunc panic,
            String libDir,
            String configFile) {
        calls.add("Init");
        return VIX_OK;
    }

    @Override
    public void VixMntapi_Exit() {
        calls.add("Exit");
    }

    @Override
    public long VixMntapi_OpenDiskSet(Pointer[] diskHandles, SizeT n, int openMode, PointerByReference handle) {
        throw new UnsatisfiedLinkError("VixMntapi_OpenDiskSet is Windows-only");
    }

    @Override
    public long VixMntapi_OpenDisks(
            Pointer connection, String[] diskNames, SizeT n, int openFlags, PointerByReference handle) {
        calls.add("OpenDisks");
        openedOnConnection = connection;
        openedNames = diskNames.clone();
        openedCount = n.longValue();
        openedFlags = openFlags;
        if (fails("OpenDisks")) {
            return FAILURE;
        }
        handle.setValue(new Pointer(FAKE_DISKSET));
        return VIX_OK;
    }

    @Override
    public long VixMntapi_GetDiskSetInfo(Pointer diskSet, PointerByReference info) {
        calls.add("GetDiskSetInfo");
        return FAILURE;
    }

    @Override
    public void VixMntapi_FreeDiskSetInfo(Pointer info) {
        calls.add("FreeDiskSetInfo");
    }

    @Override
    public long VixMntapi_CloseDiskSet(Pointer diskSet) {
        calls.add("CloseDiskSet");
        if (Pointer.nativeValue(diskSet) != FAKE_DISKSET) {
            throw new IllegalStateException("not the disk set: " + diskSet);
        }
        return fails("CloseDiskSet") ? FAILURE : VIX_OK;
    }

    @Override
    public long VixMntapi_GetVolumeHandles(Pointer diskSet, SizeT.ByRef n, PointerByReference handles) {
        calls.add("GetVolumeHandles");
        if (fails("GetVolumeHandles")) {
            return FAILURE;
        }
        Memory a = new Memory((long) volumes.size() * Native.POINTER_SIZE + 1);
        for (int i = 0; i < volumes.size(); i++) {
            a.setPointer((long) i * Native.POINTER_SIZE, new Pointer(VOLUME_BASE + i));
        }
        track(a, a);
        n.getPointer().setLong(0, volumes.size());
        handles.setValue(a);
        return VIX_OK;
    }

    @Override
    public void VixMntapi_FreeVolumeHandles(Pointer handles) {
        calls.add("FreeVolumeHandles");
        untrack("FreeVolumeHandles", handles);
    }

    @Override
    public long VixMntapi_GetOsInfo(Pointer diskSet, PointerByReference info) {
        calls.add("GetOsInfo");
        if (fails("GetOsInfo")) {
            return FAILURE;
        }
        VixOsInfo o = new VixOsInfo();
        o.family = VIXMNTAPI_OTHER;
        o.majorVersion = 5;
        o.minorVersion = 14;
        o.osIs64Bit = 1;
        o.vendor = "Debian";
        o.edition = null;
        o.osFolder = "/";
        o.write();
        track(o.getPointer(), o);
        info.setValue(o.getPointer());
        return VIX_OK;
    }

    @Override
    public void VixMntapi_FreeOsInfo(Pointer info) {
        calls.add("FreeOsInfo");
        untrack("FreeOsInfo", info);
    }

    @Override
    public long VixMntapi_MountVolume(Pointer volume, byte readOnly) {
        int i = volumeIndex(volume);
        calls.add("MountVolume " + i);
        lastMountReadOnly = readOnly;
        if (fails("MountVolume")) {
            return FAILURE;
        }
        mounted.put(i, true);
        return VIX_OK;
    }

    @Override
    public long VixMntapi_DismountVolume(Pointer volume, byte force) {
        int i = volumeIndex(volume);
        calls.add("DismountVolume " + i + (force != 0 ? " force" : ""));
        if (fails("DismountVolume")) {
            return FAILURE;
        }
        mounted.remove(i);
        return VIX_OK;
    }

    @Override
    public long VixMntapi_GetVolumeInfo(Pointer volume, PointerByReference info) {
        int i = volumeIndex(volume);
        calls.add("GetVolumeInfo " + i);
        Volume v = volumes.get(i);
        boolean isMounted = mounted.getOrDefault(i, false);
        List<String> points = isMounted ? v.guestMountPoints() : List.of();
        // the struct hack: room for all mount points, not just inGuestMountPoints[1]
        int extra = Math.max(0, points.size() - 1);
        Memory m = new Memory(new VixVolumeInfo().size() + (long) extra * Native.POINTER_SIZE);
        m.clear();
        VixVolumeInfo s = new VixVolumeInfo(m);
        s.type = v.type();
        s.isMounted = (byte) (isMounted ? 1 : 0);
        s.symbolicLink = isMounted ? v.mountPath() : null;
        s.numGuestMountPoints = new SizeT(points.size());
        List<Memory> strings = new ArrayList<>();
        for (int k = 0; k < points.size(); k++) {
            byte[] b = points.get(k).getBytes(java.nio.charset.StandardCharsets.UTF_8);
            Memory str = new Memory(b.length + 1L);
            str.write(0, b, 0, b.length);
            str.setByte(b.length, (byte) 0);
            strings.add(str);
            if (k == 0) {
                s.inGuestMountPoints[0] = str;
            }
        }
        s.write();
        for (int k = 1; k < points.size(); k++) {
            m.setPointer(s.offsetOf("inGuestMountPoints") + (long) k * Native.POINTER_SIZE, strings.get(k));
        }
        track(m, List.of(m, s, strings));
        info.setValue(m);
        return VIX_OK;
    }

    @Override
    public void VixMntapi_FreeVolumeInfo(Pointer info) {
        calls.add("FreeVolumeInfo");
        untrack("FreeVolumeInfo", info);
    }
}
