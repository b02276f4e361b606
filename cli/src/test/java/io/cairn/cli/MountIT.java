package io.cairn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backups of real guest disks (GPT FAT32+ext4, MBR NTFS, GPT XFS, MBR+LVM ext4/FAT16, made by
 * mkfs/sfdisk/lvm from mount/src/test/fixtures/make-fixtures.sh) through a real FUSE mount: every
 * disk byte and every guest file's name and bytes compared with the source.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MountIT {
    @TempDir
    static Path dir;

    static final Cairn cairn = new Cairn();
    static Path fixtures;
    static Path repo;
    static Path mnt;
    static Cairn.Running mount;
    static long firstListingMillis;

    static final List<String> IMAGES = List.of("gpt", "mbr-ntfs", "gpt-xfs", "lvm");

    @BeforeAll
    static void setUp() throws Exception {
        fixtures = Path.of("target", "fixtures").toAbsolutePath();
        Path script = Path.of("..", "mount", "src", "test", "fixtures", "make-fixtures.sh")
                .toAbsolutePath()
                .normalize();
        Util.sh("bash", script.toString(), fixtures.toString());
        repo = dir.resolve("repo");
        cairn.init(repo);
        for (String img : IMAGES) {
            cairn.backup(repo, fixtures.resolve(img + ".img"));
        }
        mnt = Files.createDirectories(dir.resolve("mnt"));
        long t0 = System.nanoTime();
        mount = cairn.start("mount", "--repo", repo.toString(), mnt.toString());
        awaitMounted(mnt, mount);
        try (Stream<Path> s = Files.list(mnt.resolve("vms/gpt/latest/volumes/gpt-p2/"))) {
            assertTrue(s.count() > 0);
        }
        firstListingMillis = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("MountIT: cairn mount to the first guest directory listing: " + firstListingMillis + " ms");
    }

    static void awaitMounted(Path mp, Cairn.Running r) throws Exception {
        for (int i = 0; i < 600; i++) {
            if (Util.exec("findmnt", "-n", "-t", "fuse.cairn", mp.toString()).exit() == 0) {
                return;
            }
            if (!r.isAlive()) {
                fail("cairn mount exited early\n" + r.await().describe());
            }
            Thread.sleep(50);
        }
        fail("cairn mount did not mount within 30 s");
    }

    @AfterAll
    static void tearDown() {
        try {
            if (mnt != null) {
                if (Util.exec("findmnt", "-n", mnt.toString()).exit() == 0) {
                    cairn.run("mount", "--cleanup", mnt.toString());
                }
            }
        } finally {
            cairn.close();
        }
    }

    @Test
    @Order(1)
    @DisplayName("every disk reads back byte for byte, as -flat.vmdk and through its .vmdk descriptor")
    void disks() throws Exception {
        for (String img : IMAGES) {
            Path disks = mnt.resolve("vms").resolve(img).resolve("latest/disks");
            Path flat = disks.resolve(img + "-flat.vmdk");
            Path source = fixtures.resolve(img + ".img");
            assertEquals(Files.size(source), Files.size(flat), flat.toString());
            assertEquals(Util.sha256(source), Util.sha256(flat), flat.toString());
            String cmp = Util.sh(
                    "qemu-img",
                    "compare",
                    "-f",
                    "vmdk",
                    "-F",
                    "raw",
                    disks.resolve(img + ".vmdk").toString(),
                    source.toString());
            assertTrue(cmp.contains("identical"), cmp);
        }
    }

    @Test
    @Order(2)
    @DisplayName("the tree: vms/<vm>/<time>/{config,disks,volumes}, latest, by-uuid; read-only")
    void tree() throws Exception {
        try (Stream<Path> s = Files.list(mnt.resolve("vms"))) {
            assertEquals(
                    Set.of("gpt", "mbr-ntfs", "gpt-xfs", "lvm"),
                    Set.copyOf(s.map(p -> p.getFileName().toString()).toList()));
        }
        Path latest = mnt.resolve("vms/gpt/latest");
        assertTrue(Files.isSymbolicLink(latest));
        String target = Files.readSymbolicLink(latest).toString();
        assertTrue(target.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ"), target);
        assertTrue(Files.isRegularFile(mnt.resolve("vms/gpt/latest/config/vm.json")));
        Cairn.Result list =
                cairn.run("list", "--repo", repo.toString(), "--json").ok();
        assertTrue(
                Files.readString(mnt.resolve("vms/gpt/latest/config/vm.json")).contains("\"gpt\""));
        assertFalse(list.out().isEmpty());
        Util.Cmd touch =
                Util.exec("touch", mnt.resolve("vms/gpt/latest/disks/new").toString());
        assertTrue(touch.exit() != 0 && touch.output().contains("Read-only"), touch.output());
        Util.Cmd write = Util.exec("sh", "-c", "echo x >> '" + mnt.resolve("vms/gpt/latest/disks/gpt-flat.vmdk") + "'");
        assertTrue(write.exit() != 0, write.output());
    }

    @Test
    @Order(3)
    @DisplayName("GPT: the FAT32 volume (cairn's reader) and the ext4 volume (fuse2fs) hold the source files")
    void gpt() throws Exception {
        Path vols = mnt.resolve("vms/gpt/latest/volumes");
        assertEquals(Set.of("gpt-p1", "gpt-p2"), names(vols));
        // FAT: hello.txt, dir1 and "Ünïcödé dir"; mcopy stored the symlink as a copy of its target
        assertSameTree(
                fixtures.resolve("content"),
                vols.resolve("gpt-p1"),
                p -> p.startsWith("hello.txt") || p.startsWith("dir1") || p.startsWith("Ünïcödé dir") ? p : null,
                true);
        assertSameTree(fixtures.resolve("content"), vols.resolve("gpt-p2"), UnaryOperator.identity(), false);
    }

    @Test
    @Order(4)
    @DisplayName("MBR: the NTFS volume (ntfs-3g) holds the source files, and cp copies one out")
    void ntfs() throws Exception {
        Path vols = mnt.resolve("vms/mbr-ntfs/latest/volumes");
        assertEquals(Set.of("mbr-ntfs-p1"), names(vols));
        assertSameTree(fixtures.resolve("content"), vols.resolve("mbr-ntfs-p1"), UnaryOperator.identity(), false);
        Path out = dir.resolve("restored-from-ntfs.bin");
        Util.sh("cp", vols.resolve("mbr-ntfs-p1/dir1/random5M.bin").toString(), out.toString());
        assertEquals(Util.sha256(fixtures.resolve("content/dir1/random5M.bin")), Util.sha256(out));
        Path out2 = dir.resolve("restored-from-ext4.txt");
        Util.sh(
                "cp",
                mnt.resolve("vms/gpt/latest/volumes/gpt-p2/Ünïcödé dir/naïve café.txt")
                        .toString(),
                out2.toString());
        assertEquals(Util.sha256(fixtures.resolve("content/Ünïcödé dir/naïve café.txt")), Util.sha256(out2));
    }

    @Test
    @Order(5)
    @DisplayName("GPT: the XFS volume (micro-VM, norecovery) holds the source files")
    void xfs() throws Exception {
        Path vols = mnt.resolve("vms/gpt-xfs/latest/volumes");
        assertEquals(Set.of("gpt-xfs-p1"), names(vols));
        // protofiles allow no spaces: the fixture renamed that one directory and file
        assertSameTree(
                fixtures.resolve("content"),
                vols.resolve("gpt-xfs-p1"),
                p -> p.startsWith("Ünïcödé dir") ? p.replace(' ', '_') : p,
                false);
    }

    @Test
    @Order(6)
    @DisplayName("LVM: the ext4 and FAT16 logical volumes hold the source files")
    void lvm() throws Exception {
        Path vols = mnt.resolve("vms/lvm/latest/volumes");
        assertEquals(Set.of("vgtest-lvdata", "vgtest-lvsmall"), names(vols));
        assertSameTree(fixtures.resolve("content"), vols.resolve("vgtest-lvdata"), UnaryOperator.identity(), false);
        assertSameTree(
                fixtures.resolve("content"),
                vols.resolve("vgtest-lvsmall"),
                p -> p.startsWith("hello.txt") || p.startsWith("dir1") ? p : null,
                true);
    }

    @Test
    @Order(7)
    @DisplayName("a disk with swap and unformatted space lists both in volumes/UNSUPPORTED.txt")
    void unsupported() throws Exception {
        Path img = dir.resolve("odd.img");
        Util.sh("truncate", "-s", "16M", img.toString());
        Util.sh(
                "sh",
                "-c",
                "printf 'label: dos\\nstart=2048, size=8192, type=82\\nstart=10240, type=83\\n' | sfdisk --quiet '"
                        + img + "'");
        Path swap = dir.resolve("swap.part");
        Util.sh("truncate", "-s", "4M", swap.toString());
        Util.sh("mkswap", swap.toString());
        Util.sh("dd", "if=" + swap, "of=" + img, "bs=1M", "seek=1", "conv=notrunc", "status=none");
        Util.sh("dd", "if=/dev/urandom", "of=" + img, "bs=1M", "seek=5", "count=2", "conv=notrunc", "status=none");
        cairn.backup(repo, img);
        Path vols = mnt.resolve("vms/odd/latest/volumes");
        for (int i = 0; i < 100 && !Files.exists(mnt.resolve("vms/odd")); i++) {
            Thread.sleep(100); // the mount lists the repository again every few seconds
        }
        assertEquals(Set.of("UNSUPPORTED.txt"), names(vols));
        String text = Files.readString(vols.resolve("UNSUPPORTED.txt"));
        assertTrue(text.contains("odd-p1: swap space"), text);
        assertTrue(text.contains("odd-p2: no filesystem recognised"), text);
    }

    @Test
    @Order(8)
    @DisplayName("a busy, missing or non-empty mount point is refused with a clear message")
    void badMountPoints() throws Exception {
        cairn.run("mount", "--repo", repo.toString(), mnt.toString()).expectFailure(1, "mount", "busy", mnt.toString());
        Path missing = dir.resolve("nowhere");
        cairn.run("mount", "--repo", repo.toString(), missing.toString()).expectFailure(1, "mount", "does not exist");
        Path full = Files.createDirectories(dir.resolve("full"));
        Files.writeString(full.resolve("x"), "x");
        cairn.run("mount", "--repo", repo.toString(), full.toString()).expectFailure(1, "mount", "not empty");
        cairn.run("umount", full.toString()).expectFailure(1, "umount", "no cairn mount");
    }

    @Test
    @Order(9)
    @DisplayName("cairn umount takes down the guest volumes, then the mount; the mount process exits 0")
    void umount() throws Exception {
        List<String> before = mountsBelow(mnt);
        // the mount itself + ext4 (gpt-p2), NTFS, XFS and the ext4 LV; FAT volumes are read by cairn, not mounted
        assertEquals(5, before.size(), "guest volumes should be mounted by now: " + before);
        Cairn.Result r = cairn.run("umount", mnt.toString()).ok();
        assertTrue(r.out().contains("unmounted " + mnt), r.describe());
        Cairn.Result m = mount.await(60);
        assertEquals(0, m.exit(), m.describe());
        assertEquals(List.of(), mountsBelow(mnt), "nothing may stay mounted");
        assertTrue(Util.exec("pgrep", "-f", mnt.toString()).exit() != 0, "no driver process may stay behind");
        try (Stream<Path> s = Files.list(mnt)) {
            assertEquals(0, s.count(), "the mount point is an empty directory again");
        }
    }

    @Test
    @Order(10)
    @DisplayName("after kill -9 of a mount with guest volumes, cairn mount --cleanup leaves nothing behind")
    void cleanupAfterKill() throws Exception {
        Path mp = Files.createDirectories(dir.resolve("mnt2"));
        Cairn.Result bg = cairn.run(
                        "mount",
                        "--background",
                        "--repo",
                        repo.toString(),
                        "--log",
                        dir.resolve("mount2.log").toString(),
                        mp.toString())
                .ok();
        assertTrue(bg.out().contains("mounted on " + mp), bg.describe());
        try (Stream<Path> s = Files.list(mp.resolve("vms/gpt/latest/volumes/gpt-p2/dir1"))) {
            assertTrue(s.count() > 0);
        }
        try (Stream<Path> s = Files.list(mp.resolve("vms/mbr-ntfs/latest/volumes/mbr-ntfs-p1/"))) {
            assertTrue(s.count() > 0);
        }
        String pid = Util.sh("pgrep", "-f", "mount --daemonized.*" + mp).trim().split("\\s+")[0];
        Util.sh("kill", "-9", pid);
        for (int i = 0; i < 100 && Util.exec("kill", "-0", pid).exit() == 0; i++) {
            Thread.sleep(50);
        }
        assertFalse(
                mountsBelow(mp).isEmpty(), "a killed mount leaves its mounts behind (this is what --cleanup is for)");
        Cairn.Result c = cairn.run("mount", "--cleanup").ok();
        assertTrue(c.out().contains("unmounted " + mp), c.describe());
        assertEquals(List.of(), mountsBelow(mp));
        // and the directory can be mounted again
        Cairn.Result again = cairn.run(
                        "mount",
                        "--background",
                        "--repo",
                        repo.toString(),
                        "--log",
                        dir.resolve("mount3.log").toString(),
                        mp.toString())
                .ok();
        assertTrue(Files.isDirectory(mp.resolve("vms/gpt")), again.describe());
        cairn.run("umount", mp.toString()).ok();
        assertEquals(List.of(), mountsBelow(mp));
    }

    @Test
    @Order(11)
    @DisplayName("another local user reads nothing of root's mount unless it was made with --allow-other;"
            + " a background mount keeps none of its caller's environment but what it needs")
    void allowOther() throws Exception {
        // a directory other users can traverse (JUnit's temporary directories are 0700)
        Path base = Files.createTempDirectory(
                Path.of("/tmp"),
                "cairn-allow-other-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Path own = base.resolve("own");
        Path shared = base.resolve("shared");
        try {
            for (Path p : List.of(own, shared)) {
                Files.createDirectory(p);
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
            Cairn.Running m = cairn.start("mount", "--repo", repo.toString(), own.toString());
            awaitMounted(own, m);
            Path vmJson = Path.of("vms/gpt/latest/config/vm.json");
            assertTrue(Files.readString(own.resolve(vmJson)).contains("\"gpt\""), "root reads its own mount");
            Util.Cmd denied = asNobody("cat", own.resolve(vmJson).toString());
            assertTrue(denied.exit() != 0 && denied.output().contains("Permission denied"), denied.output());

            Cairn.Result bg = cairn.run(
                            Map.of("CAIRN_VC_PASSWORD", "vc-secret-4711", "VDDK_HOME", "/opt/vddk-secret"),
                            "mount",
                            "--background",
                            "--allow-other",
                            "--repo",
                            repo.toString(),
                            "--log",
                            base.resolve("shared.log").toString(),
                            shared.toString())
                    .ok();
            var pid = java.util.regex.Pattern.compile("process (\\d+)").matcher(bg.out());
            assertTrue(pid.find(), bg.describe());
            String environ =
                    Files.readString(Path.of("/proc", pid.group(1), "environ")).replace('\0', '\n');
            assertFalse(environ.contains("vc-secret-4711") || environ.contains("VDDK_HOME"), environ);
            assertTrue(environ.lines().anyMatch(l -> l.startsWith("PATH=")), environ);
            Util.Cmd allowed = asNobody("cat", shared.resolve(vmJson).toString());
            assertEquals(0, allowed.exit(), allowed.output());
            assertTrue(allowed.output().contains("\"gpt\""), allowed.output());
            assertTrue(
                    Util.sh("findmnt", "-n", "-o", "OPTIONS", shared.toString()).contains("allow_other"),
                    "the kernel shows allow_other on the shared mount");
            cairn.run("umount", shared.toString()).ok();
            cairn.run("umount", own.toString()).ok();
            m.await();
        } finally {
            for (Path p : List.of(own, shared)) {
                if (!mountsBelow(p).isEmpty()) {
                    cairn.run("mount", "--cleanup", p.toString());
                }
            }
            Util.deleteTree(base);
        }
    }

    /** Runs a command as the user and group nobody (65534), without supplementary groups. */
    static Util.Cmd asNobody(String... cmd) {
        List<String> all = new ArrayList<>(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"));
        all.addAll(List.of(cmd));
        return Util.exec(all.toArray(String[]::new));
    }

    // ---- helpers ----

    static Set<String> names(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return Set.copyOf(s.map(p -> p.getFileName().toString()).toList());
        }
    }

    static List<String> mountsBelow(Path mp) throws IOException {
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String point = line.split(" ")[4].replace("\\040", " ");
            if (point.equals(mp.toString()) || point.startsWith(mp + "/")) {
                out.add(point);
            }
        }
        return out;
    }

    /**
     * Compares a guest volume with the source tree: the same names (after {@code rename}; a null
     * result leaves the source entry out), the same bytes, the same symlink targets. {@code
     * linksAsCopies}: the filesystem has no symlinks, so a source link must appear as a copy of its
     * target. lost+found is ignored.
     */
    static void assertSameTree(Path source, Path volume, UnaryOperator<String> rename, boolean linksAsCopies)
            throws IOException {
        Map<String, String> expected = describe(source, rename, linksAsCopies);
        Map<String, String> got = describe(volume, UnaryOperator.identity(), false);
        got.keySet().removeIf(k -> k.equals("lost+found") || k.startsWith("lost+found/"));
        assertEquals(expected.keySet(), got.keySet(), "names in " + volume);
        assertEquals(expected, got, "content of " + volume);
        assertTrue(expected.size() >= 5, "a tree of " + expected.size() + " entries is too small to prove anything");
    }

    /** relative path -> "dir", "link:<target>" or "file:<sha256>". */
    static Map<String, String> describe(Path top, UnaryOperator<String> rename, boolean linksAsCopies)
            throws IOException {
        // volumes/<name> is a link to where the driver mounted the volume: walk what it points to
        Path root = top.toRealPath();
        Map<String, String> out = new TreeMap<>();
        List<Path> all;
        try (Stream<Path> s = Files.walk(root)) {
            all = s.filter(p -> !p.equals(root)).toList();
        }
        for (Path p : all) {
            String rel = rename.apply(root.relativize(p).toString());
            if (rel == null) {
                continue;
            }
            if (Files.isSymbolicLink(p)) {
                out.put(
                        rel,
                        linksAsCopies ? "file:" + Util.sha256(p.toRealPath()) : "link:" + Files.readSymbolicLink(p));
            } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                out.put(rel, "dir");
            } else {
                out.put(rel, "file:" + Util.sha256(p));
            }
        }
        return out;
    }
}
