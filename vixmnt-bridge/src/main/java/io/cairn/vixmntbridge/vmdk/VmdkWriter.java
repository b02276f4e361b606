package io.cairn.vixmntbridge.vmdk;

import io.cairn.vixmntbridge.VixException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Creates a new disk file in one of the formats {@code vmkfstools -i -d} offers and fills it front to
 * back: the writer behind a restore, which reads the backup in disk order.
 *
 * <ul>
 *   <li><b>Order</b>: {@link #write} calls must come in increasing offset order, each starting at or
 *       after the end of the previous one; gaps read as zeros. An offset below the previous write's end
 *       is an {@link IllegalStateException}. Offsets and lengths need not be sector-aligned.</li>
 *   <li><b>Thin</b>: 64 KiB blocks (one grain) of zeros are never stored: no grain in the sparse and
 *       stream formats, a file hole in RAW and flat extents (there zero runs of 4 KiB are holes).</li>
 *   <li><b>Metadata</b>: the disk database ({@code ddb.*}, keys as VixDiskLib names them, without the
 *       prefix) goes into the descriptor when the file is created, before any data, VMware's rule for
 *       re-created disks. Missing keys get qemu-img's defaults (see {@link #diskDatabase}). A RAW image
 *       has no descriptor and keeps no metadata.</li>
 *   <li><b>Failure</b>: a writer that failed once is broken for good; later calls throw, and
 *       {@link #close} then only releases the files, which are left unfinished.</li>
 * </ul>
 *
 * <p>Layouts follow VMware's <a href="https://www.vmware.com/support/developer/vddk/vmdk_50_technote.pdf">Virtual
 * Disk Format 5.0</a> note and what qemu-img 7.2 reads and writes; see {@link SparseExtentWriter} and
 * {@link StreamExtentWriter}. Not thread-safe: one restore thread writes.
 */
public final class VmdkWriter implements AutoCloseable {
    /** Grain size: 128 sectors. Persisted: never change. */
    static final int GRAIN_SECTORS = 128;

    static final int BLOCK = GRAIN_SECTORS * SparseHeader.SECTOR;
    /** Grain table entries per grain table. Persisted: never change. */
    static final int GTES_PER_GT = 512;
    /** Extent size of twoGbMaxExtentSparse as VMware Workstation writes it: 2047 MiB, a whole number of grains. */
    static final long SPLIT_EXTENT_SECTORS = 4192256;
    /** qemu-img's default {@code ddb.virtualHWVersion}. */
    static final String DEFAULT_HW_VERSION = "4";

    static final String DEFAULT_ADAPTER = "lsilogic";
    /** qemu-img's default {@code ddb.toolsVersion}: "unknown tools". */
    static final String DEFAULT_TOOLS_VERSION = "2147483647";

    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9_\\-][A-Za-z0-9_.\\-]*");
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Output formats, named as {@code vmkfstools -d} and cairn's CLI name them. */
    public enum Format {
        /** A plain image: no descriptor, no metadata. */
        RAW("raw", null),
        /** Descriptor {@code <name>.vmdk} + data {@code <name>-flat.vmdk}. */
        MONOLITHIC_FLAT("vmdk-flat", "monolithicFlat"),
        /** One hosted sparse file with the descriptor embedded. */
        MONOLITHIC_SPARSE("vmdk-sparse", "monolithicSparse"),
        /** One compressed sparse file for streaming (OVF/OVA). */
        STREAM_OPTIMIZED("vmdk-stream", "streamOptimized"),
        /** Descriptor {@code <name>.vmdk} + sparse extents {@code <name>-s001.vmdk}… of 2047 MiB. */
        TWO_GB_SPARSE("vmdk-2gbsparse", "twoGbMaxExtentSparse");

        private final String cliName;
        private final String createType;

        Format(String cliName, String createType) {
            this.cliName = cliName;
            this.createType = createType;
        }

        public String cliName() {
            return cliName;
        }

        /** The descriptor's {@code createType}; null for RAW. */
        public String createType() {
            return createType;
        }

        public static Format fromCliName(String name) {
            for (Format f : values()) {
                if (f.cliName.equalsIgnoreCase(name)) {
                    return f;
                }
            }
            throw new IllegalArgumentException("unknown disk format '" + name + "'; known: "
                    + Arrays.stream(values()).map(Format::cliName).toList());
        }
    }

    private final Path path;
    private final Format format;
    private final long capacity;
    private final List<Path> files;
    private final ExtentWriter[] extents;
    private final long blocksPerExtent;
    private final byte[] block = new byte[BLOCK];
    private long blockIndex = -1;
    private boolean blockDirty;
    private long end;
    private boolean broken;
    private boolean closed;

    private VmdkWriter(
            Path path, Format format, long capacity, List<Path> files, ExtentWriter[] extents, long blocksPerExtent) {
        this.path = path;
        this.format = format;
        this.capacity = capacity;
        this.files = List.copyOf(files);
        this.extents = extents;
        this.blocksPerExtent = blocksPerExtent;
    }

    /**
     * Creates {@code path} (and, for flat and split formats, its extent files next to it, named after
     * it) with the descriptor and metadata in place; no file may exist yet. On failure the files this
     * call created are removed again.
     *
     * @param capacityBytes the disk size, a multiple of 512
     * @param metadata disk database keys without {@code ddb.} ({@code adapterType}, {@code uuid}, …);
     *     values must not contain quotes or line breaks
     * @throws IllegalArgumentException for a bad capacity, key or value
     * @throws VixException if a file exists already or cannot be written
     */
    public static VmdkWriter create(Path path, Format format, long capacityBytes, Map<String, String> metadata)
            throws VixException {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(format, "format");
        if (capacityBytes <= 0 || capacityBytes % SparseHeader.SECTOR != 0) {
            throw new IllegalArgumentException(
                    "disk capacity " + capacityBytes + " is not a positive multiple of 512 bytes");
        }
        long sectors = capacityBytes / SparseHeader.SECTOR;
        if (sectors > SparseHeader.MAX_CAPACITY) {
            throw new IllegalArgumentException("disk capacity " + capacityBytes + " is larger than a VMDK can be");
        }
        Map<String, String> ddb = diskDatabase(metadata == null ? Map.of() : metadata, capacityBytes);
        String name = path.getFileName().toString();
        String stem = name.toLowerCase(Locale.ROOT).endsWith(".vmdk") ? name.substring(0, name.length() - 5) : name;
        Path dir = path.toAbsolutePath().getParent();
        long cid = cid();
        List<Path> files = new ArrayList<>();
        List<ExtentWriter> open = new ArrayList<>();
        long blocksPerExtent = Long.MAX_VALUE;
        try {
            switch (format) {
                case RAW -> {
                    open.add(new FlatExtentWriter(path, capacityBytes));
                    files.add(path);
                }
                case MONOLITHIC_FLAT -> {
                    String data = stem + "-flat.vmdk";
                    List<Descriptor.ExtentLine> lines = List.of(line(sectors, Descriptor.ExtentType.FLAT, data));
                    writeDescriptor(path, Descriptor.render(cid, format.createType, lines, ddb));
                    files.add(path);
                    open.add(new FlatExtentWriter(dir.resolve(data), capacityBytes));
                    files.add(dir.resolve(data));
                }
                case MONOLITHIC_SPARSE, STREAM_OPTIMIZED -> {
                    // The extent line names the file itself; readers use the file they opened.
                    List<Descriptor.ExtentLine> lines = List.of(line(sectors, Descriptor.ExtentType.SPARSE, name));
                    String text = Descriptor.render(cid, format.createType, lines, ddb);
                    open.add(
                            format == Format.STREAM_OPTIMIZED
                                    ? new StreamExtentWriter(path, sectors, text)
                                    : new SparseExtentWriter(path, sectors, text));
                    files.add(path);
                }
                case TWO_GB_SPARSE -> {
                    List<Descriptor.ExtentLine> lines = new ArrayList<>();
                    for (long s = 0, i = 1; s < sectors; s += SPLIT_EXTENT_SECTORS, i++) {
                        String file = String.format(Locale.ROOT, "%s-s%03d.vmdk", stem, i);
                        lines.add(
                                line(Math.min(SPLIT_EXTENT_SECTORS, sectors - s), Descriptor.ExtentType.SPARSE, file));
                    }
                    writeDescriptor(path, Descriptor.render(cid, format.createType, lines, ddb));
                    files.add(path);
                    for (Descriptor.ExtentLine l : lines) {
                        open.add(new SparseExtentWriter(dir.resolve(l.file()), l.sectors(), null));
                        files.add(dir.resolve(l.file()));
                    }
                    blocksPerExtent = SPLIT_EXTENT_SECTORS / GRAIN_SECTORS;
                }
                default -> throw new IllegalArgumentException(format.toString());
            }
        } catch (IOException | RuntimeException e) {
            for (ExtentWriter w : open) {
                w.abort();
            }
            // Only files this call created are in the list: a file that existed before is never touched.
            for (Path p : files) {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            if (e instanceof RuntimeException r) {
                throw r;
            }
            throw ioError("creating " + format.cliName + " disk '" + path + "' failed", (IOException) e);
        }
        return new VmdkWriter(path, format, capacityBytes, files, open.toArray(new ExtentWriter[0]), blocksPerExtent);
    }

    /**
     * The descriptor's disk database: {@code metadata} with the {@code ddb.} prefix, after qemu-img's
     * keys in qemu-img's order. Defaults when absent: {@code virtualHWVersion} 4 and {@code toolsVersion}
     * 2147483647 (qemu-img's), {@code adapterType} lsilogic, and a geometry computed as qemu-img does:
     * 63 sectors, 16 heads for IDE and 255 otherwise, cylinders = capacity / (heads × 63 × 512), at
     * most 65535.
     */
    static Map<String, String> diskDatabase(Map<String, String> metadata, long capacityBytes) {
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            String k = e.getKey();
            String v = e.getValue();
            if (k == null || !KEY.matcher(k).matches() || k.startsWith("ddb.")) {
                throw new IllegalArgumentException("metadata key '" + k + "' is not a disk database key"
                        + " (letters, digits, '.', '_', '-'; without the 'ddb.' prefix)");
            }
            if (v == null
                    || v.indexOf('"') >= 0
                    || v.indexOf('\n') >= 0
                    || v.indexOf('\r') >= 0
                    || v.indexOf('\0') >= 0) {
                throw new IllegalArgumentException(
                        "metadata key '" + k + "' has a value a descriptor cannot hold: '" + v + "'");
            }
        }
        String adapter = metadata.getOrDefault("adapterType", DEFAULT_ADAPTER);
        int heads = "ide".equalsIgnoreCase(adapter.trim()) ? 16 : 255;
        long cylinders = Math.min(capacityBytes / ((long) heads * 63 * SparseHeader.SECTOR), 65535);
        Map<String, String> d = new LinkedHashMap<>();
        d.put("virtualHWVersion", metadata.getOrDefault("virtualHWVersion", DEFAULT_HW_VERSION));
        d.put("geometry.cylinders", metadata.getOrDefault("geometry.cylinders", Long.toString(cylinders)));
        d.put("geometry.heads", metadata.getOrDefault("geometry.heads", Integer.toString(heads)));
        d.put("geometry.sectors", metadata.getOrDefault("geometry.sectors", "63"));
        d.put("adapterType", adapter);
        d.put("toolsVersion", metadata.getOrDefault("toolsVersion", DEFAULT_TOOLS_VERSION));
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            d.putIfAbsent(e.getKey(), e.getValue());
        }
        Map<String, String> prefixed = new LinkedHashMap<>();
        d.forEach((k, v) -> prefixed.put("ddb." + k, v));
        return prefixed;
    }

    /**
     * The descriptor of a monolithicFlat disk whose single flat extent {@code flatFileName} (in the
     * descriptor's directory) holds the {@code capacityBytes} raw bytes: what a mount shows next to
     * a disk's bytes so that VMware tools and qemu-img open it as a VMDK. {@code metadata} as for
     * {@link #create}; {@code cid} is given so the text stays the same for the same disk.
     */
    public static String flatDescriptor(
            String flatFileName, long capacityBytes, Map<String, String> metadata, long cid) {
        if (capacityBytes <= 0 || capacityBytes % SparseHeader.SECTOR != 0) {
            throw new IllegalArgumentException(
                    "disk capacity " + capacityBytes + " is not a positive multiple of 512 bytes");
        }
        if (flatFileName.indexOf('"') >= 0 || flatFileName.indexOf('/') >= 0 || flatFileName.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("extent file name '" + flatFileName + "' cannot go into a descriptor");
        }
        long c = (cid & 0xffffffffL) == Descriptor.NO_PARENT ? 0xfffffffeL : cid & 0xffffffffL;
        Map<String, String> ddb = diskDatabase(metadata == null ? Map.of() : metadata, capacityBytes);
        return Descriptor.render(
                c,
                Format.MONOLITHIC_FLAT.createType,
                List.of(line(capacityBytes / SparseHeader.SECTOR, Descriptor.ExtentType.FLAT, flatFileName)),
                ddb);
    }

    /** A random content id; never ffffffff, which means "no parent" in a parentCID. */
    private static long cid() {
        long c;
        do {
            c = Integer.toUnsignedLong(RANDOM.nextInt());
        } while (c == Descriptor.NO_PARENT);
        return c;
    }

    private static Descriptor.ExtentLine line(long sectors, Descriptor.ExtentType type, String file) {
        return new Descriptor.ExtentLine("RW", sectors, type, type.name(), file, 0, 0);
    }

    private static void writeDescriptor(Path path, String text) throws IOException {
        boolean done = false;
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            try {
                writeFully(ch, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), 0);
                ch.force(true);
                done = true;
            } finally {
                if (!done) {
                    Files.deleteIfExists(path);
                }
            }
        }
    }

    static RandomAccessFile createNew(Path path) throws IOException {
        Files.createFile(path);
        return new RandomAccessFile(path.toFile(), "rw");
    }

    static void writeFully(FileChannel ch, ByteBuffer b, long at) throws IOException {
        while (b.hasRemaining()) {
            at += ch.write(b, at);
        }
    }

    /** The descriptor file, or the single file of RAW, sparse and stream formats. */
    public Path path() {
        return path;
    }

    public Format format() {
        return format;
    }

    public long capacityBytes() {
        return capacity;
    }

    /** Every file this disk consists of, the descriptor (or only file) first. */
    public List<Path> files() {
        return files;
    }

    /**
     * Writes {@code len} bytes of {@code data} from {@code off} at disk offset {@code offset}, which must
     * not be below the end of the previous write.
     *
     * @throws IllegalStateException for an out-of-order write, or after close or a failure
     * @throws IllegalArgumentException for a range past the capacity
     * @throws VixException if the file cannot be written (the writer is then broken)
     */
    public void write(long offset, byte[] data, int off, int len) throws VixException {
        checkUsable();
        Objects.checkFromIndexSize(off, len, data.length);
        if (offset < 0 || offset > capacity - len) {
            throw new IllegalArgumentException("write of " + len + " bytes at offset " + offset
                    + " is past the end of '" + path + "' (" + capacity + " bytes)");
        }
        if (offset < end) {
            throw new IllegalStateException("write at offset " + offset + " to '" + path + "' is below the end of the"
                    + " previous write (" + end + "): writes must come in increasing offset order");
        }
        try {
            while (len > 0) {
                long b = offset / BLOCK;
                int in = (int) (offset % BLOCK);
                int n = Math.min(len, BLOCK - in);
                if (b != blockIndex) {
                    flushBlock();
                    blockIndex = b;
                }
                if (n == BLOCK) {
                    store(b, data, off); // a whole aligned block: no copy
                } else {
                    System.arraycopy(data, off, block, in, n);
                    blockDirty = true;
                }
                offset += n;
                off += n;
                len -= n;
            }
            end = offset;
        } catch (IOException | RuntimeException e) {
            broken = true;
            if (e instanceof RuntimeException r) {
                throw r;
            }
            throw ioError("writing '" + path + "' at offset " + offset + " failed", (IOException) e);
        }
    }

    private void flushBlock() throws IOException {
        if (blockDirty) {
            store(blockIndex, block, 0);
            Arrays.fill(block, (byte) 0);
            blockDirty = false;
        }
    }

    private void store(long b, byte[] buf, int off) throws IOException {
        if (FlatExtentWriter.isZero(buf, off, BLOCK)) {
            return;
        }
        extents[(int) (b / blocksPerExtent)].block(b % blocksPerExtent, buf, off);
    }

    private void checkUsable() {
        if (closed) {
            throw new IllegalStateException("'" + path + "' is closed");
        }
        if (broken) {
            throw new IllegalStateException("writer of '" + path + "' failed before and is unusable");
        }
    }

    /**
     * Finishes the disk: the last grain, the grain tables and directory (and for streamOptimized the
     * footer and end-of-stream marker), the final length of flat files; forces every file to disk.
     * After a failure it only closes the files.
     */
    @Override
    public void close() throws VixException {
        if (closed) {
            return;
        }
        closed = true;
        if (broken) {
            for (ExtentWriter w : extents) {
                w.abort();
            }
            return;
        }
        int i = 0;
        try {
            flushBlock();
            for (; i < extents.length; i++) {
                extents[i].finish();
            }
        } catch (IOException | RuntimeException e) {
            broken = true;
            for (int j = i + 1; j < extents.length; j++) {
                extents[j].abort();
            }
            if (i < extents.length) {
                extents[i].abort();
            }
            if (e instanceof RuntimeException r) {
                throw r;
            }
            throw ioError("finishing '" + (i < extents.length ? extents[i] : path) + "' failed", (IOException) e);
        }
    }

    private static VixException ioError(String what, IOException e) {
        if (e instanceof VixException v) {
            return v;
        }
        if (e instanceof FileAlreadyExistsException) {
            return new VixException(
                    VixException.VIX_E_FILE_ACCESS_ERROR, what + ": '" + e.getMessage() + "' exists already", e);
        }
        return new VixException(VixException.VIX_E_FILE_IO_ERROR, what + ": " + e, e);
    }

    @Override
    public String toString() {
        return "VmdkWriter[" + format.cliName + " " + path + "]";
    }
}
