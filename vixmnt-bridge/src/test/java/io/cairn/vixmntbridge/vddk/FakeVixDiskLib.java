package io.cairn.vixmntbridge.vddk;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;
import io.cairn.vixmntbridge.vddk.jna.SizeT;
import io.cairn.vixmntbridge.vddk.jna.VixDiskLibBlockList;
import io.cairn.vixmntbridge.vddk.jna.VixDiskLibConnectParams;
import io.cairn.vixmntbridge.vddk.jna.VixDiskLibInfo;
import io.cairn.vixmntbridge.vddk.jna.VixDiskLibNative;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * VixDiskLib in Java, for testing the driver without the VDDK: one in-memory disk, a journal of the
 * calls, and a record of the native memory it handed out and got back (GetInfo, QueryAllocatedBlocks,
 * GetErrorText), so tests can check that the driver frees everything.
 */
final class FakeVixDiskLib implements VixDiskLibNative {
    static final long VIX_E_FILE_NOT_FOUND = 4;
    static final long FAKE_CONNECTION = 0x1000;
    static final long FAKE_HANDLE = 0x2000;

    final List<String> calls = Collections.synchronizedList(new ArrayList<>());
    /** Native memory handed to the driver and not yet freed, by address. */
    final Map<Long, Memory> outstanding = Collections.synchronizedMap(new LinkedHashMap<>());

    final Map<String, String> metadata = new LinkedHashMap<>(Map.of("adapterType", "pvscsi", "virtualHWVersion", "19"));
    final byte[] disk = new byte[1024 * 512];
    int numLinks = 1;
    String parent;
    int adapterType = VIXDISKLIB_ADAPTER_UNKNOWN;
    long failReadWith;
    long[][] allocated = {{0, 128}, {1024, 256}};
    final List<Long> readBufferAddresses = Collections.synchronizedList(new ArrayList<>());
    volatile String connectTransportModes;
    volatile String connectServer;
    volatile String connectUser;
    volatile String connectPassword;
    volatile String connectVmxSpec;

    private Pointer track(Memory m) {
        outstanding.put(Pointer.nativeValue(m), m);
        return m;
    }

    private void untrack(Pointer p) {
        if (p == null) {
            return;
        }
        Memory m = outstanding.remove(Pointer.nativeValue(p));
        if (m == null) {
            throw new IllegalStateException("freeing memory the library never handed out: " + p);
        }
        m.close();
    }

    @Override
    public long VixDiskLib_InitEx(
            int major, int minor, LogFunc log, LogFunc warn, LogFunc panic, String libDir, String configFile) {
        calls.add("InitEx");
        return VIX_OK;
    }

    @Override
    public void VixDiskLib_Exit() {
        calls.add("Exit");
    }

    @Override
    public long VixDiskLib_ConnectEx(
            VixDiskLibConnectParams p,
            byte readOnly,
            String snapshotRef,
            String transportModes,
            PointerByReference connection) {
        calls.add("ConnectEx");
        connectTransportModes = transportModes;
        connectServer = p.serverName.getString(0);
        connectVmxSpec = p.vmxSpec.getString(0);
        VixDiskLibConnectParams fromNative = new VixDiskLibConnectParams(p.getPointer());
        fromNative.creds.setType(VixDiskLibConnectParams.UidPasswd.class);
        fromNative.read();
        connectUser = fromNative.creds.uid.userName.getString(0);
        connectPassword = fromNative.creds.uid.password.getString(0);
        connection.setValue(new Pointer(FAKE_CONNECTION));
        return VIX_OK;
    }

    @Override
    public long VixDiskLib_PrepareForAccess(VixDiskLibConnectParams p, String identity) {
        calls.add("PrepareForAccess");
        return VIX_OK;
    }

    @Override
    public long VixDiskLib_EndAccess(VixDiskLibConnectParams p, String identity) {
        calls.add("EndAccess");
        return VIX_OK;
    }

    @Override
    public long VixDiskLib_Disconnect(Pointer connection) {
        calls.add("Disconnect");
        return VIX_OK;
    }

    @Override
    public long VixDiskLib_Cleanup(VixDiskLibConnectParams p, IntByReference done, IntByReference remaining) {
        calls.add("Cleanup");
        remaining.setValue(0);
        return VIX_OK;
    }

    @Override
    public long VixDiskLib_Open(Pointer connection, String path, int flags, PointerByReference handle) {
        calls.add("Open " + path + " flags=" + flags);
        if (path.contains("missing")) {
            return VIX_E_FILE_NOT_FOUND | (7L << 32); // high bits: extra information, as VixError allows
        }
        handle.setValue(new Pointer(FAKE_HANDLE));
        return VIX_OK;
    }

    @Override
    public long VixDiskLib_Close(Pointer handle) {
        calls.add("Close");
        return VIX_OK;
    }

    @Override
    public long VixDiskLib_GetInfo(Pointer handle, PointerByReference info) {
        calls.add("GetInfo");
        VixDiskLibInfo i = new VixDiskLibInfo();
        i.capacity = disk.length / 512;
        i.biosGeo.cylinders = -1; // 4294967295 as uint32
        i.biosGeo.heads = 255;
        i.biosGeo.sectors = 63;
        i.physGeo.cylinders = 1;
        i.physGeo.heads = 16;
        i.physGeo.sectors = 63;
        i.adapterType = adapterType;
        i.numLinks = numLinks;
        i.write();
        Memory m = new Memory(i.size());
        m.write(0, i.getPointer().getByteArray(0, i.size()), 0, i.size());
        if (parent != null) {
            Memory s = new Memory(parent.length() + 1L);
            s.setString(0, parent, "UTF-8");
            keep.add(s);
            m.setPointer(i.offsetOf("parentFileNameHint"), s);
        } else {
            m.setPointer(i.offsetOf("parentFileNameHint"), null);
        }
        m.setPointer(i.offsetOf("uuid"), null);
        info.setValue(track(m));
        return VIX_OK;
    }

    private final List<Memory> keep = new ArrayList<>();

    @Override
    public void VixDiskLib_FreeInfo(Pointer info) {
        calls.add("FreeInfo");
        untrack(info);
    }

    @Override
    public String VixDiskLib_GetTransportMode(Pointer handle) {
        return connectTransportModes.split(":")[0];
    }

    @Override
    public long VixDiskLib_Read(Pointer handle, long start, long n, Pointer buf) {
        calls.add("Read " + start + "+" + n);
        readBufferAddresses.add(Pointer.nativeValue(buf));
        if (failReadWith != 0) {
            return failReadWith;
        }
        buf.write(0, disk, (int) (start * 512), (int) (n * 512));
        return VIX_OK;
    }

    @Override
    public long VixDiskLib_Write(Pointer handle, long start, long n, Pointer buf) {
        calls.add("Write " + start + "+" + n);
        buf.read(0, disk, (int) (start * 512), (int) (n * 512));
        return VIX_OK;
    }

    @Override
    public long VixDiskLib_GetMetadataKeys(Pointer handle, Pointer keys, SizeT maxLen, SizeT.ByRef requiredLen) {
        StringBuilder sb = new StringBuilder();
        for (String k : metadata.keySet()) {
            sb.append(k).append('\0');
        }
        sb.append('\0');
        return copyOut(sb.toString().getBytes(StandardCharsets.UTF_8), keys, maxLen, requiredLen);
    }

    @Override
    public long VixDiskLib_ReadMetadata(
            Pointer handle, String key, Pointer buf, SizeT bufLen, SizeT.ByRef requiredLen) {
        String v = metadata.get(key);
        if (v == null) {
            return DISK_KEY_NOTFOUND;
        }
        return copyOut((v + '\0').getBytes(StandardCharsets.UTF_8), buf, bufLen, requiredLen);
    }

    static final long DISK_KEY_NOTFOUND = 16052;

    private static long copyOut(byte[] b, Pointer buf, SizeT len, SizeT.ByRef required) {
        if (required != null) {
            required.getPointer().setLong(0, b.length);
        }
        if (buf == null || len.longValue() < b.length) {
            return VIX_E_BUFFER_TOOSMALL;
        }
        buf.write(0, b, 0, b.length);
        return VIX_OK;
    }

    @Override
    public long VixDiskLib_WriteMetadata(Pointer handle, String key, String val) {
        metadata.put(key, val);
        return VIX_OK;
    }

    @Override
    public long VixDiskLib_QueryAllocatedBlocks(
            Pointer handle, long start, long n, long chunk, PointerByReference list) {
        calls.add("QueryAllocatedBlocks " + start + "+" + n + "/" + chunk);
        VixDiskLibBlockList header = new VixDiskLibBlockList();
        int base = header.offsetOf("blocks");
        Memory m = new Memory(base + 16L * Math.max(1, allocated.length));
        m.clear();
        m.setInt(0, allocated.length);
        for (int i = 0; i < allocated.length; i++) {
            m.setLong(base + 16L * i, allocated[i][0]);
            m.setLong(base + 16L * i + 8, allocated[i][1]);
        }
        list.setValue(track(m));
        return VIX_OK;
    }

    @Override
    public long VixDiskLib_FreeBlockList(Pointer blockList) {
        calls.add("FreeBlockList");
        untrack(blockList);
        return VIX_OK;
    }

    @Override
    public Pointer VixDiskLib_GetErrorText(long err, String locale) {
        Memory m = new Memory(64);
        m.setString(0, "fake error " + (err & 0xFFFF), "UTF-8");
        return track(m);
    }

    @Override
    public void VixDiskLib_FreeErrorText(Pointer errMsg) {
        untrack(errMsg);
    }
}
