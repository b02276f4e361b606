package io.cairn.mount.tree;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.mount.image.ChunkCache;
import io.cairn.repository.Repository;
import io.cairn.repository.backup.BackupRequest;
import io.cairn.repository.backup.BackupWriter;
import io.cairn.repository.backup.DiskSource;
import io.cairn.repository.backup.Progress;
import io.cairn.repository.error.CorruptObjectException;
import io.cairn.repository.format.Json;
import io.cairn.repository.index.DiskIndex;
import io.cairn.repository.manifest.Manifest;
import io.cairn.repository.store.LocalStore;
import io.cairn.vixmntbridge.VirtualDisk;
import io.cairn.vixmntbridge.vmdk.VmdkDisks;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The mount's tree replayed as direct calls: no kernel, a real repository on disk. */
class BackupTreeTest {
    static final int CHUNK = 256 * 1024;

    @TempDir
    Path dir;

    Repository repo;
    ChunkCache cache;
    byte[] disk;
    Path image;

    @BeforeEach
    void setUp() throws IOException {
        // Version 1 (fixed chunks): these tests count fetches by chunk arithmetic; BackupImageTest
        // reads version 2 disks.
        repo = Repository.init(
                new LocalStore(dir.resolve("repo")), CHUNK, 1, null, (io.cairn.repository.index.Chunker.Params) null);
        cache = new ChunkCache(repo.chunks(), 4L * CHUNK, 2);
        // 10 chunks + 1000 bytes: random, then two zero chunks, then text, and a short last chunk
        disk = new byte[10 * CHUNK + 1000];
        Random rnd = new Random(42);
        for (int i = 0; i < 5 * CHUNK; i++) {
            disk[i] = (byte) rnd.nextInt();
        }
        byte[] line = "the quick brown fox\n".getBytes(StandardCharsets.US_ASCII);
        for (int i = 7 * CHUNK; i < disk.length; i++) {
            disk[i] = line[i % line.length];
        }
        image = dir.resolve("web01.img");
        Files.write(image, disk);
    }

    @AfterEach
    void tearDown() {
        cache.close();
    }

    private BackupWriter.Result backup(String identity, String name, String uuid, Path img) throws IOException {
        try (DiskSource src = new ImageSource(img)) {
            BackupRequest req = new BackupRequest(
                    new Manifest.VmIdentity(identity, name, uuid, null),
                    "test",
                    Map.of(),
                    null,
                    new Manifest.EncryptionInfo("key-42"),
                    List.of(BackupRequest.DiskInput.full(src)),
                    List.of(
                            new BackupRequest.FileInput(
                                    "vmx",
                                    name + ".vmx",
                                    ("displayName = \"" + name + "\"\n").getBytes(StandardCharsets.UTF_8)),
                            new BackupRequest.FileInput("nvram", name + ".nvram", new byte[] {1, 2, 3})),
                    null);
            return new BackupWriter(repo, 2, Progress.NONE, Duration.ZERO).write(req);
        }
    }

    /** A small image held in memory as a backup source (the real adapters live above this module). */
    private static final class ImageSource implements DiskSource {
        private final String name;
        private final byte[] bytes;

        ImageSource(Path img) throws IOException {
            this.name = img.getFileName().toString();
            this.bytes = Files.readAllBytes(img);
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public long capacity() {
            return bytes.length;
        }

        @Override
        public void read(long offset, byte[] buf, int off, int len) {
            System.arraycopy(bytes, (int) offset, buf, off, len);
        }

        @Override
        public void close() {}
    }

    private BackupTree tree(long refreshMillis) {
        return new BackupTree(repo, cache, GuestVolumes.NONE, refreshMillis, 4);
    }

    private static byte[] readAll(FileNode f, int step) throws IOException {
        byte[] out = new byte[(int) f.size()];
        long pos = 0;
        while (pos < out.length) {
            ByteBuffer b = ByteBuffer.wrap(out, (int) pos, (int) Math.min(step, out.length - pos))
                    .slice();
            int n = f.read(pos, b);
            assertTrue(n > 0, "read returned " + n + " before the end");
            pos += n;
        }
        ByteBuffer past = ByteBuffer.allocate(10);
        assertEquals(-1, f.read(out.length, past), "read at the end");
        return out;
    }

    @Test
    @DisplayName("vms/<vm>/<time>/{config,disks,volumes}, latest and by-uuid show what was backed up")
    void layout() throws Exception {
        BackupWriter.Result first = backup("vc1/vm-1", "web01", "5003-aaaa", image);
        Thread.sleep(1100); // backup times are shown to the second
        BackupWriter.Result second = backup("vc1/vm-1", "web01", "5003-aaaa", image);
        BackupTree t = tree(0);

        Dir vms = (Dir) t.resolve("/vms");
        assertEquals(List.of("web01"), vms.children().stream().map(Node::name).toList());
        Dir vm = (Dir) t.resolve("/vms/web01");
        String t1 = BackupTree.TIME_NAME.format(first.manifest().instant());
        String t2 = BackupTree.TIME_NAME.format(second.manifest().instant());
        assertEquals(
                List.of(t1, t2, "latest"),
                vm.children().stream().map(Node::name).toList());
        assertEquals(t2, ((Link) t.resolve("/vms/web01/latest")).target());
        assertEquals("../vms/web01", ((Link) t.resolve("/by-uuid/5003-aaaa")).target());

        Dir b = (Dir) t.resolve("/vms/web01/" + t2);
        assertEquals(
                List.of("config", "disks", "volumes"),
                b.children().stream().map(Node::name).toList());
        Dir config = (Dir) t.resolve("/vms/web01/" + t2 + "/config");
        assertEquals(
                List.of("vm.json", "encryption-keyid.txt", "web01.vmx", "web01.nvram"),
                config.children().stream().map(Node::name).toList());
        Manifest m = Json.read(readAll((FileNode) config.child("vm.json"), 4096), Manifest.class);
        assertEquals(second.ref().id(), m.id());
        assertEquals(
                "key-42\n",
                new String(readAll((FileNode) config.child("encryption-keyid.txt"), 3), StandardCharsets.UTF_8));
        assertArrayEquals(new byte[] {1, 2, 3}, readAll((FileNode) config.child("web01.nvram"), 2));
        assertEquals(second.manifest().instant(), config.modified());

        assertNull(t.resolve("/vms/nothing"));
        assertNull(t.resolve("/vms/web01/" + t2 + "/config/vm.json/below-a-file"));
    }

    @Test
    @DisplayName("a disk reads back byte for byte at any offset and size, zero chunks without touching the store")
    void diskBytes() throws Exception {
        BackupWriter.Result r = backup("vm-2", "db", null, image);
        BackupTree t = tree(1000);
        String base = "/vms/db/" + BackupTree.TIME_NAME.format(r.manifest().instant()) + "/disks/";
        // the disk's size is not a whole number of sectors here, so only the raw bytes are shown
        FileNode raw = (FileNode) t.resolve(base + "web01.raw");
        assertNotNull(raw, "disks/web01.raw");
        assertEquals(disk.length, raw.size());
        assertArrayEquals(disk, readAll(raw, 128 * 1024));
        assertArrayEquals(disk, readAll(raw, 77_777));

        Random rnd = new Random(7);
        for (int i = 0; i < 300; i++) {
            long pos = (long) (rnd.nextDouble() * disk.length);
            int len = 1 + rnd.nextInt(3 * CHUNK);
            ByteBuffer b = ByteBuffer.allocate(len);
            int n = raw.read(pos, b);
            int expect = (int) Math.min(len, disk.length - pos);
            assertEquals(expect, n, "bytes at " + pos);
            byte[] want = java.util.Arrays.copyOfRange(disk, (int) pos, (int) pos + expect);
            assertArrayEquals(want, java.util.Arrays.copyOf(b.array(), n), "bytes at " + pos + " +" + len);
        }

        // a quiet cache (no read-ahead running) to count fetches exactly
        try (ChunkCache quiet = new ChunkCache(repo.chunks(), 4L * CHUNK, 2)) {
            FileNode q = (FileNode) new BackupTree(repo, quiet, GuestVolumes.NONE, 1000, 0).resolve(base + "web01.raw");
            ByteBuffer zeros = ByteBuffer.allocate(2 * CHUNK);
            q.read(5L * CHUNK, zeros);
            assertEquals(0, quiet.fetchedChunks(), "all-zero chunks must not be fetched");
            assertTrue(java.util.Arrays.equals(new byte[2 * CHUNK], zeros.array()));
        }
    }

    @Test
    @DisplayName(
            "a sequential reader finds the next chunks fetched ahead of it; a single random read fetches only its chunk")
    void readAhead() throws Exception {
        BackupWriter.Result r = backup("vm-7", "seq", null, image);
        String path = "/vms/seq/" + BackupTree.TIME_NAME.format(r.manifest().instant()) + "/disks/web01.raw";
        try (ChunkCache c = new ChunkCache(repo.chunks(), 16L * CHUNK, 2)) {
            FileNode f = (FileNode) new BackupTree(repo, c, GuestVolumes.NONE, 1000, 3).resolve(path);
            f.read(3L * CHUNK + 5, ByteBuffer.allocate(4096));
            Thread.sleep(200);
            assertEquals(1, c.fetchedChunks(), "one random read, one chunk");
            f.read(0, ByteBuffer.allocate(128 * 1024));
            f.read(128 * 1024, ByteBuffer.allocate(128 * 1024));
            // chunks 1, 2, 3 are scheduled behind the second read (chunk 3 is cached already); 0 was read
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (c.fetchedChunks() < 4 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            Thread.sleep(100);
            assertEquals(
                    4, c.fetchedChunks(), "chunk 3 (random), chunk 0 (read), chunks 1 and 2 (ahead), nothing beyond 3");
        }
    }

    @Test
    @DisplayName("disks/<disk>.vmdk is a monolithicFlat descriptor that the VMDK reader opens over <disk>-flat.vmdk")
    void flatDescriptor() throws Exception {
        byte[] sectors = java.util.Arrays.copyOf(disk, 10 * CHUNK);
        Path img = dir.resolve("app.img");
        Files.write(img, sectors);
        BackupWriter.Result r = backup("vm-3", "app", null, img);
        BackupTree t = tree(1000);
        String base = "/vms/app/" + BackupTree.TIME_NAME.format(r.manifest().instant()) + "/disks/";
        FileNode desc = (FileNode) t.resolve(base + "app.vmdk");
        FileNode flat = (FileNode) t.resolve(base + "app-flat.vmdk");
        String text = new String(readAll(desc, 100), StandardCharsets.UTF_8);
        assertTrue(text.contains("createType=\"monolithicFlat\""), text);
        assertTrue(text.contains("RW " + (sectors.length / 512) + " FLAT \"app-flat.vmdk\" 0"), text);
        assertEquals(
                text,
                new String(readAll((FileNode) tree(1000).resolve(base + "app.vmdk"), 4096), StandardCharsets.UTF_8),
                "the descriptor must not change between reads (its content id is fixed per disk)");

        Path out = Files.createDirectories(dir.resolve("copy"));
        Files.write(out.resolve("app.vmdk"), readAll(desc, 4096));
        Files.write(out.resolve("app-flat.vmdk"), readAll(flat, 1 << 20));
        try (VirtualDisk d = VmdkDisks.open(out.resolve("app.vmdk"))) {
            byte[] back = new byte[sectors.length];
            d.read(0, back.length / 512, back, 0);
            assertArrayEquals(sectors, back);
        }
    }

    @Test
    @DisplayName("a corrupt chunk is a read error, never wrong bytes")
    void corruptChunk() throws Exception {
        BackupWriter.Result r = backup("vm-4", "bad", null, image);
        DiskIndex idx = repo.readIndex(r.ref(), r.manifest().disks().get(0));
        Path chunk = dir.resolve("repo").resolve(idx.id(1).key());
        byte[] c = Files.readAllBytes(chunk);
        c[c.length / 2] ^= 0x40;
        Files.write(chunk, c);
        FileNode raw = (FileNode) tree(1000)
                .resolve("/vms/bad/" + BackupTree.TIME_NAME.format(r.manifest().instant()) + "/disks/web01.raw");
        assertThrows(CorruptObjectException.class, () -> raw.read(CHUNK + 10, ByteBuffer.allocate(100)));
        // the chunk before it still reads
        ByteBuffer ok = ByteBuffer.allocate(100);
        assertEquals(100, raw.read(0, ok));
    }

    @Test
    @DisplayName("backups made or deleted while mounted appear and disappear; same-named VMs stay apart")
    void refresh() throws Exception {
        backup("vm-5", "web", "u-5", image);
        BackupTree t = tree(0);
        assertEquals(
                List.of("web"),
                ((Dir) t.resolve("/vms")).children().stream().map(Node::name).toList());
        BackupWriter.Result other = backup("vm-6", "web", "u-6", image);
        List<String> names =
                ((Dir) t.resolve("/vms")).children().stream().map(Node::name).toList();
        assertEquals(List.of("web (vm-5)", "web (vm-6)"), names);
        assertInstanceOf(Link.class, t.resolve("/by-uuid/u-6"));
        repo.deleteBackup(other.ref());
        assertEquals(
                List.of("web"),
                ((Dir) t.resolve("/vms")).children().stream().map(Node::name).toList());
    }
}
