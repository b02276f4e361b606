package io.cairn.mount.fat;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.mount.image.FileImage;
import io.cairn.mount.image.Image;
import io.cairn.mount.mutation.FuzzLoop;
import io.cairn.mount.mutation.Mutator;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, finding 8: cairn's FAT reader fed mutated FAT12, FAT16 and FAT32 volumes made by
 * mkfs.fat and mcopy, under a small heap and stack ({@link FuzzLoop}): open, walk the tree, read
 * every file's first and last bytes, look names up. Each call gives a result or an
 * {@link IOException} (FatFormatException, a truncated image); never an Error, a hang or another
 * exception.
 */
@Tag("fuzz")
@DisplayName("the FAT reader on mutated volumes")
class FatFuzzTest {
    @TempDir
    static Path dir;

    record Fixture(Image image, List<long[]> regions) {}

    static final List<Fixture> fixtures = new ArrayList<>();
    static final List<FileImage> open = new ArrayList<>();

    @BeforeAll
    static void build() throws Exception {
        Path tree = Files.createDirectories(dir.resolve("tree/sub/deeper"));
        Files.writeString(tree.getParent().getParent().resolve("hello.txt"), "Hello, FAT!\n");
        Files.writeString(dir.resolve("tree/A long file name needing LFN entries.txt"), "long\n");
        byte[] big = new byte[70 * 1024];
        new java.util.Random(3).nextBytes(big);
        Files.write(dir.resolve("tree/sub/big.bin"), big);
        for (int i = 0; i < 40; i++) {
            Files.writeString(dir.resolve("tree/sub/f" + i + ".txt"), "f" + i);
        }
        Files.writeString(tree.resolve("leaf.txt"), "leaf");
        add("fat12.img", 1440, "-F", "12");
        add("fat16.img", 8 * 1024, "-F", "16", "-s", "2");
        add("fat32.img", 40 * 1024, "-F", "32", "-s", "1");
    }

    static void add(String name, long kib, String... options) throws Exception {
        Path img = dir.resolve(name);
        FatTools.mkfs(img, kib, options);
        FatTools.mcopyTree(img, dir.resolve("tree"));
        FileImage f = FileImage.open(img);
        open.add(f);
        BootSector b = BootSector.read(f);
        long fatBytes = b.fatSectors * b.bytesPerSector;
        List<long[]> r = new ArrayList<>();
        r.add(new long[] {0, 512}); // boot sector and BPB
        r.add(new long[] {b.fatOffset, Math.min(fatBytes, 16384)}); // the first FAT's used part
        r.add(new long[] {b.fatOffset + b.activeFat * fatBytes, 4096});
        if (b.type != BootSector.Type.FAT32) {
            r.add(new long[] {b.rootDirOffset, b.rootDirBytes});
        }
        r.add(new long[] {b.dataOffset, 64 * 1024}); // directories and the first files
        fixtures.add(new Fixture(f, r));
    }

    @AfterAll
    static void close() throws IOException {
        for (FileImage f : open) {
            f.close();
        }
    }

    @Test
    @DisplayName("open, list, read and look up: results or IOExceptions")
    void fileSystem() {
        FuzzLoop.run(
                "FatFileSystem",
                3000,
                m -> {
                    Fixture f = fixtures.get(m.random().nextInt(fixtures.size()));
                    exercise(FatFileSystem.open(m.mutate(f.image(), f.regions())), m);
                },
                IOException.class);
    }

    /** Walks at most 200 entries 8 levels deep, reading the start and the end of each file. */
    static void exercise(FatFileSystem fs, Mutator m) {
        Deque<FatEntry> dirs = new ArrayDeque<>();
        Deque<Integer> depth = new ArrayDeque<>();
        dirs.add(fs.root());
        depth.add(0);
        int visited = 0;
        ByteBuffer b = ByteBuffer.allocate(64 * 1024);
        while (!dirs.isEmpty() && visited < 200) {
            FatEntry d = dirs.poll();
            int level = depth.poll();
            List<FatEntry> entries;
            try {
                entries = fs.list(d);
            } catch (IOException e) {
                continue; // a damaged directory: declared, and the walk goes on
            }
            for (FatEntry e : entries) {
                if (++visited > 200) {
                    break;
                }
                assertTrue(!e.name().isEmpty() && e.name().indexOf('/') < 0, e.name());
                if (e.directory()) {
                    if (level < 8) {
                        dirs.add(e);
                        depth.add(level + 1);
                    }
                    continue;
                }
                try {
                    fs.read(e, 0, b.clear());
                    if (e.size() > 0) {
                        fs.read(e, e.size() - 1, b.clear().limit(1));
                    }
                } catch (IOException x) {
                    // a broken chain: declared
                }
            }
        }
        try {
            fs.lookup("/sub/deeper/leaf.txt");
            fs.lookup("/A LONG FILE NAME NEEDING LFN ENTRIES.TXT");
            fs.lookup("/hello.txt/x");
        } catch (IOException e) {
            // declared
        }
        m.random();
    }

    @Test
    @DisplayName("directory entries: a listing, never an exception")
    void directoryParser() throws IOException {
        Fixture f16 = fixtures.get(1);
        BootSector b = BootSector.read(f16.image());
        byte[] root = f16.image().readFully(b.rootDirOffset, b.rootDirBytes);
        FuzzLoop.run(
                "DirectoryParser.parse",
                10000,
                m -> DirectoryParser.parse(m.mutate(root), m.random().nextBoolean()));
    }
}
