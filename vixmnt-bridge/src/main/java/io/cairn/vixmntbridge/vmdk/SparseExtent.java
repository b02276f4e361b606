package io.cairn.vixmntbridge.vmdk;

import io.cairn.vixmntbridge.VixException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A hosted sparse extent ({@code KDMV}): monolithicSparse, each file of twoGbMaxExtentSparse, a
 * snapshot delta, and streamOptimized (compressed grains behind grain markers); and an ESX Server
 * sparse extent ({@code COWD}, the data of ESXi's vmfsSparse {@code -delta.vmdk}), whose grain
 * directory and tables have the same layout ({@link CowdHeader}).
 *
 * <p>Lookup: grain {@code g} = sector / grainSize; its grain table is grain directory entry
 * {@code g / numGTEsPerGT}; its grain table entry (GTE) is the grain's sector in the file. GTE 0 is
 * unallocated (read through to the parent, or zeros); GTE 1 is a zeroed grain when the file allows
 * it; in a compressed file a GTE points at a grain marker ({@code uint64 lba, uint32 size}) followed
 * by zlib data.
 *
 * <p>Every grain table is validated once when it is decoded (each entry inside the file and past the
 * metadata), then cached; the cache is bounded and shared by all reader threads.
 */
final class SparseExtent implements Extent {
    /** Decoded grain tables kept per extent: 1024 tables of 512 entries = 2 MiB, 32 GiB of 64 KiB grains. */
    private static final int GT_CACHE_TABLES = 1024;
    /** Decompressed grains kept, for callers that read a compressed grain in several pieces. */
    private static final int GRAIN_CACHE = 8;

    private static final int MARKER_HEADER = 12;
    private static final int[] UNALLOCATED_TABLE = new int[0];

    private final ExtentFile file;
    private final SparseHeader header;
    private final long sectors;
    private final int grainShift;
    private final int grainSectors;
    private final int[] directory;
    private final boolean zeroGrains;
    private final boolean compressed;
    private final Map<Integer, int[]> tables = new LinkedHashMap<>(64, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, int[]> eldest) {
            return size() > GT_CACHE_TABLES;
        }
    };
    private final Map<Long, byte[]> grains = new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, byte[]> eldest) {
            return size() > GRAIN_CACHE;
        }
    };

    private SparseExtent(ExtentFile file, SparseHeader header, long sectors, int[] directory) {
        this.file = file;
        this.header = header;
        this.sectors = sectors;
        this.grainSectors = (int) header.grainSize;
        this.grainShift = Long.numberOfTrailingZeros(header.grainSize);
        this.directory = directory;
        this.zeroGrains = header.zeroGrains();
        this.compressed = header.compressed();
    }

    /** Reads the header of an already opened file. */
    static SparseHeader header(ExtentFile file) throws VixException {
        SparseHeader h = SparseHeader.read(file, 0, false);
        if (h.gdOffset == SparseHeader.GD_AT_END) {
            // streamOptimized written in one pass: the grain directory's place is only known at the end,
            // so the header is repeated as a footer: footer marker, footer header, end-of-stream marker.
            if (file.size() < 3L * SparseHeader.SECTOR) {
                throw SparseHeader.bad("'" + file.path() + "' is truncated: no room for the streamOptimized footer");
            }
            SparseHeader footer = SparseHeader.read(file, file.size() - 2L * SparseHeader.SECTOR, true);
            if (footer.grainSize != h.grainSize
                    || footer.capacity != h.capacity
                    || footer.numGTEsPerGT != h.numGTEsPerGT) {
                throw SparseHeader.bad("'" + file.path() + "' footer header does not match its first header");
            }
            return footer;
        }
        return h;
    }

    /**
     * Opens a sparse extent of {@code sectors} sectors over {@code file}, taking ownership of it (closed
     * on failure).
     */
    static SparseExtent open(ExtentFile file, long sectors) throws VixException {
        SparseHeader h;
        try {
            h = header(file);
        } catch (VixException | RuntimeException e) {
            try {
                file.close();
            } catch (VixException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        return open(file, h, sectors);
    }

    /**
     * Opens a sparse extent whose header was read already ({@code h}: a hosted header, or the grain
     * layout of a COWD one), taking ownership of {@code file} (closed on failure).
     */
    static SparseExtent open(ExtentFile file, SparseHeader h, long sectors) throws VixException {
        try {
            String name = "'" + file.path() + "'";
            if (h.capacity < sectors) {
                throw SparseHeader.bad(name + " holds " + h.capacity + " sectors but its extent line says " + sectors);
            }
            long grainCount = (h.capacity + h.grainSize - 1) / h.grainSize;
            long gdEntries = (grainCount + h.numGTEsPerGT - 1) / h.numGTEsPerGT;
            // The directory must fit in the file: this also bounds what a damaged header makes us allocate.
            // (Offsets are compared in sectors first, so a damaged 64-bit field cannot overflow.)
            long gdAt = h.gdOffset > 0 && h.gdOffset <= file.size() / SparseHeader.SECTOR
                    ? h.gdOffset * SparseHeader.SECTOR
                    : -1;
            if (gdAt <= 0
                    || gdEntries * 4 > Math.min(file.size(), Integer.MAX_VALUE - 8)
                    || gdAt > file.size() - gdEntries * 4) {
                throw SparseHeader.bad(name + " grain directory (" + gdEntries + " entries at sector " + h.gdOffset
                        + ") lies past the end of the file (" + file.size() + " bytes)");
            }
            ByteBuffer gd =
                    ByteBuffer.wrap(file.read(gdAt, (int) (gdEntries * 4))).order(ByteOrder.LITTLE_ENDIAN);
            int[] dir = new int[(int) gdEntries];
            for (int i = 0; i < dir.length; i++) {
                dir[i] = gd.getInt();
            }
            return new SparseExtent(file, h, sectors, dir);
        } catch (VixException | RuntimeException e) {
            try {
                file.close();
            } catch (VixException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    @Override
    public long sectors() {
        return sectors;
    }

    @Override
    public long readRun(long sector, int max, byte[] buf, int off) throws VixException {
        long grain = sector >>> grainShift;
        int inGrain = (int) (sector & (grainSectors - 1));
        long gte = entry(grain);
        int done = Math.min(max, grainSectors - inGrain);
        if (compressed && gte > 1) {
            byte[] data = grainData(grain, gte);
            System.arraycopy(data, inGrain * SparseHeader.SECTOR, buf, off, done * SparseHeader.SECTOR);
            return done;
        }
        // Extend the run over following grains of the same kind: unallocated, zeroed, or stored
        // back to back in the file (what a sequential writer produces), so one call is one read.
        long next = grain + 1;
        while (done < max) {
            long e = entry(next);
            boolean same = gte <= 1 ? e == gte : e == gte + (next - grain) * grainSectors;
            if (!same) {
                break;
            }
            done += Math.min(max - done, grainSectors);
            next++;
        }
        if (gte == 0) {
            return -done;
        }
        if (gte == 1) {
            Arrays.fill(buf, off, off + done * SparseHeader.SECTOR, (byte) 0);
            return done;
        }
        file.readFully((gte + inGrain) * SparseHeader.SECTOR, buf, off, done * SparseHeader.SECTOR);
        return done;
    }

    @Override
    public void allocated(long start, long end, RangeSink sink) throws VixException {
        Runs runs = new Runs(sink);
        long perTable = (long) header.numGTEsPerGT;
        long g = start >>> grainShift;
        long lastGrain = (end - 1) >>> grainShift;
        while (end > start && g <= lastGrain) {
            int[] table = table(g / perTable);
            if (table == UNALLOCATED_TABLE) {
                g = (g / perTable + 1) * perTable;
                continue;
            }
            long gte = Integer.toUnsignedLong(table[(int) (g % perTable)]);
            // zeroed grains read as zeros: they hold no data
            if (gte > 1) {
                long s = Math.max(start, g << grainShift);
                long e = Math.min(end, (g + 1) << grainShift);
                runs.add(s, e);
            }
            g++;
        }
        runs.flush();
    }

    /** The GTE of {@code grain}, as an unsigned sector number, already validated. */
    private long entry(long grain) throws VixException {
        if (grain << grainShift >= sectors) {
            return -2; // past the extent: never equal to a real entry, ends any run
        }
        long perTable = header.numGTEsPerGT;
        int[] table = table(grain / perTable);
        return table == UNALLOCATED_TABLE ? 0 : Integer.toUnsignedLong(table[(int) (grain % perTable)]);
    }

    private int[] table(long index) throws VixException {
        if (index >= directory.length) {
            throw SparseHeader.bad("'" + file.path() + "' has no grain directory entry " + index);
        }
        int key = (int) index;
        synchronized (tables) {
            int[] t = tables.get(key);
            if (t != null) {
                return t;
            }
        }
        int[] t = loadTable(key);
        synchronized (tables) {
            tables.put(key, t);
        }
        return t;
    }

    private int[] loadTable(int index) throws VixException {
        long gde = Integer.toUnsignedLong(directory[index]);
        if (gde == 0) {
            return UNALLOCATED_TABLE;
        }
        int n = header.numGTEsPerGT;
        long at = gde * SparseHeader.SECTOR;
        if (gde < 1 || at > file.size() - 4L * n) {
            throw SparseHeader.bad("'" + file.path() + "' grain directory entry " + index + " points to sector " + gde
                    + ", past the end of the file (" + file.size() + " bytes)");
        }
        ByteBuffer b = ByteBuffer.wrap(file.read(at, 4 * n)).order(ByteOrder.LITTLE_ENDIAN);
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = b.getInt();
            long gte = Integer.toUnsignedLong(t[i]);
            if (gte == 0 || (gte == 1 && zeroGrains)) {
                continue;
            }
            long grain = (long) index * n + i;
            long first = grain << grainShift;
            if (first >= header.capacity) {
                continue; // entries past the capacity are never read
            }
            long need =
                    compressed ? MARKER_HEADER : Math.min(grainSectors, header.capacity - first) * SparseHeader.SECTOR;
            // A grain inside the header/metadata area, or running past the end, is damage.
            if (gte < Math.max(1, header.overHead) || gte * SparseHeader.SECTOR > file.size() - need) {
                throw SparseHeader.bad("'" + file.path() + "' grain table " + index + " entry " + i + " (disk sector "
                        + first + ") points to sector " + gte + ", outside the data area of the file ("
                        + file.size() + " bytes, metadata " + header.overHead + " sectors)");
            }
        }
        return t;
    }

    /** Decompresses a whole grain of a streamOptimized extent. */
    private byte[] grainData(long grain, long gte) throws VixException {
        synchronized (grains) {
            byte[] g = grains.get(grain);
            if (g != null) {
                return g;
            }
        }
        String where = "'" + file.path() + "' compressed grain at sector " + gte + " (disk sector "
                + (grain << grainShift) + ")";
        long at = gte * SparseHeader.SECTOR;
        ByteBuffer marker = ByteBuffer.wrap(file.read(at, MARKER_HEADER)).order(ByteOrder.LITTLE_ENDIAN);
        long lba = marker.getLong(0);
        long size = Integer.toUnsignedLong(marker.getInt(8));
        long grainBytes = (long) grainSectors * SparseHeader.SECTOR;
        if (lba != grain << grainShift) {
            throw SparseHeader.bad(where + ": its marker says disk sector " + lba);
        }
        // Incompressible data deflates to a little more than the grain; twice the grain is absurd.
        if (size == 0 || size > 2 * grainBytes + 1024 || at + MARKER_HEADER > file.size() - size) {
            throw SparseHeader.bad(where + ": compressed size " + size + " is absurd or runs past the end of the file ("
                    + file.size() + " bytes)");
        }
        byte[] packed = file.read(at + MARKER_HEADER, (int) size);
        byte[] out = new byte[(int) grainBytes];
        long need = Math.min(grainSectors, header.capacity - (grain << grainShift)) * SparseHeader.SECTOR;
        Inflater inflater = new Inflater(); // zlib framing, as qemu-img and VMware write it
        try {
            inflater.setInput(packed);
            int n = 0;
            while (n < out.length && !inflater.finished()) {
                int k = inflater.inflate(out, n, out.length - n);
                if (k == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    break;
                }
                n += k;
            }
            if (n < need) {
                throw SparseHeader.bad(where + ": inflates to " + n + " bytes, expected " + need);
            }
        } catch (DataFormatException e) {
            throw new VixException(VixException.VIX_E_DISK_INVAL, where + ": bad deflate data: " + e.getMessage(), e);
        } finally {
            inflater.end();
        }
        synchronized (grains) {
            grains.put(grain, out);
        }
        return out;
    }

    @Override
    public void close() throws VixException {
        file.close();
    }
}
