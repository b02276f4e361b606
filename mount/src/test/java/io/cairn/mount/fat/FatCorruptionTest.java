package io.cairn.mount.fat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.mount.image.FileImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Damaged volumes: a FAT16 image from mkfs.fat and mcopy, patched byte by byte. Each case must end
 * in a {@link FatFormatException} naming the problem, fail only what is damaged, and never hang
 * (the timeout is only a guard).
 */
@DisplayName("FatFileSystem on damaged volumes")
class FatCorruptionTest {

    static final Duration GUARD = Duration.ofSeconds(30);
    /** 8 MiB with 1 KiB clusters: about 8000 clusters, FAT16. */
    static final int CLUSTER = 1024;

    @TempDir
    static Path templateDir;

    static Path template;
    static byte[] big;

    @TempDir
    Path dir;

    Path image;
    FileImage volume;

    @BeforeAll
    static void buildTemplate() throws Exception {
        Path tree = templateDir.resolve("tree");
        Files.createDirectories(tree.resolve("sub"));
        Files.writeString(tree.resolve("hello.txt"), "Hello, FAT!\n");
        big = new byte[64 * 1024];
        new Random(1).nextBytes(big);
        Files.write(tree.resolve("big.bin"), big);
        Files.write(tree.resolve("huge.bin"), new byte[3 * 1024 * 1024]);
        Files.writeString(tree.resolve("A long file name needing LFN.txt"), "long\n");
        for (int i = 0; i < 40; i++) { // 40 entries of 32 bytes: a two-cluster directory
            Files.writeString(tree.resolve(String.format("sub/f%02d.txt", i)), "f" + i);
        }
        template = templateDir.resolve("template.img");
        FatTools.mkfs(template, 8 * 1024, "-F", "16", "-s", "2");
        FatTools.mcopyTree(template, tree);
    }

    @BeforeEach
    void copyTemplate() throws IOException {
        image = dir.resolve("damaged.img");
        Files.copy(template, image, StandardCopyOption.REPLACE_EXISTING);
    }

    @AfterEach
    void close() throws IOException {
        if (volume != null) {
            volume.close();
        }
    }

    FatFileSystem open() throws IOException {
        if (volume != null) {
            volume.close();
        }
        volume = FileImage.open(image);
        return FatFileSystem.open(volume);
    }

    /** Runs {@code action} under the guard and returns its FatFormatException. */
    static FatFormatException fails(Executable action) {
        return assertTimeoutPreemptively(GUARD, () -> assertThrows(FatFormatException.class, action));
    }

    static void assertMentions(Exception e, String... parts) {
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "'" + e.getMessage() + "' should mention '" + part + "'");
        }
    }

    @Nested
    @DisplayName("a bad boot sector fails open")
    class BootSector {
        @Test
        @DisplayName("wrong boot signature")
        void signature() throws Exception {
            FatTools.patch(image, 510, (byte) 0x55, (byte) 0x00);
            assertMentions(fails(FatCorruptionTest.this::open), "signature", "0x5500");
        }

        @Test
        @DisplayName("bytes per sector 0")
        void bytesPerSectorZero() throws Exception {
            FatTools.patch(image, 11, (byte) 0, (byte) 0);
            assertMentions(fails(FatCorruptionTest.this::open), "BPB_BytsPerSec 0");
        }

        @Test
        @DisplayName("bytes per sector 300")
        void bytesPerSector300() throws Exception {
            FatTools.patch(image, 11, le16(300));
            assertMentions(fails(FatCorruptionTest.this::open), "BPB_BytsPerSec 300");
        }

        @Test
        @DisplayName("sectors per cluster not a power of two")
        void sectorsPerCluster() throws Exception {
            FatTools.patch(image, 13, (byte) 3);
            assertMentions(fails(FatCorruptionTest.this::open), "BPB_SecPerClus 3");
        }

        @Test
        @DisplayName("no reserved sectors")
        void reservedSectors() throws Exception {
            FatTools.patch(image, 14, (byte) 0, (byte) 0);
            assertMentions(fails(FatCorruptionTest.this::open), "BPB_RsvdSecCnt 0");
        }

        @Test
        @DisplayName("FAT count 0")
        void fatCountZero() throws Exception {
            FatTools.patch(image, 16, (byte) 0);
            assertMentions(fails(FatCorruptionTest.this::open), "BPB_NumFATs 0");
        }

        @Test
        @DisplayName("truncated image")
        void truncated() throws Exception {
            try (FileChannel ch = FileChannel.open(image, StandardOpenOption.WRITE)) {
                ch.truncate(ch.size() / 2);
            }
            assertMentions(fails(FatCorruptionTest.this::open), "truncated", "sectors");
        }

        @Test
        @DisplayName("an image shorter than a boot sector")
        void tiny() throws Exception {
            try (FileChannel ch = FileChannel.open(image, StandardOpenOption.WRITE)) {
                ch.truncate(100);
            }
            assertMentions(fails(FatCorruptionTest.this::open), "truncated");
        }
    }

    @Nested
    @DisplayName("a broken cluster chain fails only that file")
    class Chains {
        @Test
        @DisplayName("a loop")
        void loop() throws Exception {
            long first = firstCluster("/big.bin");
            setFat(first + 3, first + 1);
            FatFileSystem fs = open();
            assertMentions(fails(() -> readAll(fs, "/big.bin")), "big.bin", "loops");
            // Again, from the cached failure, and the rest of the volume still reads.
            assertMentions(fails(() -> readAll(fs, "/big.bin")), "big.bin", "loops");
            assertEquals("Hello, FAT!\n", new String(readAll(fs, "/hello.txt"), StandardCharsets.UTF_8));
        }

        @Test
        @DisplayName("a self loop on the first cluster")
        void selfLoop() throws Exception {
            long first = firstCluster("/big.bin");
            setFat(first, first);
            assertMentions(fails(() -> readAll(open(), "/big.bin")), "big.bin", "loops");
        }

        @Test
        @DisplayName("a link past the last cluster")
        void pastTheEnd() throws Exception {
            long first = firstCluster("/big.bin");
            setFat(first + 1, 0xFFF0);
            assertMentions(fails(() -> readAll(open(), "/big.bin")), "big.bin", "65520", "outside the valid range");
        }

        @Test
        @DisplayName("a link to a free cluster")
        void free() throws Exception {
            long first = firstCluster("/big.bin");
            setFat(first + 2, 0);
            assertMentions(fails(() -> readAll(open(), "/big.bin")), "big.bin", "free");
        }

        @Test
        @DisplayName("a chain shorter than the file size")
        void short_() throws Exception {
            long first = firstCluster("/big.bin");
            setFat(first, 0xFFFF);
            assertMentions(fails(() -> readAll(open(), "/big.bin")), "big.bin", "only 1 clusters", "64 are needed");
        }

        @Test
        @DisplayName("a first cluster out of range")
        void firstOutOfRange() throws Exception {
            patchDirEntry("HELLO   TXT", 26, le16(0xFFF0));
            assertMentions(fails(() -> readAll(open(), "/hello.txt")), "hello.txt", "first cluster 65520");
        }

        @Test
        @DisplayName("a longer chain is fine: only the clusters the size needs are read")
        void longerChain() throws Exception {
            long first = firstCluster("/big.bin");
            long last = first + big.length / CLUSTER - 1;
            long spare = first + 5000; // a free cluster far away, made the new end of chain
            setFat(last, spare);
            setFat(spare, 0xFFFF);
            assertArrayEquals(big, readAll(open(), "/big.bin"));
        }
    }

    @Nested
    @DisplayName("a broken directory fails only that directory")
    class Directories {
        @Test
        @DisplayName("a loop in a directory's chain")
        void loop() throws Exception {
            long first = firstCluster("/sub");
            long second = getFat(first); // mcopy interleaves the files' clusters: not first + 1
            assertTrue(second >= 2 && second < 0xFFF8, "sub should span two clusters");
            setFat(second, first);
            FatFileSystem fs = open();
            FatEntry sub = fs.lookup("/sub");
            assertMentions(fails(() -> fs.list(sub)), "sub", "loops");
            assertMentions(fails(() -> fs.lookup("/sub/f01.txt")), "sub", "loops");
            assertEquals(5, fs.list(fs.root()).size()); // hello, big, huge, long name, sub
        }

        @Test
        @DisplayName("a subdirectory entry with cluster 0 (not an alias of the root)")
        void clusterZero() throws Exception {
            patchDirEntry("SUB        ", 26, le16(0));
            FatFileSystem fs = open();
            assertMentions(fails(() -> fs.list(fs.lookup("/sub"))), "sub", "no first cluster");
        }

        @Test
        @DisplayName("more than 65536 entries")
        void tooLarge() throws Exception {
            // Point the directory at the 3 MiB file's chain: 3072 clusters of 32 entries each.
            FatFileSystem before = open();
            long huge = before.lookup("/huge.bin").firstCluster();
            patchDirEntry("SUB        ", 26, le16((int) huge));
            FatFileSystem fs = open();
            assertMentions(fails(() -> fs.list(fs.lookup("/sub"))), "sub", "65536 entries");
        }

        @Test
        @DisplayName("a long name with a wrong checksum falls back to the short name")
        void brokenLongName() throws Exception {
            long shortEntry = dirEntryOffset("ALONGF~1TXT");
            // The long entry right before the short one (ordinal 1): corrupt its checksum.
            byte[] chk = volumeBytes(shortEntry - 32 + 13, 1);
            FatTools.patch(image, shortEntry - 32 + 13, (byte) (chk[0] + 1));
            List<String> names =
                    open().list(open().root()).stream().map(FatEntry::name).toList();
            assertTrue(names.contains("ALONGF~1.TXT"), names.toString());
        }
    }

    @Nested
    @DisplayName("FAT12 and FAT32 chains are checked the same way")
    class OtherTypes {
        @ParameterizedTest(name = "FAT{0}")
        @ValueSource(ints = {12, 32})
        @DisplayName("a loop and a link past the end, each failing only its file")
        void loopAndPastTheEnd(int bits) throws Exception {
            Path tree = dir.resolve("tree");
            Files.createDirectories(tree);
            Files.write(tree.resolve("big.bin"), big);
            Files.writeString(tree.resolve("hello.txt"), "Hello, FAT!\n");
            Path img = dir.resolve("fat" + bits + ".img");
            // FAT12: 4 MiB of 1 KiB clusters; FAT32: 34 MiB of 512 B clusters is over 65525 clusters.
            if (bits == 12) {
                FatTools.mkfs(img, 4 * 1024, "-F", "12", "-s", "2");
            } else {
                FatTools.mkfs(img, 34 * 1024, "-F", "32", "-s", "1");
            }
            FatTools.mcopyTree(img, tree);
            image = img;
            assertEquals("FAT" + bits, open().type());
            long first = firstCluster("/big.bin");
            long third = getFat(getFat(first));
            long fourth = getFat(third);
            setFat(third, first); // odd and even cluster numbers both exercised on FAT12
            FatFileSystem fs = open();
            assertMentions(fails(() -> readAll(fs, "/big.bin")), "big.bin", "loops");
            assertEquals("Hello, FAT!\n", new String(readAll(fs, "/hello.txt"), StandardCharsets.UTF_8));

            setFat(third, fourth);
            assertArrayEquals(big, readAll(open(), "/big.bin")); // repaired: the patch helper is right
            long fifth = getFat(fourth);
            long beyond = bits == 12 ? 0xFF0 : 0x0FFFFFF0L;
            setFat(fourth, beyond);
            assertMentions(fails(() -> readAll(open(), "/big.bin")), "big.bin", Long.toString(beyond), "outside");
            if (bits == 32) {
                // The high 4 bits of a FAT32 entry are reserved: a reader must ignore them.
                setFat(fourth, 0xF0000000L | fifth);
                assertArrayEquals(big, readAll(open(), "/big.bin"));
            }
        }
    }

    @Test
    @DisplayName("a missing fixture tool fails the test, naming its Debian package")
    void missingToolFails() {
        AssertionError e =
                assertThrows(AssertionError.class, () -> FatTools.tool("mkfs.fat-that-does-not-exist", "dosfstools"));
        assertMentions(new Exception(e.getMessage()), "dosfstools", "not installed");
    }

    // --- helpers working on the raw FAT16 image -------------------------------------------------

    long firstCluster(String path) throws IOException {
        try (FileImage v = FileImage.open(image)) {
            return FatFileSystem.open(v).lookup(path).firstCluster();
        }
    }

    /** The entry of {@code cluster} in the first FAT of {@link #image}. */
    long getFat(long cluster) throws IOException {
        return getFat(image, cluster);
    }

    /** Sets the entry of {@code cluster} in every FAT copy of {@link #image}. */
    void setFat(long cluster, long value) throws IOException {
        setFat(image, cluster, value);
    }

    /** FAT entry width in bits, from the type our reader found (tested elsewhere against mkfs). */
    static int fatBits(Path img) throws IOException {
        try (FileImage v = FileImage.open(img)) {
            return Integer.parseInt(FatFileSystem.open(v).type().substring(3));
        }
    }

    static long fatStart(Path img, int copy) throws IOException {
        ByteBuffer bpb = ByteBuffer.wrap(bytes(img, 0, 512)).order(ByteOrder.LITTLE_ENDIAN);
        long fatSectors = bpb.getShort(22) & 0xFFFF;
        if (fatSectors == 0) {
            fatSectors = bpb.getInt(36) & 0xFFFFFFFFL;
        }
        return ((bpb.getShort(14) & 0xFFFF) + copy * fatSectors) * (bpb.getShort(11) & 0xFFFF);
    }

    static long getFat(Path img, long cluster) throws IOException {
        int bits = fatBits(img);
        long pos = fatStart(img, 0) + cluster * bits / 8;
        byte[] e = bytes(img, pos, 4);
        long v = (e[0] & 0xFF) | (e[1] & 0xFF) << 8 | (e[2] & 0xFF) << 16 | (long) (e[3] & 0xFF) << 24;
        switch (bits) {
            case 12:
                return (cluster & 1) == 0 ? v & 0xFFF : (v >>> 4) & 0xFFF;
            case 16:
                return v & 0xFFFF;
            default:
                return v & 0x0FFFFFFF;
        }
    }

    static void setFat(Path img, long cluster, long value) throws IOException {
        int bits = fatBits(img);
        int fats = bytes(img, 16, 1)[0];
        for (int copy = 0; copy < fats; copy++) {
            long pos = fatStart(img, copy) + cluster * bits / 8;
            byte[] e = bytes(img, pos, 2);
            int old = (e[0] & 0xFF) | (e[1] & 0xFF) << 8;
            switch (bits) {
                case 12: {
                    // Two 12-bit entries share three bytes: keep the neighbour's nibble.
                    int v = (cluster & 1) == 0 ? (old & 0xF000) | (int) value : (old & 0x000F) | (int) value << 4;
                    FatTools.patch(img, pos, le16(v));
                    break;
                }
                case 16:
                    FatTools.patch(img, pos, le16((int) value));
                    break;
                default: {
                    int v = (int) value;
                    FatTools.patch(img, pos, (byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24));
                }
            }
        }
    }

    static byte[] bytes(Path img, long offset, int length) throws IOException {
        try (FileImage v = FileImage.open(img)) {
            return v.readFully(offset, length);
        }
    }

    /** Offset of the root directory entry with the 11-byte short name {@code name}. */
    long dirEntryOffset(String name) throws IOException {
        ByteBuffer bpb = ByteBuffer.wrap(volumeBytes(0, 512)).order(ByteOrder.LITTLE_ENDIAN);
        int bytesPerSector = bpb.getShort(11) & 0xFFFF;
        long rootStart =
                (long) ((bpb.getShort(14) & 0xFFFF) + bpb.get(16) * (bpb.getShort(22) & 0xFFFF)) * bytesPerSector;
        int rootBytes = (bpb.getShort(17) & 0xFFFF) * 32;
        byte[] root = volumeBytes(rootStart, rootBytes);
        byte[] want = name.getBytes(StandardCharsets.US_ASCII);
        for (int off = 0; off < rootBytes; off += 32) {
            if (java.util.Arrays.equals(root, off, off + 11, want, 0, 11) && root[off + 11] != 0x0F) {
                return rootStart + off;
            }
        }
        throw new AssertionError("no root entry " + name);
    }

    void patchDirEntry(String name, int field, byte... bytes) throws IOException {
        FatTools.patch(image, dirEntryOffset(name) + field, bytes);
    }

    byte[] volumeBytes(long offset, int length) throws IOException {
        return bytes(image, offset, length);
    }

    static byte[] le16(int v) {
        return new byte[] {(byte) v, (byte) (v >>> 8)};
    }

    static byte[] readAll(FatFileSystem fs, String path) throws IOException {
        FatEntry e = fs.lookup(path);
        return FatFileSystemTest.readAll(fs, e, 4096);
    }
}
