package io.cairn.mount.fat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.mount.image.FileImage;
import io.cairn.mount.image.Image;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, finding 8: a FAT chain is walked only as far as what is read needs, not as far as a
 * hostile FAT says it goes. A FAT32 of some 600,000 512-byte clusters (a 2.4 MiB FAT) whose chains
 * are made to run to the end of the volume: the FAT bytes read stay at one 64 KiB block.
 */
@DisplayName("FAT chain walks are bounded by what is read")
class FatBoundsTest {
    @TempDir
    Path dir;

    /** An image that counts the bytes read inside one range. */
    static final class Counting implements Image {
        final Image base;
        final long from;
        final long to;
        final AtomicLong inRange = new AtomicLong();

        Counting(Image base, long from, long to) {
            this.base = base;
            this.from = from;
            this.to = to;
        }

        @Override
        public long size() {
            return base.size();
        }

        @Override
        public int read(long position, ByteBuffer dst) throws IOException {
            int n = base.read(position, dst);
            if (n > 0) {
                long overlap = Math.min(position + n, to) - Math.max(position, from);
                if (overlap > 0) {
                    inRange.addAndGet(overlap);
                }
            }
            return n;
        }
    }

    /** Links clusters first, first+1, ..., last in the FAT (FAT32 entries) and ends the chain there. */
    static void linkToEnd(Path image, BootSector boot, long first, long last) throws IOException {
        ByteBuffer b = ByteBuffer.allocate((int) (last - first + 1) * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (long c = first; c < last; c++) {
            b.putInt((int) (c + 1));
        }
        b.putInt(0x0FFFFFFF);
        b.flip();
        try (FileChannel ch = FileChannel.open(image, StandardOpenOption.WRITE)) {
            ch.write(b, boot.fatOffset + first * 4);
        }
    }

    Path fat32() throws Exception {
        Path image = dir.resolve("fat32.img");
        FatTools.mkfs(image, 300 * 1024, "-F", "32", "-s", "1");
        return image;
    }

    @Test
    @DisplayName("a root directory chained through the whole volume is refused after the clusters a directory may span")
    void directory() throws Exception {
        Path image = fat32();
        BootSector boot;
        try (FileImage img = FileImage.open(image)) {
            boot = BootSector.read(img);
        }
        assertTrue(boot.clusterCount > 500_000, "the fixture needs a big FAT: " + boot.clusterCount);
        linkToEnd(image, boot, boot.rootCluster, boot.maxCluster());
        try (FileImage img = FileImage.open(image)) {
            Counting c = new Counting(img, boot.fatOffset, boot.fatOffset + boot.fatSectors * boot.bytesPerSector);
            FatFormatException e = assertThrows(FatFormatException.class, () -> FatFileSystem.open(c));
            assertTrue(e.getMessage().contains("more than 4096 clusters"), e.getMessage());
            assertTrue(c.inRange.get() <= FatTable.BLOCK_SIZE, "FAT bytes read: " + c.inRange.get());
        }
    }

    @Test
    @DisplayName("a 6-byte file whose chain runs to the end of the volume reads after one cluster of walking")
    void file() throws Exception {
        Path image = fat32();
        Path tree = Files.createDirectories(dir.resolve("tree"));
        Files.writeString(tree.resolve("small.txt"), "small\n");
        FatTools.mcopyTree(image, tree);
        BootSector boot;
        long first;
        try (FileImage img = FileImage.open(image)) {
            boot = BootSector.read(img);
            first = FatFileSystem.open(img).lookup("/small.txt").firstCluster();
        }
        assertTrue(first > boot.rootCluster, "the file's cluster lies after the root's");
        linkToEnd(image, boot, first, boot.maxCluster());
        try (FileImage img = FileImage.open(image)) {
            Counting c = new Counting(img, boot.fatOffset, boot.fatOffset + boot.fatSectors * boot.bytesPerSector);
            FatFileSystem fs = FatFileSystem.open(c);
            ByteBuffer b = ByteBuffer.allocate(100);
            assertEquals(6, fs.read(fs.lookup("/small.txt"), 0, b));
            assertEquals("small\n", new String(b.array(), 0, 6, java.nio.charset.StandardCharsets.US_ASCII));
            assertTrue(c.inRange.get() <= 2L * FatTable.BLOCK_SIZE, "FAT bytes read: " + c.inRange.get());
        }
    }
}
