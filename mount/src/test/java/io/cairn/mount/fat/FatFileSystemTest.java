package io.cairn.mount.fat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.mount.image.FileImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@DisplayName("FatFileSystem reads volumes made by mkfs.fat and filled by mcopy")
class FatFileSystemTest {

    /** One mkfs.fat recipe per case; cluster sizes are fixed so a file can be exactly one cluster. */
    enum Layout {
        FAT12("FAT12", 12 * 1024, 4096, "-F", "12", "-s", "8"),
        FAT16("FAT16", 32 * 1024, 2048, "-F", "16", "-s", "4"),
        // FAT32 needs at least 65525 clusters: 64 MiB of 512-byte clusters is about 130000.
        FAT32("FAT32", 64 * 1024, 512, "-F", "32", "-s", "1"),
        FAT16_4K_SECTORS("FAT16", 64 * 1024, 4096, "-F", "16", "-S", "4096", "-s", "1");

        final String type;
        final long sizeKiB;
        final int clusterSize;
        final String[] options;

        Layout(String type, long sizeKiB, int clusterSize, String... options) {
            this.type = type;
            this.sizeKiB = sizeKiB;
            this.clusterSize = clusterSize;
            this.options = options;
        }
    }

    static final String LABEL = "CAIRNTEST";
    static final Instant HELLO_MTIME = Instant.parse("2021-03-04T05:06:08Z");
    static final Duration GUARD = Duration.ofSeconds(60);

    @TempDir
    static Path work;

    private static final Map<Layout, Fixture> FIXTURES = new ConcurrentHashMap<>();

    record Fixture(Path tree, Path image, FileImage volume, FatFileSystem fs) {}

    @AfterAll
    static void closeImages() throws IOException {
        for (Fixture f : FIXTURES.values()) {
            f.volume().close();
        }
    }

    static synchronized Fixture fixture(Layout layout) throws Exception {
        Fixture f = FIXTURES.get(layout);
        if (f == null) {
            Path tree = work.resolve("tree-" + layout);
            buildTree(tree, layout.clusterSize);
            Path image = work.resolve(layout + ".img");
            List<String> options = new ArrayList<>(List.of(layout.options));
            options.addAll(List.of("-n", LABEL));
            FatTools.mkfs(image, layout.sizeKiB, options.toArray(String[]::new));
            FatTools.mcopyTree(image, tree);
            FileImage volume = FileImage.open(image);
            f = new Fixture(tree, image, volume, FatFileSystem.open(volume));
            FIXTURES.put(layout, f);
        }
        return f;
    }

    /** The content tree every image gets. */
    static void buildTree(Path tree, int clusterSize) throws IOException {
        Random random = new Random(42);
        Files.createDirectories(tree);
        Files.writeString(tree.resolve("hello.txt"), "Hello, FAT!\n");
        Files.setLastModifiedTime(tree.resolve("hello.txt"), FileTime.from(HELLO_MTIME));
        byte[] big = new byte[5 * 1024 * 1024];
        random.nextBytes(big);
        Files.write(tree.resolve("random.bin"), big);
        Files.createDirectories(tree.resolve("nested/deeper/deepest"));
        Files.writeString(tree.resolve("nested/deeper/deepest/leaf.txt"), "leaf\n");
        Files.writeString(tree.resolve("nested/top.txt"), "top\n");
        Files.createDirectories(tree.resolve("Ünïcödé dir"));
        Files.writeString(tree.resolve("Ünïcödé dir/naïve café.txt"), "crème brûlée\n");
        Files.writeString(tree.resolve("lower.txt"), "an 8.3 name in lower case: NT flags, no long name\n");
        Files.writeString(tree.resolve("A long file name needing LFN.txt"), "long\n");
        Files.createDirectories(tree.resolve("many"));
        for (int i = 0; i < 300; i++) {
            Files.writeString(tree.resolve(String.format("many/file_%03d.txt", i)), "file " + i + "\n");
        }
        Files.write(tree.resolve("empty.txt"), new byte[0]);
        byte[] one = new byte[clusterSize];
        random.nextBytes(one);
        Files.write(tree.resolve("one-cluster.bin"), one);
    }

    @ParameterizedTest
    @EnumSource(Layout.class)
    @DisplayName("reports the FAT type by cluster count, the cluster size and the label")
    void volumeFacts(Layout layout) throws Exception {
        FatFileSystem fs = fixture(layout).fs();
        assertEquals(layout.type, fs.type());
        assertEquals(layout.clusterSize, fs.clusterSize());
        assertEquals(LABEL, fs.label());
        assertTrue(fs.totalBytes() > 5 * 1024 * 1024 && fs.totalBytes() <= layout.sizeKiB * 1024);
    }

    @ParameterizedTest
    @EnumSource(Layout.class)
    @DisplayName("has exactly the names and bytes of the source tree")
    void namesAndBytesMatchTheSourceTree(Layout layout) throws Exception {
        Fixture f = fixture(layout);
        Map<String, Path> source = sourceTree(f.tree());
        Map<String, FatEntry> fat = assertTimeoutPreemptively(GUARD, () -> fatTree(f.fs()));
        assertEquals(source.keySet(), fat.keySet());
        for (Map.Entry<String, Path> e : source.entrySet()) {
            FatEntry entry = fat.get(e.getKey());
            assertEquals(Files.isDirectory(e.getValue()), entry.directory(), e.getKey());
            if (!entry.directory()) {
                byte[] expected = Files.readAllBytes(e.getValue());
                assertEquals(expected.length, entry.size(), e.getKey());
                assertArrayEquals(expected, readAll(f.fs(), entry, 64 * 1024), e.getKey());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Layout.class)
    @DisplayName("lists the same paths as mdir -/ -b")
    void listingMatchesMdir(Layout layout) throws Exception {
        Fixture f = fixture(layout);
        TreeSet<String> mdir = new TreeSet<>();
        for (String line : FatTools.mdirRecursive(f.image())) {
            if (line.startsWith("::/")) {
                String p = line.substring(2);
                mdir.add(p.endsWith("/") ? p.substring(0, p.length() - 1) : p);
            }
        }
        assertEquals(mdir, new TreeSet<>(fatTree(f.fs()).keySet()));
    }

    @ParameterizedTest
    @EnumSource(Layout.class)
    @DisplayName("lists the same paths and kinds as Sleuth Kit fls -r -p")
    void listingMatchesFls(Layout layout) throws Exception {
        Fixture f = fixture(layout);
        Map<String, Boolean> fls = new TreeMap<>();
        for (String line : FatTools.flsRecursive(f.image())) {
            int tab = line.indexOf('\t');
            String kind = line.substring(0, 3);
            String path = line.substring(tab + 1);
            if (kind.equalsIgnoreCase("v/v") || path.endsWith("(Volume Label Entry)")) {
                continue; // virtual files ($MBR, $FAT1, $OrphanFiles) and the label
            }
            fls.put("/" + path, kind.equals("d/d"));
        }
        Map<String, Boolean> ours = new TreeMap<>();
        fatTree(f.fs()).forEach((path, e) -> ours.put(path, e.directory()));
        assertEquals(fls, ours);
    }

    @ParameterizedTest
    @EnumSource(Layout.class)
    @DisplayName("counts the same free space as mdir")
    void freeBytesMatchMdir(Layout layout) throws Exception {
        Fixture f = fixture(layout);
        assertEquals(FatTools.mdirBytesFree(f.image()), f.fs().freeBytes());
        assertEquals(f.fs().freeBytes(), f.fs().freeBytes());
    }

    @ParameterizedTest
    @EnumSource(Layout.class)
    @DisplayName("reads any range, in pieces of any size, with Image.read's contract")
    void readsRanges(Layout layout) throws Exception {
        Fixture f = fixture(layout);
        FatEntry entry = f.fs().lookup("/random.bin");
        byte[] expected = Files.readAllBytes(f.tree().resolve("random.bin"));
        assertArrayEquals(expected, readAll(f.fs(), entry, 777));
        Random random = new Random(7);
        for (int i = 0; i < 200; i++) {
            int pos = random.nextInt(expected.length);
            ByteBuffer dst = ByteBuffer.allocate(1 + random.nextInt(3 * layout.clusterSize + 100));
            int n = f.fs().read(entry, pos, dst);
            assertEquals(Math.min(dst.capacity(), expected.length - pos), n);
            assertArrayEquals(
                    java.util.Arrays.copyOfRange(expected, pos, pos + n), java.util.Arrays.copyOf(dst.array(), n));
        }
        assertEquals(-1, f.fs().read(entry, expected.length, ByteBuffer.allocate(10)));
        assertEquals(-1, f.fs().read(entry, expected.length + 5L, ByteBuffer.allocate(10)));
        assertEquals(0, f.fs().read(entry, 0, ByteBuffer.allocate(0)));
        assertEquals(-1, f.fs().read(f.fs().lookup("/empty.txt"), 0, ByteBuffer.allocate(10)));
        ByteBuffer tail = ByteBuffer.allocate(100);
        assertEquals(10, f.fs().read(entry, expected.length - 10, tail));
        assertEquals(10, tail.position());
    }

    @ParameterizedTest
    @EnumSource(Layout.class)
    @DisplayName("looks paths up case-insensitively, null when missing, ENOTDIR through a file")
    void lookup(Layout layout) throws Exception {
        FatFileSystem fs = fixture(layout).fs();
        assertEquals(fs.root(), fs.lookup("/"));
        assertEquals("naïve café.txt", fs.lookup("/ÜNÏCÖDÉ DIR/NAÏVE CAFÉ.TXT").name());
        assertEquals("leaf.txt", fs.lookup("/Nested/DEEPER//deepest/LEAF.txt").name());
        assertEquals("file_299.txt", fs.lookup("/many/FILE_299.TXT").name());
        assertNull(fs.lookup("/nested/missing"));
        assertNull(fs.lookup("/missing/leaf.txt"));
        assertThrows(NotDirectoryException.class, () -> fs.lookup("/hello.txt/x"));
        assertThrows(NotDirectoryException.class, () -> fs.list(fs.lookup("/hello.txt")));
        assertThrows(IllegalArgumentException.class, () -> fs.lookup("hello.txt"));
    }

    @ParameterizedTest
    @EnumSource(Layout.class)
    @DisplayName("keeps names' case (long names, NT lowercase flags) and reads times as UTC")
    void namesAndTimes(Layout layout) throws Exception {
        FatFileSystem fs = fixture(layout).fs();
        List<String> names = fs.list(fs.root()).stream().map(FatEntry::name).toList();
        assertTrue(names.contains("lower.txt"), names.toString());
        assertTrue(names.contains("A long file name needing LFN.txt"), names.toString());
        FatEntry hello = fs.lookup("/hello.txt");
        assertEquals(HELLO_MTIME, hello.modified());
        assertNotNull(hello.accessed());
        assertEquals(0, hello.attributes() & FatEntry.ATTR_DIRECTORY);
        FatEntry many = fs.lookup("/many");
        assertTrue(many.directory());
        assertEquals(300, fs.list(many).size());
        assertFalse(names.contains(".") || names.contains(".."));
    }

    @ParameterizedTest
    @EnumSource(
            value = Layout.class,
            names = {"FAT16", "FAT32"})
    @DisplayName("serves concurrent readers of one file correctly")
    void concurrentReads(Layout layout) throws Exception {
        Fixture f = fixture(layout);
        FatEntry entry = f.fs().lookup("/random.bin");
        byte[] expected = Files.readAllBytes(f.tree().resolve("random.bin"));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int seed = t;
                futures.add(pool.submit(() -> {
                    Random random = new Random(seed);
                    for (int i = 0; i < 300; i++) {
                        int pos = random.nextInt(expected.length);
                        ByteBuffer dst = ByteBuffer.allocate(4096);
                        int n = f.fs().read(entry, pos, dst);
                        assertArrayEquals(
                                java.util.Arrays.copyOfRange(expected, pos, pos + n),
                                java.util.Arrays.copyOf(dst.array(), n));
                    }
                    return null;
                }));
            }
            for (Future<?> future : futures) {
                future.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @ParameterizedTest
    @EnumSource(Layout.class)
    @DisplayName("reads a contiguous run in one Image.read and walks a chain only once")
    void readsRunsWithoutRewalking(Layout layout) throws Exception {
        Fixture f = fixture(layout);
        java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
        io.cairn.mount.image.Image counting = new io.cairn.mount.image.Image() {
            @Override
            public long size() {
                return f.volume().size();
            }

            @Override
            public int read(long position, ByteBuffer dst) throws IOException {
                reads.incrementAndGet();
                return f.volume().read(position, dst);
            }
        };
        FatFileSystem fs = FatFileSystem.open(counting);
        FatEntry entry = fs.lookup("/random.bin");
        ByteBuffer whole = ByteBuffer.allocate((int) entry.size());
        fs.read(entry, 0, whole); // walks the chain: FAT reads
        ClusterChain chain = ClusterChain.walk(
                new FatTable(f.volume(), BootSector.read(f.volume())),
                BootSector.read(f.volume()),
                entry.firstCluster());
        reads.set(0);
        whole.clear();
        assertEquals(entry.size(), fs.read(entry, 0, whole));
        assertEquals(chain.runs(), reads.get(), "one Image.read per run of consecutive clusters");
        reads.set(0);
        int pieces = 0;
        ByteBuffer piece = ByteBuffer.allocate(layout.clusterSize); // cluster-aligned pieces
        for (long pos = 0; pos < entry.size(); pos += piece.capacity(), pieces++) {
            piece.clear();
            fs.read(entry, pos, piece);
        }
        assertEquals(pieces, reads.get(), "no FAT reads while reading sequentially");
    }

    /** Source paths as "/a/b", '/'-separated, root excluded. */
    static Map<String, Path> sourceTree(Path tree) throws IOException {
        Map<String, Path> out = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(tree)) {
            walk.filter(p -> !p.equals(tree)).forEach(p -> {
                StringBuilder s = new StringBuilder();
                for (Path part : tree.relativize(p)) {
                    s.append('/').append(part);
                }
                out.put(s.toString(), p);
            });
        }
        return out;
    }

    static Map<String, FatEntry> fatTree(FatFileSystem fs) throws IOException {
        Map<String, FatEntry> out = new TreeMap<>();
        walk(fs, fs.root(), "", out);
        return out;
    }

    private static void walk(FatFileSystem fs, FatEntry dir, String prefix, Map<String, FatEntry> out)
            throws IOException {
        for (FatEntry e : fs.list(dir)) {
            String path = prefix + "/" + e.name();
            assertNull(out.put(path, e), "duplicate " + path);
            if (e.directory()) {
                walk(fs, e, path, out);
            }
        }
    }

    static byte[] readAll(FatFileSystem fs, FatEntry file, int bufferSize) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        ByteBuffer buf = ByteBuffer.allocate(bufferSize);
        long pos = 0;
        while (true) {
            buf.clear();
            int n = fs.read(file, pos, buf);
            if (n < 0) {
                break;
            }
            assertTrue(n == bufferSize || pos + n == file.size(), "short read before end of file");
            out.write(buf.array(), 0, n);
            pos += n;
        }
        return out.toByteArray();
    }
}
