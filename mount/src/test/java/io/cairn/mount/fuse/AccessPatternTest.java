package io.cairn.mount.fuse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.cairn.mount.guest.GuestVolumeManager;
import io.cairn.mount.image.ChunkCache;
import io.cairn.mount.tree.BackupTree;
import io.cairn.mount.tree.GuestVolumes;
import io.cairn.repository.Repository;
import io.cairn.repository.TestRepos;
import io.cairn.repository.store.FaultyStore;
import io.cairn.repository.store.LocalStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.Struct;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import ru.serce.jnrfuse.ErrorCodes;
import ru.serce.jnrfuse.FuseFillDir;
import ru.serce.jnrfuse.struct.FileStat;
import ru.serce.jnrfuse.struct.FuseFileInfo;

/**
 * The FUSE adapter without a kernel (after Cryptomator's {@code AccessPatternIntegrationTest}): the
 * calls the kernel would make — getattr, readdir, open, read, release — made directly on
 * {@link CairnFuse}, with native structs and buffers allocated through jnr-ffi as libfuse would pass
 * them, over a real backup made in the test of a disk with a FAT16 volume (sfdisk, mkfs.fat, mcopy).
 * Every byte read is compared with the source. The real mounts are tested by the cli's MountIT.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AccessPatternTest {
    static final int C = TestRepos.CHUNK;
    /** 40 MiB: a 1 MiB gap, a 32 MiB FAT16 partition, then 7 MiB of random bytes outside any volume. */
    static final int DISK_SIZE = 40 << 20;

    static final int O_RDONLY = 0;
    static final int O_WRONLY = 1;
    static final int O_RDWR = 2;

    @TempDir
    static Path dir; // static: filled before @BeforeAll, one directory for the whole class

    final Runtime rt = Runtime.getSystemRuntime();
    final List<String> log = new CopyOnWriteArrayList<>();
    byte[] disk;
    byte[] randomFile;
    byte[] helloFile;
    LocalStore local;
    Repository repo;
    ChunkCache cache;
    CairnFuse fs;
    /** {@code /vms/fatvm/<time>}: the one backup's directory. */
    String backup;

    @BeforeAll
    void backUpAFatDisk() throws Exception {
        Path content = dir.resolve("content");
        Files.createDirectories(content.resolve("dir/sub"));
        Random rnd = new Random(7914);
        randomFile = new byte[3 * C + 12345]; // spans several chunks, ends mid-cluster
        rnd.nextBytes(randomFile);
        helloFile = "hello from the guest\n".getBytes(StandardCharsets.US_ASCII);
        Files.write(content.resolve("dir/random.bin"), randomFile);
        Files.write(content.resolve("hello.txt"), helloFile);
        Files.writeString(content.resolve("dir/sub/numbers.txt"), "1\n2\n3\n");

        Path img = dir.resolve("fatvm.img");
        try (var f = java.nio.channels.FileChannel.open(
                img, java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE)) {
            byte[] tail = new byte[7 << 20];
            rnd.nextBytes(tail);
            f.write(ByteBuffer.wrap(tail), 33L << 20);
        }
        run(
                List.of("sfdisk", "--quiet", img.toString()),
                "label: dos\nunit: sectors\nstart=2048, size=65536, type=6\n");
        run(List.of("mkfs.fat", "-F", "16", "-n", "CAIRNFAT", "--offset=2048", img.toString(), "32768"), null);
        run(
                List.of(
                        "mcopy",
                        "-s",
                        "-i",
                        img + "@@1048576",
                        dir.resolve("content/hello.txt").toString(),
                        dir.resolve("content/dir").toString(),
                        "::/"),
                null);
        disk = Files.readAllBytes(img);
        assertEquals(DISK_SIZE, disk.length);

        local = new LocalStore(dir.resolve("repo"));
        repo = TestRepos.init(local);
        TestRepos.backup(repo, "fatvm", disk);
        cache = new ChunkCache(repo.chunks(), 8L * C, 2);
        fs = fuse(repo, cache);
        List<String> times = list("/vms/fatvm");
        assertEquals(2, times.size(), times.toString()); // <time> and latest
        backup = "/vms/fatvm/" + times.get(0);
    }

    @AfterAll
    void closeCache() {
        if (cache != null) {
            cache.close();
        }
    }

    private CairnFuse fuse(Repository r, ChunkCache c) {
        // No kernel mounts: the FAT volume is read by cairn's own FAT reader, as on a machine without vfat.
        GuestVolumes volumes = new GuestVolumeManager(null, false, log::add);
        return new CairnFuse(new BackupTree(r, c, volumes, 0, 4), 0, 0, log::add, () -> {});
    }

    private static void run(List<String> cmd, String stdin) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("MTOOLS_SKIP_CHECK", "1");
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            fail(cmd.get(0) + " is missing (scripts/setup --test installs it): " + e.getMessage());
            return;
        }
        if (stdin != null) {
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.US_ASCII));
        }
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), cmd + " did not finish");
        assertEquals(0, p.exitValue(), cmd + " failed: " + out);
    }

    // ---- the calls, with native memory as libfuse passes it ----

    private FileStat stat(String path, int expect) {
        FileStat st = FileStat.of(Memory.allocateDirect(rt, Struct.size(new FileStat(rt))));
        assertEquals(expect, fs.getattr(path, st), "getattr " + path);
        return st;
    }

    private List<String> list(String path) {
        List<String> names = new ArrayList<>();
        int r = fs.readdir(path, Memory.allocateDirect(rt, 8), filler(names), 0, info(O_RDONLY));
        assertEquals(0, r, "readdir " + path);
        assertEquals(List.of(".", ".."), names.subList(0, 2));
        return names.subList(2, names.size());
    }

    /** A FuseFillDir collecting names as libfuse's fill_dir would receive them. */
    private static FuseFillDir filler(List<String> names) {
        return (buf, name, stbuf, off) -> {
            byte[] b = new byte[name.remaining()];
            name.get(b);
            int end = 0;
            while (end < b.length && b[end] != 0) {
                end++;
            }
            names.add(new String(b, 0, end, StandardCharsets.UTF_8));
            return 0;
        };
    }

    private FuseFileInfo info(int flags) {
        FuseFileInfo fi = FuseFileInfo.of(Memory.allocateDirect(rt, Struct.size(new FuseFileInfo(rt) {})));
        fi.flags.set(flags);
        return fi;
    }

    private FuseFileInfo open(String path) {
        FuseFileInfo fi = info(O_RDONLY);
        assertEquals(0, fs.open(path, fi), "open " + path);
        return fi;
    }

    /** One read call into a fresh native buffer; returns the bytes it delivered. */
    private byte[] read(String path, FuseFileInfo fi, long offset, int size) {
        Pointer buf = Memory.allocateDirect(rt, size);
        int n = fs.read(path, buf, size, offset, fi);
        assertTrue(n >= 0, "read " + path + " at " + offset + " failed: " + n + " " + log);
        byte[] out = new byte[n];
        buf.get(0, out, 0, n);
        return out;
    }

    /** Reads a whole file sequentially in {@code step}-byte calls, as cat or cp would. */
    private byte[] readAll(String path, int step) {
        FuseFileInfo fi = open(path);
        long size = stat(path, 0).st_size.longValue();
        ByteBuffer all = ByteBuffer.allocate((int) size);
        byte[] got;
        while ((got = read(path, fi, all.position(), step)).length > 0) {
            all.put(got);
        }
        assertEquals(0, fs.release(path, fi));
        assertEquals(size, all.position(), "a short read before the end of " + path);
        return all.array();
    }

    private String flatDisk() {
        List<String> disks = list(backup + "/disks");
        String flat =
                disks.stream().filter(n -> n.endsWith("-flat.vmdk")).findFirst().orElseThrow();
        return backup + "/disks/" + flat;
    }

    private String fatVolume() {
        List<String> vols = list(backup + "/volumes");
        assertEquals(1, vols.size(), vols.toString());
        return backup + "/volumes/" + vols.get(0);
    }

    // ---- the patterns ----

    @Test
    @DisplayName("getattr and readdir walk the tree: directories, files with their sizes, ENOENT and ENOTDIR")
    void walk() {
        assertEquals(List.of("vms", "by-uuid"), list("/").subList(0, 2));
        assertTrue(FileStat.S_ISDIR(stat("/vms", 0).st_mode.intValue()));
        FileStat flat = stat(flatDisk(), 0);
        assertTrue(FileStat.S_ISREG(flat.st_mode.intValue()));
        assertEquals(0, flat.st_mode.intValue() & 0222, "read-only: no write bits");
        assertEquals(DISK_SIZE, flat.st_size.longValue());
        assertTrue(FileStat.S_ISLNK(stat("/vms/fatvm/latest", 0).st_mode.intValue()));

        stat("/vms/nothing", -ErrorCodes.ENOENT());
        stat(flatDisk() + "/below-a-file", -ErrorCodes.ENOENT());
        List<String> ignored = new ArrayList<>();
        assertEquals(-ErrorCodes.ENOENT(), fs.readdir("/nothing", null, filler(ignored), 0, info(O_RDONLY)));
        assertEquals(-ErrorCodes.ENOTDIR(), fs.readdir(flatDisk(), null, filler(ignored), 0, info(O_RDONLY)));
        assertEquals(List.of(), ignored);
    }

    @Test
    @DisplayName("open refuses writing (EROFS), directories (EISDIR) and missing files (ENOENT)")
    void openRefusals() {
        assertEquals(-ErrorCodes.EROFS(), fs.open(flatDisk(), info(O_WRONLY)));
        assertEquals(-ErrorCodes.EROFS(), fs.open(flatDisk(), info(O_RDWR)));
        assertEquals(-ErrorCodes.EISDIR(), fs.open(backup, info(O_RDONLY)));
        assertEquals(-ErrorCodes.ENOENT(), fs.open(backup + "/disks/nothing.vmdk", info(O_RDONLY)));
    }

    @Test
    @DisplayName("a sequential read of the disk in 128 KiB calls (FUSE's max_read) returns the source bit for bit")
    void sequential() {
        assertArrayEquals(disk, readAll(flatDisk(), 128 * 1024));
    }

    @Test
    @DisplayName("random reads across chunk boundaries return exactly the source's bytes")
    void randomAcrossChunks() {
        String path = flatDisk();
        FuseFileInfo fi = open(path);
        Random rnd = new Random(12);
        for (int i = 0; i < 300; i++) {
            long boundary = (long) (1 + rnd.nextInt(DISK_SIZE / C - 1)) * C;
            long offset = Math.max(0, boundary - rnd.nextInt(C + 1));
            int size = 1 + rnd.nextInt(2 * C + 4096); // up to three chunks at once
            int expected = (int) Math.min(size, DISK_SIZE - offset);
            byte[] got = read(path, fi, offset, size);
            assertArrayEquals(
                    Arrays.copyOfRange(disk, (int) offset, (int) offset + expected),
                    got,
                    "read of " + size + " at " + offset);
        }
        assertEquals(0, fs.release(path, fi));
    }

    @Test
    @DisplayName("reads past the end of a file are short at the end and empty beyond it")
    void pastTheEnd() {
        String path = flatDisk();
        FuseFileInfo fi = open(path);
        assertArrayEquals(Arrays.copyOfRange(disk, DISK_SIZE - 100, DISK_SIZE), read(path, fi, DISK_SIZE - 100, 4096));
        assertEquals(0, read(path, fi, DISK_SIZE, 4096).length);
        assertEquals(0, read(path, fi, DISK_SIZE + (1L << 30), 4096).length);
        assertEquals(0, fs.release(path, fi));
    }

    @Test
    @DisplayName("a guest file in the FAT volume reads back as the file that mcopy put there")
    void guestFile() {
        String vol = fatVolume();
        List<String> root = list(vol);
        assertTrue(root.containsAll(List.of("hello.txt", "dir")), root.toString());
        assertEquals(List.of("numbers.txt"), list(vol + "/dir/sub"));
        assertEquals(randomFile.length, stat(vol + "/dir/random.bin", 0).st_size.longValue());
        assertArrayEquals(randomFile, readAll(vol + "/dir/random.bin", 65536 + 7)); // unaligned calls
        assertArrayEquals(helloFile, readAll(vol + "/hello.txt", 4096));
        FuseFileInfo fi = open(vol + "/dir/random.bin");
        assertArrayEquals(
                Arrays.copyOfRange(randomFile, C - 10, C + 10), read(vol + "/dir/random.bin", fi, C - 10, 20));
        assertEquals(0, read(vol + "/dir/random.bin", fi, randomFile.length, 10).length);
        assertEquals(0, fs.release(vol + "/dir/random.bin", fi));
    }

    @Test
    @DisplayName("concurrent readers, each with its own handle, all get the right bytes")
    void concurrentReaders() throws Exception {
        String flat = flatDisk();
        String guest = fatVolume() + "/dir/random.bin";
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                int seed = t;
                results.add(pool.submit(() -> {
                    boolean onGuest = seed % 2 == 0;
                    String path = onGuest ? guest : flat;
                    byte[] source = onGuest ? randomFile : disk;
                    FuseFileInfo fi = open(path);
                    Random rnd = new Random(seed);
                    int reads = 0;
                    for (int i = 0; i < 80; i++) {
                        int offset = rnd.nextInt(source.length);
                        int size = 1 + rnd.nextInt(128 * 1024);
                        byte[] got = read(path, fi, offset, size);
                        int expected = Math.min(size, source.length - offset);
                        assertArrayEquals(Arrays.copyOfRange(source, offset, offset + expected), got);
                        reads++;
                    }
                    assertEquals(0, fs.release(path, fi));
                    return reads;
                }));
            }
            for (Future<Integer> f : results) {
                assertEquals(80, f.get(120, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(30, TimeUnit.SECONDS);
        }
    }

    @Test
    @DisplayName("a damaged or missing chunk is EIO for the read, and the log names the chunk")
    void damagedChunksAreEio() throws IOException {
        for (boolean missing : new boolean[] {false, true}) {
            FaultyStore faulty = new FaultyStore(local);
            Repository r = Repository.open(faulty, () -> null);
            try (ChunkCache fresh = new ChunkCache(r.chunks(), 8L * C, 2)) {
                CairnFuse damaged = fuse(r, fresh);
                FaultyStore.Fault f = missing
                        ? faulty.reads("chunks/.*").missing()
                        : faulty.reads("chunks/.*").corrupt();
                log.clear();
                FuseFileInfo fi = info(O_RDONLY);
                String path = flatDisk();
                assertEquals(0, damaged.open(path, fi));
                Pointer buf = Memory.allocateDirect(rt, 4096);
                // The tail of the disk is random data outside the volume: never all zeros, always stored.
                assertEquals(-ErrorCodes.EIO(), damaged.read(path, buf, 4096, DISK_SIZE - 4096, fi));
                assertTrue(f.fired() > 0);
                String why = missing ? "is missing" : "is damaged";
                assertTrue(
                        log.stream()
                                .anyMatch(l ->
                                        l.matches("read " + path + ": chunks/[0-9a-f]{4}/[0-9a-f]{64} " + why + ".*")),
                        log.toString());
                assertEquals(0, damaged.release(path, fi));
            }
        }
    }
}
