package io.cairn.vixmntbridge.vmdk;

import io.cairn.vixmntbridge.VixException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A space-efficient sparse extent ({@code SESPARSE}), the data file of an ESXi {@code seSparse}
 * snapshot ({@code -sesparse.vmdk}), as VMFS 6 keeps every snapshot and VMFS 5 those of disks over
 * 2 TB. VMware has not published the format; its engineers described it with qemu's read-only
 * support ("vmdk: Add read-only support for seSparse snapshots", qemu 4.1, {@code block/vmdk.c}),
 * which this reader follows, including qemu's strictness about what it does not know.
 *
 * <p>Layout, all {@code uint64} little-endian, offsets and sizes in sectors:
 * <ul>
 *   <li>sector 0, the constant header: magic {@code 0xcafebabe}, version {@code 0x200000001},
 *       capacity, grain size (8: 4 KiB grains), grain table size (64: 4096 entries), flags (0),
 *       4 reserved (0), then offset and size of: the volatile header, the journal header, the
 *       journal, the grain directory, the grain tables, the free bitmap, the backmap, the grains;
 *       the rest zero;</li>
 *   <li>the volatile header: magic {@code 0xcafecafe}, free grain table number, next transaction
 *       sequence number, {@code replayJournal} (non-zero: the file was not closed cleanly and its
 *       journal would have to be replayed; refused);</li>
 *   <li>grain directory entries: 0 (no table: the grains read through to the parent), or
 *       {@code 0x10000000 << 32 | t}: grain table {@code t} at grain tables + t * 64;</li>
 *   <li>grain table entries, by their top nibble: 0 not in this link (the whole entry 0), 1 unmapped
 *       (SCSI UNMAP: reads zeros), 2 zeroed (reads zeros), 3 allocated: grain index
 *       {@code i = (e >> 48 & 0xfff) | (e & 0xffffffffffff) << 12}, the grain at grains + i * 8.</li>
 * </ul>
 *
 * <p>Hostile input: every header field is checked at open, every directory entry too, every table
 * entry when its table is first read (each grain inside the file), before anything is allocated
 * or read on their word. Decoded tables are cached (bounded), shared by all reader threads.
 *
 * <p>Persisted format constants: never change them.
 */
final class SeSparseExtent implements Extent {
    static final long CONST_MAGIC = 0xcafebabeL;
    static final long VOLATILE_MAGIC = 0xcafecafeL;
    static final long VERSION = 0x0000000200000001L;
    static final int GRAIN_SECTORS = 8;
    static final int GT_SECTORS = 64;
    static final int GTES_PER_GT = GT_SECTORS * SparseHeader.SECTOR / 8;
    static final long GDE_ALLOCATED = 0x1000000000000000L;
    /** The format's limit, "slightly less than 64 TB": bounds the directory a header can make us read (32 MiB). */
    static final long MAX_CAPACITY = 1L << 37;

    private static final int SECTOR = SparseHeader.SECTOR;
    /** 1024 tables of 4096 entries = 32 MiB of entries, 64 GiB of 4 KiB grains. */
    private static final int GT_CACHE_TABLES = 1024;

    private static final long UNALLOCATED = -1;
    private static final long ZEROED = -2;
    /** Past the extent: never equal to a real entry, ends any run. */
    private static final long PAST_END = -3;

    private static final long[] NO_TABLE = new long[0];

    private final ExtentFile file;
    private final long sectors;
    private final long capacity;
    private final long[] directory;
    private final long tablesAt;
    private final long grainsAt;
    private final long grainsSectors;
    private final Map<Integer, long[]> tables = new LinkedHashMap<>(64, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, long[]> eldest) {
            return size() > GT_CACHE_TABLES;
        }
    };

    private SeSparseExtent(
            ExtentFile file,
            long sectors,
            long capacity,
            long[] directory,
            long tablesAt,
            long grainsAt,
            long grainsSectors) {
        this.file = file;
        this.sectors = sectors;
        this.capacity = capacity;
        this.directory = directory;
        this.tablesAt = tablesAt;
        this.grainsAt = grainsAt;
        this.grainsSectors = grainsSectors;
    }

    /** Whether {@code first} (the file's first bytes) starts with the constant header's magic. */
    static boolean hasMagic(byte[] first, int len) {
        return len >= 8 && ByteBuffer.wrap(first).order(ByteOrder.LITTLE_ENDIAN).getLong(0) == CONST_MAGIC;
    }

    /** Opens the extent of {@code sectors} sectors over {@code file}, taking ownership of it (closed on failure). */
    static SeSparseExtent open(ExtentFile file, long sectors) throws VixException {
        try {
            return openChecked(file, sectors);
        } catch (VixException | RuntimeException e) {
            try {
                file.close();
            } catch (VixException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private static SeSparseExtent openChecked(ExtentFile file, long sectors) throws VixException {
        String where = "'" + file.path() + "' (seSparse extent)";
        long fileSectors = file.size() / SECTOR;
        if (fileSectors < 2) {
            throw SparseHeader.bad(where + " is truncated: " + file.size() + " bytes, too short for its headers");
        }
        ByteBuffer h = ByteBuffer.wrap(file.read(0, SECTOR)).order(ByteOrder.LITTLE_ENDIAN);
        long magic = h.getLong(0);
        if (magic != CONST_MAGIC) {
            throw SparseHeader.bad(where + " has wrong magic 0x" + Long.toHexString(magic) + ", expected 0xcafebabe");
        }
        long version = h.getLong(8);
        if (version != VERSION) {
            throw SparseHeader.unsupported(
                    where + " has version 0x" + Long.toHexString(version) + "; only 0x200000001 is supported");
        }
        long capacity = h.getLong(16);
        if (capacity <= 0 || capacity > MAX_CAPACITY || capacity < sectors) {
            throw SparseHeader.bad(where + " holds " + capacity + " sectors but its extent line says " + sectors);
        }
        if (h.getLong(24) != GRAIN_SECTORS || h.getLong(32) != GT_SECTORS) {
            throw SparseHeader.unsupported(where + " has grains of " + h.getLong(24) + " sectors and grain tables of "
                    + h.getLong(32) + "; only " + GRAIN_SECTORS + " and " + GT_SECTORS + " are supported");
        }
        if (h.getLong(40) != 0) {
            throw SparseHeader.unsupported(where + " has flags 0x" + Long.toHexString(h.getLong(40)) + "; none known");
        }
        for (int at = 48; at < 80; at += 8) {
            if (h.getLong(at) != 0) {
                throw SparseHeader.unsupported(where + " has non-zero reserved header fields");
            }
        }
        for (int at = 208; at < SECTOR; at++) {
            if (h.get(at) != 0) {
                throw SparseHeader.unsupported(where + " has a non-zero header padding byte at " + at);
            }
        }
        long[] volatileHeader = region(h, 80, "volatile header", fileSectors, where);
        long[] gd = region(h, 80 + 3 * 16, "grain directory", fileSectors, where);
        long[] gts = region(h, 80 + 4 * 16, "grain tables", fileSectors, where);
        long grainsAt = h.getLong(80 + 7 * 16);
        long grainsSectors = h.getLong(80 + 7 * 16 + 8);
        if (grainsAt <= 0 || grainsAt > fileSectors || grainsSectors < 0 || grainsSectors > SparseHeader.MAX_CAPACITY) {
            throw SparseHeader.bad(where + " has its grains at sector " + grainsAt + " (" + grainsSectors
                    + " sectors), outside the file (" + fileSectors + " sectors)");
        }
        if (volatileHeader[1] < 1) {
            throw SparseHeader.bad(where + " has an empty volatile header region");
        }
        ByteBuffer v =
                ByteBuffer.wrap(file.read(volatileHeader[0] * SECTOR, SECTOR)).order(ByteOrder.LITTLE_ENDIAN);
        if (v.getLong(0) != VOLATILE_MAGIC) {
            throw SparseHeader.bad(where + " has wrong volatile header magic 0x" + Long.toHexString(v.getLong(0))
                    + ", expected 0xcafecafe");
        }
        if (v.getLong(24) != 0) {
            throw SparseHeader.unsupported(where + " was not closed cleanly: its journal must be replayed first"
                    + " (consolidate or power the VM on and off on ESXi)");
        }
        long perTable = (long) GRAIN_SECTORS * GTES_PER_GT;
        long needed = (capacity + perTable - 1) / perTable;
        if (gd[1] * SECTOR / 8 < needed) {
            throw SparseHeader.bad(where + " grain directory has " + gd[1] * SECTOR / 8 + " entries; " + capacity
                    + " sectors need " + needed);
        }
        long maxTables = gts[1] / GT_SECTORS;
        ByteBuffer d =
                ByteBuffer.wrap(file.read(gd[0] * SECTOR, (int) (needed * 8))).order(ByteOrder.LITTLE_ENDIAN);
        long[] directory = new long[(int) needed];
        for (int i = 0; i < directory.length; i++) {
            long e = d.getLong();
            if (e == 0) {
                directory[i] = -1;
                continue;
            }
            long t = e & 0xffffffffL;
            if ((e & 0xffffffff00000000L) != GDE_ALLOCATED || t >= maxTables) {
                throw SparseHeader.bad(where + " grain directory entry " + i + " is 0x" + Long.toHexString(e)
                        + ": not a table among the " + maxTables + " the file has room for");
            }
            directory[i] = t;
        }
        return new SeSparseExtent(file, sectors, capacity, directory, gts[0], grainsAt, grainsSectors);
    }

    /** The (offset, size) pair at {@code at} of the header, checked to lie inside the file. */
    private static long[] region(ByteBuffer h, int at, String what, long fileSectors, String where)
            throws VixException {
        long offset = h.getLong(at);
        long size = h.getLong(at + 8);
        // compared one by one so that no damaged 64-bit value can overflow the sum
        if (offset <= 0 || size < 0 || offset > fileSectors || size > fileSectors - offset) {
            throw SparseHeader.bad(where + " has its " + what + " at sector " + offset + " (" + size
                    + " sectors), outside the file (" + fileSectors + " sectors)");
        }
        return new long[] {offset, size};
    }

    @Override
    public long sectors() {
        return sectors;
    }

    @Override
    public long readRun(long sector, int max, byte[] buf, int off) throws VixException {
        long grain = sector / GRAIN_SECTORS;
        int inGrain = (int) (sector % GRAIN_SECTORS);
        long e = entry(grain);
        int done = Math.min(max, GRAIN_SECTORS - inGrain);
        // one call covers following grains of the same kind: unallocated, zero, or stored in order
        long next = grain + 1;
        while (done < max) {
            long f = entry(next);
            boolean same = e < 0 ? f == e : f == e + (next - grain) * GRAIN_SECTORS;
            if (!same) {
                break;
            }
            done += Math.min(max - done, GRAIN_SECTORS);
            next++;
        }
        if (e == UNALLOCATED) {
            return -done;
        }
        if (e == ZEROED) {
            Arrays.fill(buf, off, off + done * SECTOR, (byte) 0);
            return done;
        }
        file.readFully((e + inGrain) * SECTOR, buf, off, done * SECTOR);
        return done;
    }

    @Override
    public void allocated(long start, long end, RangeSink sink) throws VixException {
        Runs runs = new Runs(sink);
        for (long g = start / GRAIN_SECTORS; end > start && g <= (end - 1) / GRAIN_SECTORS; g++) {
            long t = g / GTES_PER_GT;
            if (t < directory.length && directory[(int) t] < 0) {
                g = (t + 1) * GTES_PER_GT - 1; // no table: nothing here
                continue;
            }
            if (entry(g) >= 0) {
                long s = Math.max(start, g * GRAIN_SECTORS);
                long e = Math.min(end, (g + 1) * GRAIN_SECTORS);
                runs.add(s, e);
            }
        }
        runs.flush();
    }

    /** The file sector of {@code grain}, or {@link #UNALLOCATED}, {@link #ZEROED}, {@link #PAST_END}. */
    private long entry(long grain) throws VixException {
        if (grain * GRAIN_SECTORS >= sectors) {
            return PAST_END;
        }
        long[] table = table(grain / GTES_PER_GT);
        return table == NO_TABLE ? UNALLOCATED : table[(int) (grain % GTES_PER_GT)];
    }

    private long[] table(long index) throws VixException {
        if (index >= directory.length) {
            throw SparseHeader.bad("'" + file.path() + "' has no grain directory entry " + index);
        }
        if (directory[(int) index] < 0) {
            return NO_TABLE;
        }
        int key = (int) index;
        synchronized (tables) {
            long[] t = tables.get(key);
            if (t != null) {
                return t;
            }
        }
        long[] t = loadTable(key);
        synchronized (tables) {
            tables.put(key, t);
        }
        return t;
    }

    /** Reads and checks table {@code index}, decoding each entry to a file sector or a kind. */
    private long[] loadTable(int index) throws VixException {
        long at = (tablesAt + directory[index] * GT_SECTORS) * SECTOR;
        if (at > file.size() - (long) GT_SECTORS * SECTOR) {
            throw SparseHeader.bad("'" + file.path() + "' grain table " + directory[index] + " lies past the end of the"
                    + " file (" + file.size() + " bytes)");
        }
        ByteBuffer b = ByteBuffer.wrap(file.read(at, GT_SECTORS * SECTOR)).order(ByteOrder.LITTLE_ENDIAN);
        long fileSectors = file.size() / SECTOR;
        long[] t = new long[GTES_PER_GT];
        for (int i = 0; i < t.length; i++) {
            long e = b.getLong();
            long grain = (long) index * GTES_PER_GT + i;
            int kind = (int) (e >>> 60);
            switch (kind) {
                case 0 -> {
                    if (e != 0) {
                        throw badEntry(index, i, e, "an unallocated entry with bits set");
                    }
                    t[i] = UNALLOCATED;
                }
                case 1, 2 -> t[i] = ZEROED; // unmapped or zeroed: reads zeros, not the parent
                case 3 -> {
                    long g = ((e >>> 48) & 0xfffL) | ((e & 0x0000ffffffffffffL) << 12);
                    // a grain past the capacity is never read; one inside must lie in the file
                    if (grain * GRAIN_SECTORS < capacity
                            && (g > grainsSectors / GRAIN_SECTORS - 1
                                    || g > (fileSectors - grainsAt) / GRAIN_SECTORS - 1)) {
                        throw badEntry(index, i, e, "grain " + g + " outside the grains in the file");
                    }
                    t[i] = grainsAt + g * GRAIN_SECTORS;
                }
                default -> throw badEntry(index, i, e, "an unknown kind of entry");
            }
        }
        return t;
    }

    private VixException badEntry(int table, int i, long e, String what) {
        return SparseHeader.bad("'" + file.path() + "' grain table " + directory[table] + " entry " + i
                + " (disk sector " + ((long) table * GTES_PER_GT + i) * GRAIN_SECTORS + ") is 0x" + Long.toHexString(e)
                + ": " + what);
    }

    @Override
    public void close() throws VixException {
        file.close();
    }
}
