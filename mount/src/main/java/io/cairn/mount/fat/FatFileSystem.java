package io.cairn.mount.fat;

import io.cairn.mount.image.Image;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.NotDirectoryException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A read-only FAT12/16/32 volume, read in userspace for the FUSE tree (the kernel here has no vfat
 * driver). Follows Microsoft's "FAT32 File System Specification" version 1.03 ({@code fatgen103});
 * each helper class names the sections it implements.
 *
 * <p>Errors: a damaged boot sector fails {@link #open}; a damaged cluster chain or directory fails
 * only the {@link #read} or {@link #list} of that file or directory, with a
 * {@link FatFormatException} naming it. No input makes a call loop forever or allocate more than
 * a bound set by the volume's cluster count.
 *
 * <p>Thread-safe: the only mutable state is caches (cluster chains, directory listings, FAT
 * blocks, the free-cluster count), each guarded by its own lock.
 */
public final class FatFileSystem {

    /** The spec caps a directory at 65536 entries of 32 bytes ("FAT Directory Structure"). */
    public static final int MAX_DIRECTORY_ENTRIES = 65536;
    /**
     * Cache bounds by weight, not count, so that hostile volumes (huge directories, shredded
     * chains) cannot fill the heap: about 1M chain runs (16 MiB) and 256K directory entries
     * (some 50 MiB) at most, however few of them that is. Each cached item also weighs
     * {@value #ITEM_OVERHEAD} for its own objects, which bounds the count of small ones.
     */
    private static final int ITEM_OVERHEAD = 16;

    private static final long CACHED_CHAIN_RUNS = 1 << 20;
    private static final long CACHED_DIRECTORY_ENTRIES = 1 << 18;
    /**
     * Cache key of the FAT12/16 fixed root directory. Not 0: a damaged subdirectory entry with
     * cluster 0 must fail, not alias the root.
     */
    private static final long FIXED_ROOT_KEY = -1;

    private final Image volume;
    private final BootSector boot;
    private final FatTable fat;
    private final FatEntry root;
    private final String label;
    /** firstCluster to ClusterChain, or to the FatFormatException that walking it threw. */
    private final Lru<Long, Object> chains = new Lru<>(
            CACHED_CHAIN_RUNS, c -> ITEM_OVERHEAD + (c instanceof ClusterChain ? ((ClusterChain) c).runs() : 0));

    private final Lru<Long, Directory> directories =
            new Lru<>(CACHED_DIRECTORY_ENTRIES, d -> ITEM_OVERHEAD + d.entries().size());
    private final Object freeLock = new Object();
    private long freeClusters = -1; // guarded by freeLock

    /** A listing and its case-insensitive index. */
    private record Directory(List<FatEntry> entries, Map<String, FatEntry> byKey) {}

    private FatFileSystem(Image volume, BootSector boot) throws IOException {
        this.volume = volume;
        this.boot = boot;
        this.fat = new FatTable(volume, boot);
        long rootCluster = boot.type == BootSector.Type.FAT32 ? boot.rootCluster : 0;
        this.root = new FatEntry("", true, 0, null, null, null, FatEntry.ATTR_DIRECTORY, rootCluster);
        DirectoryParser.Listing rootListing = readDirectory(root);
        directories.put(key(root), index(rootListing.entries()));
        this.label = rootListing.label() != null ? rootListing.label() : boot.bpbLabel;
    }

    /**
     * Opens the FAT volume whose boot sector is byte 0 of {@code volume}: validates the BPB, decides
     * the FAT type by cluster count ("FAT Type Determination") and reads the root directory.
     *
     * @throws FatFormatException when the boot sector is not a valid FAT BPB, the volume is larger
     *         than the image, or the root directory cannot be read
     * @throws IOException when the image cannot be read
     */
    public static FatFileSystem open(Image volume) throws IOException {
        return new FatFileSystem(volume, BootSector.read(volume));
    }

    /** "FAT12", "FAT16" or "FAT32". */
    public String type() {
        return boot.type.name();
    }

    /**
     * The volume label: the root directory's volume-label entry if there is one (what Windows shows
     * and updates), else the boot sector's BS_VolLab; trimmed; null if neither is set ("NO NAME"
     * counts as unset).
     */
    public String label() {
        return label;
    }

    /** Size of the data region: cluster count times cluster size (what {@code statfs} reports). */
    public long totalBytes() {
        return boot.clusterCount * boot.clusterSize;
    }

    /** Bytes per cluster, the allocation unit (a power of two, 512 B to 512 KiB). */
    public int clusterSize() {
        return boot.clusterSize;
    }

    /**
     * Free clusters times cluster size. Counted from the FAT on the first call (the FAT32 FSInfo
     * count is only a hint that may be stale, the spec says), then remembered.
     */
    public long freeBytes() throws IOException {
        synchronized (freeLock) {
            if (freeClusters < 0) {
                freeClusters = fat.countFree();
            }
            return freeClusters * boot.clusterSize;
        }
    }

    /** The root directory: name "", no times; the only entry with an empty name. */
    public FatEntry root() {
        return root;
    }

    /**
     * The entries of {@code dir}, in on-disk order, without ".", ".." and the volume label.
     * A damaged volume can make a directory contain one of its ancestors: a caller that recurses
     * must bound its depth.
     *
     * @param dir {@link #root()} or a directory entry returned by this file system
     * @throws NotDirectoryException when {@code dir} is a file
     * @throws FatFormatException when the directory's cluster chain is broken or it has more than
     *         {@value #MAX_DIRECTORY_ENTRIES} entries
     */
    public List<FatEntry> list(FatEntry dir) throws IOException {
        return directory(dir).entries();
    }

    /**
     * Finds the entry at {@code path}, an absolute path like "/a/b/c" ("/" is the root; empty
     * components are ignored). Names compare case-insensitively, as FAT does; only the names
     * {@link #list} returns match (not the 8.3 alias of a long name).
     *
     * @return the entry, or null when no entry has that path
     * @throws NotDirectoryException when a component before the last is a file
     * @throws FatFormatException when a directory on the way is damaged
     * @throws IllegalArgumentException when {@code path} does not start with '/'
     */
    public FatEntry lookup(String path) throws IOException {
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("FAT path must be absolute: '" + path + "'");
        }
        FatEntry current = root;
        int start = 1;
        while (start <= path.length()) {
            int end = path.indexOf('/', start);
            if (end < 0) {
                end = path.length();
            }
            if (end > start) {
                if (!current.directory()) {
                    throw new NotDirectoryException(path.substring(0, start - 1));
                }
                current = directory(current).byKey().get(key(path.substring(start, end)));
                if (current == null) {
                    return null;
                }
            }
            start = end + 1;
        }
        return current;
    }

    /**
     * Reads up to {@code dst.remaining()} bytes of {@code file} starting at {@code position}; same
     * contract as {@link Image#read}: fills {@code dst} fully unless the file ends first.
     *
     * @return bytes read; -1 when {@code position >= file.size()}; 0 when {@code dst} has no room
     * @throws FatFormatException when the file's cluster chain is broken (out-of-range or free
     *         link, loop, or fewer clusters than the size needs); the message names the file
     * @throws IllegalArgumentException when {@code file} is a directory or position is negative
     */
    public int read(FatEntry file, long position, ByteBuffer dst) throws IOException {
        if (file.directory()) {
            throw new IllegalArgumentException("'" + file.name() + "' is a directory");
        }
        if (position < 0) {
            throw new IllegalArgumentException("negative position " + position);
        }
        if (position >= file.size()) {
            return -1;
        }
        if (!dst.hasRemaining()) {
            return 0;
        }
        ClusterChain chain;
        try {
            if (file.firstCluster() == 0) {
                throw new FatFormatException("it has no first cluster");
            }
            long needed = (file.size() + boot.clusterSize - 1) / boot.clusterSize;
            chain = chain(file.firstCluster(), needed);
            if (chain.length() < needed) {
                throw new FatFormatException(
                        "its cluster chain holds only " + chain.length() + " clusters, " + needed + " are needed");
            }
        } catch (FatFormatException e) {
            throw new FatFormatException(
                    "cannot read " + file.size() + "-byte file '" + file.name() + "': " + e.getMessage(), e);
        }
        int want = (int) Math.min(dst.remaining(), file.size() - position);
        int done = 0;
        while (done < want) {
            long pos = position + done;
            long index = pos / boot.clusterSize;
            long within = pos % boot.clusterSize;
            // One image read for the whole run of consecutive clusters this request touches.
            long runBytes = chain.contiguousFrom(index) * boot.clusterSize - within;
            int n = (int) Math.min(want - done, runBytes);
            ByteBuffer view = dst.slice().limit(n);
            long at = boot.clusterOffset(chain.clusterAt(index)) + within;
            while (view.hasRemaining()) {
                int r = volume.read(at + view.position(), view);
                if (r <= 0) {
                    throw new EOFException(
                            "volume image ended at " + (at + view.position()) + " inside file '" + file.name() + "'");
                }
            }
            dst.position(dst.position() + n);
            done += n;
        }
        return done;
    }

    private Directory directory(FatEntry dir) throws IOException {
        if (!dir.directory()) {
            throw new NotDirectoryException(dir.name());
        }
        long key = key(dir);
        Directory cached = directories.get(key);
        if (cached != null) {
            return cached;
        }
        return directories.putIfAbsent(key, index(readDirectory(dir).entries()));
    }

    private DirectoryParser.Listing readDirectory(FatEntry dir) throws IOException {
        boolean fixedRoot = dir.equals(root) && boot.type != BootSector.Type.FAT32;
        byte[] data;
        if (fixedRoot) {
            data = volume.readFully(boot.rootDirOffset, boot.rootDirBytes);
        } else {
            String what = dir.equals(root) ? "root directory" : "directory '" + dir.name() + "'";
            try {
                if (dir.firstCluster() == 0) {
                    throw new FatFormatException("it has no first cluster");
                }
                // the most clusters a directory of MAX_DIRECTORY_ENTRIES entries spans, plus one to notice more
                long most = ((long) MAX_DIRECTORY_ENTRIES * BootSector.DIR_ENTRY_SIZE + boot.clusterSize - 1)
                        / boot.clusterSize;
                ClusterChain chain = chain(dir.firstCluster(), most + 1);
                long bytes = chain.length() * boot.clusterSize;
                if (chain.length() > most || bytes > (long) MAX_DIRECTORY_ENTRIES * BootSector.DIR_ENTRY_SIZE) {
                    throw new FatFormatException("it spans more than " + most + " clusters, more than the "
                            + MAX_DIRECTORY_ENTRIES + " entries a directory may hold");
                }
                data = new byte[(int) bytes];
                long index = 0;
                while (index < chain.length()) {
                    long run = chain.contiguousFrom(index);
                    byte[] part = volume.readFully(
                            boot.clusterOffset(chain.clusterAt(index)), (int) (run * boot.clusterSize));
                    System.arraycopy(part, 0, data, (int) (index * boot.clusterSize), part.length);
                    index += run;
                }
            } catch (FatFormatException e) {
                throw new FatFormatException("cannot list " + what + ": " + e.getMessage(), e);
            }
        }
        return DirectoryParser.parse(data, boot.type == BootSector.Type.FAT32);
    }

    /**
     * The chain starting at {@code first}, walked to its end or at least {@code limit} clusters. A
     * cached chain cut short of {@code limit} is walked again, further.
     */
    private ClusterChain chain(long first, long limit) throws IOException {
        Object cached = chains.get(first);
        if (cached == null || (cached instanceof ClusterChain c && !c.complete() && c.length() < limit)) {
            try {
                cached = ClusterChain.walk(fat, boot, first, limit);
            } catch (FatFormatException e) {
                cached = e; // a damaged chain stays damaged: do not walk it again on every read
            }
            chains.put(first, cached);
        }
        if (cached instanceof FatFormatException) {
            FatFormatException e = (FatFormatException) cached;
            throw new FatFormatException(e.getMessage(), e);
        }
        return (ClusterChain) cached;
    }

    private long key(FatEntry dir) {
        return dir.equals(root) && boot.type != BootSector.Type.FAT32 ? FIXED_ROOT_KEY : dir.firstCluster();
    }

    private static Directory index(List<FatEntry> entries) {
        Map<String, FatEntry> byKey = new HashMap<>();
        for (FatEntry e : entries) {
            byKey.putIfAbsent(key(e.name()), e); // a damaged directory may repeat a name: first wins
        }
        return new Directory(entries, Map.copyOf(byKey));
    }

    /**
     * Case-folding key with exactly {@link String#equalsIgnoreCase}'s per-character rule (upper
     * then lower case), which treats 'é' and 'É' alike as Windows does for long names.
     */
    private static String key(String name) {
        char[] c = name.toCharArray();
        for (int i = 0; i < c.length; i++) {
            c[i] = Character.toLowerCase(Character.toUpperCase(c[i]));
        }
        return new String(c);
    }
}
