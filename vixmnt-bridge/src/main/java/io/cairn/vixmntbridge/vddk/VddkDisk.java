package io.cairn.vixmntbridge.vddk;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import io.cairn.vixmntbridge.DiskInfo;
import io.cairn.vixmntbridge.VirtualDisk;
import io.cairn.vixmntbridge.VixException;
import io.cairn.vixmntbridge.vddk.jna.SizeT;
import io.cairn.vixmntbridge.vddk.jna.VixDiskLibBlock;
import io.cairn.vixmntbridge.vddk.jna.VixDiskLibBlockList;
import io.cairn.vixmntbridge.vddk.jna.VixDiskLibConnectParams;
import io.cairn.vixmntbridge.vddk.jna.VixDiskLibInfo;
import io.cairn.vixmntbridge.vddk.jna.VixDiskLibNative;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * One disk opened through VixDiskLib: its own connection ({@code PrepareForAccess}, {@code ConnectEx})
 * and handle ({@code Open}), released in reverse order by {@link #close()}.
 *
 * <p>VixDiskLib handles are not thread-safe, so every call on the handle holds one lock: concurrent
 * {@link #read}s are allowed by {@link VirtualDisk} but run one after the other here. Each native
 * buffer is allocated for the call and freed in {@code finally}.
 */
public final class VddkDisk implements VirtualDisk {

    static final int SECTOR = VixDiskLibNative.VIXDISKLIB_SECTOR_SIZE;
    /**
     * Alignment of every data buffer handed to VixDiskLib_Read/Write. SAN transport reads and writes
     * the LUN with O_DIRECT, which needs buffers aligned to the device's logical block (up to 4 KiB on
     * 4Kn LUNs); an unaligned buffer makes VixDiskLib bounce or fail the I/O.
     */
    static final int ALIGNMENT = 4096;
    /** The ddb key holding the virtual hardware version ({@code ddb.virtualHWVersion}). */
    static final String KEY_HW_VERSION = "virtualHWVersion";

    static final String KEY_ADAPTER_TYPE = "adapterType";

    private final VddkLibrary library;
    private final VixDiskLibNative lib;
    private final VddkTarget target;
    private final ReentrantLock lock = new ReentrantLock();
    private final CStrings strings = new CStrings();
    private VixDiskLibConnectParams params;
    private boolean prepared;
    private SanStreams.Permit sanPermit;
    private Pointer connection;
    private Pointer handle;
    private String transportMode;
    private volatile long lastIoNanos = System.nanoTime();
    private volatile boolean lent;
    private boolean closed;

    private VddkDisk(VddkLibrary library, VddkTarget target) {
        this.library = library;
        this.lib = library.lib();
        this.target = target;
    }

    static VddkDisk open(VddkLibrary library, VddkTarget target) throws VixException {
        VddkDisk d = new VddkDisk(library, target);
        try {
            d.connectAndOpen();
            return d;
        } catch (Throwable e) {
            try {
                d.close();
            } catch (VixException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private void connectAndOpen() throws VixException {
        if (target.usesSan() && !target.readOnly()) {
            requireSanRestoreSnapshot();
        }
        params = target.connectParams(strings, true);
        if (!target.local()) {
            // Tells vCenter that disks of this VM are open, so it blocks Storage vMotion meanwhile.
            check(lib.VixDiskLib_PrepareForAccess(params, VddkLibrary.IDENTITY), () -> "VixDiskLib_PrepareForAccess");
            prepared = true;
        }
        if (target.usesSan()) {
            sanPermit = library.sanStreams().acquire(target.esxHost());
        }
        PointerByReference conn = new PointerByReference();
        check(
                lib.VixDiskLib_ConnectEx(
                        params,
                        (byte) (target.readOnly() ? 1 : 0),
                        target.snapshotMoref(),
                        target.transportModes(),
                        conn),
                () -> "VixDiskLib_ConnectEx");
        connection = conn.getValue();
        int flags = target.readOnly() ? VixDiskLibNative.VIXDISKLIB_FLAG_OPEN_READ_ONLY : 0;
        PointerByReference h = new PointerByReference();
        check(lib.VixDiskLib_Open(connection, target.diskPath(), flags, h), () -> "VixDiskLib_Open");
        handle = h.getValue();
        transportMode = lib.VixDiskLib_GetTransportMode(handle);
        if (target.usesSan() && !target.readOnly()) {
            requireSanBaseDisk();
        }
        touch();
    }

    /**
     * SAN restores write straight to the LUN blocks of a disk's flat extent, so they can only go to a
     * base disk: a snapshot delta (redo log) is a sparse file on VMFS whose blocks are allocated by the
     * host, which the SAN path cannot do. The snapshot is checked here, before anything is connected;
     * the disk after Open ({@link #requireSanBaseDisk}). VMware's procedure is: take a snapshot, open the base disk
     * through a connection on that snapshot (the snapshot makes vSphere release its lock on the base
     * disk), write, then revert to and delete the snapshot.
     */
    private void requireSanRestoreSnapshot() throws VixException {
        if (target.snapshotMoref() == null) {
            throw new VixException(
                    VixException.VIX_E_NOT_SUPPORTED,
                    "restoring " + target.diskPath()
                            + " over SAN refused: a SAN restore needs a snapshot of the VM (take one, restore to its base"
                            + " disk, then revert to it and delete it), or restore with nbdssl or hotadd");
        }
    }

    /** The second half of the rule above, once the disk is open: it must be a base disk. */
    private void requireSanBaseDisk() throws VixException {
        DiskInfo info = info();
        if (info.numLinks() > 1 || info.parentFileNameHint() != null) {
            throw new VixException(
                    VixException.VIX_E_NOT_SUPPORTED,
                    "restoring " + target.diskPath()
                            + " over SAN refused: it is a snapshot (delta) disk with " + info.numLinks()
                            + " links, and SAN restores only write to base disks; give the base disk's path, or restore"
                            + " with nbdssl or hotadd");
        }
    }

    /**
     * The native {@code VixDiskLibConnection} of this disk, for {@code VixMntapi_OpenDisks} in
     * {@code io.cairn.vixmntbridge.mntapi} only (not API): VixMntapi opens its own handle of
     * {@link #diskPath()} on it. From this call on the disk makes no keepalive reads, so that cairn never
     * calls VixDiskLib on the connection while VixMntapi uses it; the caller closes the disk (Close,
     * Disconnect) only after {@code VixMntapi_CloseDiskSet}.
     */
    public Pointer lendConnection() throws VixException {
        lock.lock();
        try {
            ensureOpen();
            lent = true;
            return connection;
        } finally {
            lock.unlock();
        }
    }

    /** The datastore path of the disk ({@code [ds1] vm/vm.vmdk}). */
    public String diskPath() {
        return target.diskPath();
    }

    /** The transport VixDiskLib chose ({@code nbdssl}, {@code san}, …). */
    public String transportMode() {
        return transportMode;
    }

    @Override
    public DiskInfo info() throws VixException {
        VixDiskLibInfo i;
        lock.lock();
        try {
            ensureOpen();
            PointerByReference ref = new PointerByReference();
            check(lib.VixDiskLib_GetInfo(handle, ref), () -> "VixDiskLib_GetInfo");
            Pointer p = ref.getValue();
            try {
                i = new VixDiskLibInfo(p);
            } finally {
                lib.VixDiskLib_FreeInfo(p);
            }
        } finally {
            lock.unlock();
        }
        DiskInfo.AdapterType adapter = switch (i.adapterType) {
            case VixDiskLibNative.VIXDISKLIB_ADAPTER_IDE -> DiskInfo.AdapterType.IDE;
            case VixDiskLibNative.VIXDISKLIB_ADAPTER_SCSI_BUSLOGIC -> DiskInfo.AdapterType.BUSLOGIC;
            case VixDiskLibNative.VIXDISKLIB_ADAPTER_SCSI_LSILOGIC -> DiskInfo.AdapterType.LSILOGIC;
            // LSI SAS, PVSCSI, NVMe and SATA have no enum value: the descriptor names them.
            default -> DiskInfo.AdapterType.fromDdb(readMetadataOrNull(KEY_ADAPTER_TYPE));
        };
        int hw = parseIntOrZero(readMetadataOrNull(KEY_HW_VERSION));
        String parent = i.parentFileNameHint == null || i.parentFileNameHint.isEmpty() ? null : i.parentFileNameHint;
        return new DiskInfo(i.capacity, geometry(i.biosGeo), geometry(i.physGeo), adapter, hw, parent, i.numLinks);
    }

    private static DiskInfo.Geometry geometry(io.cairn.vixmntbridge.vddk.jna.VixDiskLibGeometry g) {
        return new DiskInfo.Geometry(Integer.toUnsignedLong(g.cylinders), g.heads, g.sectors);
    }

    @Override
    public void read(long startSector, int sectors, byte[] buf, int offset) throws VixException {
        int bytes = checkBuffer(startSector, sectors, buf, offset);
        if (sectors == 0) {
            return;
        }
        Memory raw = new Memory((long) bytes + ALIGNMENT);
        try {
            Pointer aligned = raw.align(ALIGNMENT);
            lock.lock();
            try {
                ensureOpen();
                check(
                        lib.VixDiskLib_Read(handle, startSector, sectors, aligned),
                        () -> "VixDiskLib_Read of sectors " + startSector + "+" + sectors);
                touch();
            } finally {
                lock.unlock();
            }
            aligned.read(0, buf, offset, bytes);
        } finally {
            raw.close();
        }
    }

    @Override
    public void write(long startSector, int sectors, byte[] buf, int offset) throws VixException {
        int bytes = checkBuffer(startSector, sectors, buf, offset);
        if (target.readOnly()) {
            throw new VixException(VixException.VIX_E_FILE_ACCESS_ERROR, target.diskPath() + " is open read-only");
        }
        if (sectors == 0) {
            return;
        }
        Memory raw = new Memory((long) bytes + ALIGNMENT);
        try {
            Pointer aligned = raw.align(ALIGNMENT);
            aligned.write(0, buf, offset, bytes);
            lock.lock();
            try {
                ensureOpen();
                check(
                        lib.VixDiskLib_Write(handle, startSector, sectors, aligned),
                        () -> "VixDiskLib_Write of sectors " + startSector + "+" + sectors);
                touch();
            } finally {
                lock.unlock();
            }
        } finally {
            raw.close();
        }
    }

    @Override
    public Map<String, String> metadata() throws VixException {
        lock.lock();
        try {
            ensureOpen();
            Map<String, String> out = new LinkedHashMap<>();
            for (String key : metadataKeys()) {
                out.put(key, readMetadata(key));
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    /** Key names: NUL-terminated strings followed by one more NUL. Caller holds the lock. */
    private List<String> metadataKeys() throws VixException {
        SizeT.ByRef required = new SizeT.ByRef();
        long err = lib.VixDiskLib_GetMetadataKeys(handle, null, new SizeT(0), required);
        sizeQueryOk(err, () -> "VixDiskLib_GetMetadataKeys");
        long len = required.getValue();
        List<String> keys = new ArrayList<>();
        if (len == 0) {
            return keys;
        }
        Memory m = new Memory(len);
        try {
            m.clear();
            check(lib.VixDiskLib_GetMetadataKeys(handle, m, new SizeT(len), null), () -> "VixDiskLib_GetMetadataKeys");
            long at = 0;
            while (at < len) {
                String k = m.getString(at, StandardCharsets.UTF_8.name());
                if (k.isEmpty()) {
                    break;
                }
                keys.add(k);
                at += k.getBytes(StandardCharsets.UTF_8).length + 1L;
            }
            return keys;
        } finally {
            m.close();
        }
    }

    /** One value. Caller holds the lock. */
    private String readMetadata(String key) throws VixException {
        SizeT.ByRef required = new SizeT.ByRef();
        long err = lib.VixDiskLib_ReadMetadata(handle, key, null, new SizeT(0), required);
        sizeQueryOk(err, () -> "VixDiskLib_ReadMetadata of key " + key);
        long len = required.getValue();
        if (len == 0) {
            return "";
        }
        Memory m = new Memory(len);
        try {
            m.clear();
            check(
                    lib.VixDiskLib_ReadMetadata(handle, key, m, new SizeT(len), null),
                    () -> "VixDiskLib_ReadMetadata of key " + key);
            return m.getString(0, StandardCharsets.UTF_8.name());
        } finally {
            m.close();
        }
    }

    private String readMetadataOrNull(String key) throws VixException {
        lock.lock();
        try {
            ensureOpen();
            return readMetadata(key);
        } catch (VixException e) {
            if (e.code() == VixException.VIX_E_DISK_KEY_NOTFOUND) {
                return null;
            }
            throw e;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void writeMetadata(String key, String value) throws VixException {
        if (target.readOnly()) {
            throw new VixException(VixException.VIX_E_FILE_ACCESS_ERROR, target.diskPath() + " is open read-only");
        }
        lock.lock();
        try {
            ensureOpen();
            check(lib.VixDiskLib_WriteMetadata(handle, key, value), () -> "VixDiskLib_WriteMetadata of key " + key);
        } finally {
            lock.unlock();
        }
    }

    /**
     * {@code VixDiskLib_QueryAllocatedBlocks} (VDDK 6.7+): {@code chunkSectors} must be a power of two of
     * at least {@value VixDiskLibNative#VIXDISKLIB_MIN_CHUNK_SIZE} sectors and {@code startSector} a
     * multiple of it; one call covers at most {@value VixDiskLibNative#VIXDISKLIB_MAX_CHUNK_NUMBER} chunks,
     * so longer ranges are queried in windows. The length is rounded up to whole chunks.
     */
    @Override
    public List<SectorRange> allocatedBlocks(long startSector, long sectors, long chunkSectors) throws VixException {
        if (chunkSectors < VixDiskLibNative.VIXDISKLIB_MIN_CHUNK_SIZE || Long.bitCount(chunkSectors) != 1) {
            throw new VixException(
                    VixException.VIX_E_INVALID_ARG,
                    "chunk size " + chunkSectors
                            + " sectors: VixDiskLib_QueryAllocatedBlocks needs a power of two of at least "
                            + VixDiskLibNative.VIXDISKLIB_MIN_CHUNK_SIZE);
        }
        if (startSector < 0 || sectors < 0 || startSector % chunkSectors != 0) {
            throw new VixException(
                    VixException.VIX_E_INVALID_ARG,
                    "sector range " + startSector + "+" + sectors + " does not start on a " + chunkSectors
                            + "-sector chunk");
        }
        long end = startSector + (sectors + chunkSectors - 1) / chunkSectors * chunkSectors;
        long window = VixDiskLibNative.VIXDISKLIB_MAX_CHUNK_NUMBER * chunkSectors;
        List<SectorRange> out = new ArrayList<>();
        lock.lock();
        try {
            ensureOpen();
            for (long at = startSector; at < end; at += window) {
                long n = Math.min(window, end - at);
                queryWindow(at, n, chunkSectors, out);
            }
            touch();
        } finally {
            lock.unlock();
        }
        return out;
    }

    private void queryWindow(long start, long n, long chunk, List<SectorRange> out) throws VixException {
        PointerByReference ref = new PointerByReference();
        try {
            check(
                    lib.VixDiskLib_QueryAllocatedBlocks(handle, start, n, chunk, ref),
                    () -> "VixDiskLib_QueryAllocatedBlocks of sectors " + start + "+" + n);
        } catch (UnsatisfiedLinkError e) {
            throw new VixException(
                    VixException.VIX_E_NOT_SUPPORTED,
                    "VixDiskLib_QueryAllocatedBlocks is missing: cairn needs VDDK 6.7 or later",
                    e);
        }
        Pointer p = ref.getValue();
        if (p == null) {
            return;
        }
        try {
            VixDiskLibBlockList list = new VixDiskLibBlockList(p);
            long count = Integer.toUnsignedLong(list.numBlocks);
            for (int i = 0; i < count; i++) {
                VixDiskLibBlock b = list.block(i);
                out.add(new SectorRange(b.offset, b.length));
            }
        } finally {
            lib.VixDiskLib_FreeBlockList(p);
        }
    }

    /**
     * The keepalive of {@link VddkConfig}: reads sector 0 when the disk has seen no I/O for
     * {@code intervalNanos}. Skipped when another call holds the handle (that call is I/O enough).
     *
     * @return whether a keepalive read was made
     */
    boolean keepAliveIfIdle(long nowNanos, long intervalNanos) {
        if (lent || nowNanos - lastIoNanos < intervalNanos || !lock.tryLock()) {
            return false;
        }
        try {
            if (closed) {
                return false;
            }
            Memory raw = new Memory(SECTOR + ALIGNMENT);
            try {
                long err = lib.VixDiskLib_Read(handle, 0, 1, raw.align(ALIGNMENT));
                touch();
                // A failed keepalive is not reported here: the next real read reports the broken connection.
                return err == VixDiskLibNative.VIX_OK;
            } finally {
                raw.close();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Close, Disconnect, EndAccess, then the native memory; every step runs, the first error is thrown. */
    @Override
    public void close() throws VixException {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            VixException first = null;
            try {
                if (handle != null) {
                    first = keep(first, lib.VixDiskLib_Close(handle), () -> "VixDiskLib_Close");
                    handle = null;
                }
                if (connection != null) {
                    first = keep(first, lib.VixDiskLib_Disconnect(connection), () -> "VixDiskLib_Disconnect");
                    connection = null;
                }
                if (prepared) {
                    first = keep(
                            first,
                            lib.VixDiskLib_EndAccess(params, VddkLibrary.IDENTITY),
                            () -> "VixDiskLib_EndAccess");
                    prepared = false;
                }
            } finally {
                if (sanPermit != null) {
                    sanPermit.release();
                }
                if (params != null) {
                    ((Memory) params.getPointer()).close();
                    params = null;
                }
                strings.close();
                library.forget(this);
            }
            if (first != null) {
                throw first;
            }
        } finally {
            lock.unlock();
        }
    }

    private VixException keep(VixException first, long err, Supplier<String> doing) {
        if (err == VixDiskLibNative.VIX_OK) {
            return first;
        }
        VixException e = error(err, doing);
        if (first == null) {
            return e;
        }
        first.addSuppressed(e);
        return first;
    }

    private void check(long err, Supplier<String> doing) throws VixException {
        if (err != VixDiskLibNative.VIX_OK) {
            throw error(err, doing);
        }
    }

    private VixException error(long err, Supplier<String> doing) {
        return library.error(err, () -> doing.get() + " on " + target);
    }

    /** The size queries answer VIX_E_BUFFER_TOOSMALL (or VIX_OK) with the size filled in. */
    private void sizeQueryOk(long err, Supplier<String> doing) throws VixException {
        if (err != VixDiskLibNative.VIX_OK
                && VixDiskLibNative.errorCode(err) != VixDiskLibNative.VIX_E_BUFFER_TOOSMALL) {
            throw error(err, doing);
        }
    }

    private void ensureOpen() throws VixException {
        if (closed) {
            throw new VixException(VixException.VIX_E_DISK_NOINIT, target.diskPath() + " is closed");
        }
    }

    private void touch() {
        lastIoNanos = System.nanoTime();
    }

    private int checkBuffer(long startSector, int sectors, byte[] buf, int offset) throws VixException {
        long bytes = (long) sectors * SECTOR;
        if (startSector < 0 || sectors < 0 || offset < 0 || bytes > buf.length - (long) offset) {
            throw new VixException(
                    VixException.VIX_E_INVALID_ARG,
                    "sectors " + startSector + "+" + sectors + " do not fit a buffer of " + buf.length
                            + " bytes at offset " + offset);
        }
        return (int) bytes;
    }

    private static int parseIntOrZero(String s) {
        if (s == null) {
            return 0;
        }
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    @Override
    public String toString() {
        return "VDDK disk " + target;
    }
}
