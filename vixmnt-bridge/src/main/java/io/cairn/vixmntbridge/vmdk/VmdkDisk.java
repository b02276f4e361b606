package io.cairn.vixmntbridge.vmdk;

import io.cairn.vixmntbridge.DiskInfo;
import io.cairn.vixmntbridge.VirtualDisk;
import io.cairn.vixmntbridge.VixException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One link of a disk chain (a base disk or a delta) with its extents laid end to end, and its parent
 * link. Read-only: immutable after construction but for the {@code closed} flag and the extents'
 * internal caches, which lock themselves, so reads from many threads are safe.
 */
final class VmdkDisk implements VirtualDisk {
    private static final int SECTOR = SparseHeader.SECTOR;

    private final Path path;
    /** Null for a raw image. */
    private final Descriptor descriptor;

    private final Extent[] extents;
    /** starts[i] = first disk sector of extents[i]; starts[n] = capacity. */
    private final long[] starts;

    private final VmdkDisk parent;
    private final Map<String, String> metadata;
    private volatile boolean closed;

    VmdkDisk(Path path, Descriptor descriptor, List<Extent> extents, VmdkDisk parent) {
        this.path = path;
        this.descriptor = descriptor;
        this.extents = extents.toArray(new Extent[0]);
        this.starts = new long[this.extents.length + 1];
        for (int i = 0; i < this.extents.length; i++) {
            starts[i + 1] = starts[i] + this.extents[i].sectors();
        }
        this.parent = parent;
        // The disk database is looked up from the newest link to the base: a child's key wins.
        Map<String, String> m = new LinkedHashMap<>();
        if (parent != null) {
            m.putAll(parent.metadata);
        }
        if (descriptor != null) {
            // VixDiskLib names metadata keys without the descriptor's "ddb." prefix; so do we.
            descriptor.ddb().forEach((k, v) -> m.put(k.substring("ddb.".length()), v));
        }
        this.metadata = Collections.unmodifiableMap(m);
    }

    Path path() {
        return path;
    }

    Descriptor descriptor() {
        return descriptor;
    }

    long capacity() {
        return starts[extents.length];
    }

    @Override
    public DiskInfo info() throws VixException {
        checkOpen();
        long capacity = capacity();
        DiskInfo.Geometry physical = geometry("geometry.cylinders", "geometry.heads", "geometry.sectors");
        if (physical == null) {
            // No ddb geometry (a raw image): the IDE translation VMware uses, 16 heads of 63 sectors.
            physical = new DiskInfo.Geometry(Math.min(capacity / (16 * 63), 16383), 16, 63);
        }
        DiskInfo.Geometry bios = geometry("geometry.biosCylinders", "geometry.biosHeads", "geometry.biosSectors");
        int hw = 0;
        try {
            hw = Integer.parseInt(metadata.getOrDefault("virtualHWVersion", "0").trim());
        } catch (NumberFormatException e) {
            hw = 0;
        }
        int links = 0;
        for (VmdkDisk d = this; d != null; d = d.parent) {
            links++;
        }
        return new DiskInfo(
                capacity,
                bios != null ? bios : physical,
                physical,
                DiskInfo.AdapterType.fromDdb(metadata.get("adapterType")),
                hw,
                descriptor == null ? null : descriptor.parentFileNameHint(),
                links);
    }

    private DiskInfo.Geometry geometry(String c, String h, String s) {
        try {
            String cv = metadata.get(c);
            String hv = metadata.get(h);
            String sv = metadata.get(s);
            if (cv == null || hv == null || sv == null) {
                return null;
            }
            return new DiskInfo.Geometry(
                    Long.parseLong(cv.trim()), Integer.parseInt(hv.trim()), Integer.parseInt(sv.trim()));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    @Override
    public void read(long startSector, int sectors, byte[] buf, int offset) throws VixException {
        checkOpen();
        if (buf == null || sectors < 0 || offset < 0 || (long) offset + (long) sectors * SECTOR > buf.length) {
            throw new VixException(
                    VixException.VIX_E_INVALID_ARG,
                    "read of " + sectors + " sectors into a buffer of "
                            + (buf == null ? "null" : buf.length + " bytes at offset " + offset));
        }
        if (startSector < 0 || startSector > capacity() - sectors) {
            throw new VixException(
                    VixException.VIX_E_DISK_OUTOFRANGE,
                    "read of sectors " + startSector + ".." + (startSector + sectors) + " is past the end of '" + path
                            + "' (" + capacity() + " sectors)");
        }
        readChain(startSector, sectors, buf, offset);
    }

    /** Reads through this link, falling back to the parent (or zeros) for unallocated runs. */
    private void readChain(long sector, int count, byte[] buf, int off) throws VixException {
        while (count > 0) {
            if (sector >= capacity()) {
                // A child may be larger than its parent: the parent's missing tail reads as zeros.
                Arrays.fill(buf, off, off + count * SECTOR, (byte) 0);
                return;
            }
            int i = extentIndex(sector);
            int max = (int) Math.min(count, starts[i + 1] - sector);
            long r = extents[i].readRun(sector - starts[i], max, buf, off);
            int n = (int) Math.abs(r);
            if (r < 0) {
                if (parent != null) {
                    parent.readChain(sector, n, buf, off);
                } else {
                    Arrays.fill(buf, off, off + n * SECTOR, (byte) 0);
                }
            }
            sector += n;
            count -= n;
            off += n * SECTOR;
        }
    }

    private int extentIndex(long sector) {
        int i = Arrays.binarySearch(starts, sector);
        return i >= 0 ? i : -i - 2;
    }

    @Override
    public void write(long startSector, int sectors, byte[] buf, int offset) throws VixException {
        throw new VixException(
                VixException.VIX_E_NOT_SUPPORTED,
                "'" + path + "' is open read-only: the pure-Java VMDK reader cannot write");
    }

    @Override
    public Map<String, String> metadata() throws VixException {
        checkOpen();
        return metadata;
    }

    @Override
    public void writeMetadata(String key, String value) throws VixException {
        throw new VixException(
                VixException.VIX_E_NOT_SUPPORTED, "'" + path + "' is open read-only: cannot write metadata key " + key);
    }

    @Override
    public List<SectorRange> allocatedBlocks(long startSector, long sectors, long chunkSectors) throws VixException {
        checkOpen();
        if (chunkSectors <= 0 || sectors < 0) {
            throw new VixException(
                    VixException.VIX_E_INVALID_ARG,
                    "allocatedBlocks: chunk of " + chunkSectors + " sectors, length " + sectors);
        }
        long end = startSector + sectors;
        if (startSector < 0 || end > capacity() || end < startSector) {
            throw new VixException(
                    VixException.VIX_E_DISK_OUTOFRANGE,
                    "allocatedBlocks of sectors " + startSector + ".." + end + " is past the end of '" + path + "' ("
                            + capacity() + " sectors)");
        }
        List<long[]> ranges = new ArrayList<>();
        collectAllocated(startSector, end, ranges);
        ranges.sort((a, b) -> Long.compare(a[0], b[0]));
        // Round out to whole chunks (aligned to sector 0), clip to the query, merge.
        List<SectorRange> out = new ArrayList<>();
        long curStart = -1;
        long curEnd = -1;
        for (long[] r : ranges) {
            long s = Math.max(startSector, Math.floorDiv(r[0], chunkSectors) * chunkSectors);
            long e = Math.min(end, ceilDiv(r[1], chunkSectors) * chunkSectors);
            if (curStart >= 0 && s <= curEnd) {
                curEnd = Math.max(curEnd, e);
            } else {
                if (curStart >= 0) {
                    out.add(new SectorRange(curStart, curEnd - curStart));
                }
                curStart = s;
                curEnd = e;
            }
        }
        if (curStart >= 0) {
            out.add(new SectorRange(curStart, curEnd - curStart));
        }
        return out;
    }

    private static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }

    /** Allocated ranges of this link and, below it, of its parents: a union, may overlap. */
    private void collectAllocated(long start, long end, List<long[]> out) throws VixException {
        for (int i = 0; i < extents.length; i++) {
            long s = Math.max(start, starts[i]);
            long e = Math.min(end, starts[i + 1]);
            if (s < e) {
                long base = starts[i];
                extents[i].allocated(s - base, e - base, (a, b) -> out.add(new long[] {a + base, b + base}));
            }
        }
        if (parent != null && start < parent.capacity()) {
            parent.collectAllocated(start, Math.min(end, parent.capacity()), out);
        }
    }

    private void checkOpen() throws VixException {
        if (closed) {
            throw new VixException(VixException.VIX_E_DISK_NOINIT, "'" + path + "' is closed");
        }
    }

    @Override
    public void close() throws VixException {
        if (closed) {
            return;
        }
        closed = true;
        VixException first = null;
        for (Extent e : extents) {
            try {
                e.close();
            } catch (VixException x) {
                if (first == null) {
                    first = x;
                } else {
                    first.addSuppressed(x);
                }
            }
        }
        if (parent != null) {
            try {
                parent.close();
            } catch (VixException x) {
                if (first == null) {
                    first = x;
                } else {
                    first.addSuppressed(x);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    @Override
    public String toString() {
        return "VmdkDisk[" + path + "]";
    }
}
