package io.cairn.mount.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.repository.Repository;
import io.cairn.repository.backup.BackupRequest;
import io.cairn.repository.backup.BackupWriter;
import io.cairn.repository.backup.BytesDiskSource;
import io.cairn.repository.backup.Progress;
import io.cairn.repository.index.VariableIndex;
import io.cairn.repository.manifest.Manifest;
import io.cairn.repository.store.LocalStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A version 2 (content-defined chunks) disk read through {@link BackupImage}: offsets by binary search. */
class BackupImageTest {
    static final int CHUNK = 256 * 1024;
    static final int MB = 1 << 20;

    @TempDir
    Path dir;

    @Test
    @DisplayName("reads of any offset and length, across variable chunk boundaries, return the disk's bytes")
    void readsVariableChunks() throws IOException {
        Repository repo = Repository.init(new LocalStore(dir.resolve("repo")), CHUNK, 1, null);
        byte[] disk = new byte[9 * MB + 1234];
        Random rnd = new Random(42);
        for (int i = 0; i < 4 * MB; i++) {
            disk[i] = (byte) rnd.nextInt();
        }
        byte[] line = "the quick brown fox\n".getBytes(StandardCharsets.US_ASCII);
        for (int i = 6 * MB; i < disk.length; i++) {
            disk[i] = line[i % line.length];
        }
        Path image = dir.resolve("web01.img");
        Files.write(image, disk);
        BackupWriter.Result r;
        try (BytesDiskSource src = new BytesDiskSource(image.getFileName().toString(), disk)) {
            r = new BackupWriter(repo, 2, Progress.NONE, Duration.ZERO)
                    .write(new BackupRequest(
                            new Manifest.VmIdentity("id", "web01", null, null),
                            "test",
                            Map.of(),
                            null,
                            null,
                            List.of(BackupRequest.DiskInput.full(src)),
                            List.of(),
                            null));
        }
        VariableIndex idx = assertInstanceOf(
                VariableIndex.class,
                repo.readIndex(r.ref(), r.manifest().disks().get(0)));
        assertTrue(idx.count() > 10, idx.count() + " chunks");
        try (ChunkCache cache = new ChunkCache(repo.chunks(), 8L * MB, 2)) {
            BackupImage img = new BackupImage(idx, cache, 4);
            assertEquals(disk.length, img.size());
            // sequential, in FUSE-sized requests: the read-ahead fetches chunks before they are asked for
            ByteBuffer all = ByteBuffer.allocate(disk.length);
            for (long pos = 0; pos < disk.length; ) {
                ByteBuffer b = all.slice((int) pos, (int) Math.min(128 * 1024, disk.length - pos));
                pos += img.read(pos, b);
            }
            assertArrayEquals(disk, all.array());
            for (int i = 0; i < 400; i++) {
                long pos = (long) (rnd.nextDouble() * disk.length);
                int len = 1 + rnd.nextInt(3 * CHUNK);
                ByteBuffer b = ByteBuffer.allocate(len);
                int n = img.read(pos, b);
                int expect = (int) Math.min(len, disk.length - pos);
                assertEquals(expect, n, "bytes at " + pos);
                assertArrayEquals(
                        Arrays.copyOfRange(disk, (int) pos, (int) pos + expect),
                        Arrays.copyOf(b.array(), n),
                        "bytes at " + pos + " +" + len);
            }
            // at every boundary, one byte either side
            for (int i = 1; i < idx.count(); i++) {
                ByteBuffer b = ByteBuffer.allocate(2);
                img.read(idx.offset(i) - 1, b);
                assertArrayEquals(
                        Arrays.copyOfRange(disk, (int) idx.offset(i) - 1, (int) idx.offset(i) + 1), b.array());
            }
        }
        try (ChunkCache quiet = new ChunkCache(repo.chunks(), 8L * MB, 2)) {
            ByteBuffer zeros = ByteBuffer.allocate(MB);
            // past the last data chunk, which may reach min (64 KiB) into the free space
            new BackupImage(idx, quiet, 0).read(4L * MB + CHUNK, zeros);
            assertEquals(0, quiet.fetchedChunks(), "the free space's zero entries are answered without a fetch");
            assertArrayEquals(new byte[MB], zeros.array());
        }
    }
}
