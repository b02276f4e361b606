package io.cairn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
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
 * Issue 12, finding 1: hostile guest file systems are kept at arm's length. An encrypted repository
 * holding every fixture disk (ext2/3/4, NTFS, XFS, FAT, LVM; mount/src/test/fixtures) is mounted
 * with CAIRN_PASSWORD in the mount's environment, every guest volume is opened, and then:
 * <ul>
 *   <li>no guest file system is mounted by the kernel: everything below the mount point is FUSE,
 *       and no loop device reads a file of this test;</li>
 *   <li>every driver (fuse2fs, ntfs-3g, guestmount and its qemu) runs as the sandbox user 65432,
 *       not root, with no capabilities at all, no new privileges, a seccomp filter, and an
 *       environment that holds nothing of cairn's (no CAIRN_PASSWORD);</li>
 *   <li>the XFS volume is read through the micro-VM and holds the source files.</li>
 * </ul>
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GuestIsolationIT {
    @TempDir
    static Path dir;

    static final Cairn cairn = new Cairn();
    static final String PASSWORD = "guest-isolation-secret-" + System.nanoTime();
    static final Map<String, String> ENV = Map.of("CAIRN_PASSWORD", PASSWORD);
    /** The sandbox's user (io.cairn.mount.sandbox.Sandbox.UID; not imported: the test reads what the kernel says). */
    static final int SANDBOX_UID = 65432;

    static Path fixtures;
    static Path repo;
    static Path mnt;
    static Cairn.Running mount;
    /** volume path relative to vms/ -> milliseconds to its first listing. */
    static final Map<String, Long> firstListing = new LinkedHashMap<>();

    @BeforeAll
    static void setUp() throws Exception {
        fixtures = Path.of("target", "fixtures").toAbsolutePath();
        Path script = Path.of("..", "mount", "src", "test", "fixtures", "make-fixtures.sh")
                .toAbsolutePath()
                .normalize();
        Util.sh("bash", script.toString(), fixtures.toString());
        repo = dir.resolve("repo");
        cairn.run(ENV, "init", "--repo", repo.toString(), "--encrypt").ok();
        for (String img : List.of("gpt", "mbr-ntfs", "gpt-xfs", "lvm", "mbr-logical")) {
            cairn.run(ENV, Cairn.backupArgs(repo, fixtures.resolve(img + ".img")))
                    .ok();
        }
        mnt = Files.createDirectories(dir.resolve("mnt"));
        mount = cairn.start(ENV, "mount", "--repo", repo.toString(), mnt.toString());
        MountIT.awaitMounted(mnt, mount);
        // open every volume of every backup: following a volume's link starts its driver
        try (Stream<Path> vms = Files.list(mnt.resolve("vms"))) {
            for (Path vm : vms.sorted().toList()) {
                Path vols = vm.resolve("latest/volumes");
                try (Stream<Path> s = Files.list(vols)) {
                    for (Path v : s.sorted().toList()) {
                        if (Files.isSymbolicLink(v)) {
                            long t0 = System.nanoTime();
                            try (Stream<Path> inside = Files.list(v)) {
                                assertTrue(inside.findAny().isPresent(), "an empty listing of " + v);
                            }
                            firstListing.put(
                                    mnt.resolve("vms").relativize(v).toString(), (System.nanoTime() - t0) / 1_000_000);
                        }
                    }
                }
            }
        }
        System.out.println("GuestIsolationIT: first listing of each sandboxed volume (ms): " + firstListing);
    }

    @AfterAll
    static void tearDown() {
        try {
            if (mnt != null && Util.exec("findmnt", "-n", mnt.toString()).exit() == 0) {
                cairn.run("umount", mnt.toString());
                mount.await(60);
            }
        } finally {
            cairn.close();
        }
    }

    @Test
    @Order(1)
    @DisplayName("ext2/3/4 (fuse2fs), NTFS (ntfs-3g) and XFS (micro-VM) volumes were all opened")
    void everyKindOpened() {
        assertTrue(firstListing.keySet().stream().anyMatch(k -> k.startsWith("gpt/") && k.endsWith("gpt-p2")));
        assertTrue(firstListing.keySet().stream().anyMatch(k -> k.endsWith("mbr-ntfs-p1")));
        assertTrue(firstListing.keySet().stream().anyMatch(k -> k.endsWith("gpt-xfs-p1")));
        assertTrue(firstListing.keySet().stream().anyMatch(k -> k.endsWith("vgtest-lvdata")));
        assertTrue(firstListing.keySet().stream().anyMatch(k -> k.endsWith("mbr-logical-p5")));
    }

    @Test
    @Order(2)
    @DisplayName(
            "no guest file system is mounted by the kernel: only FUSE below the mount, no loop device on our files")
    void noKernelMounts() throws IOException {
        List<String[]> below = mountsBelow(mnt);
        assertTrue(below.size() >= 1 + firstListing.size(), "every opened volume is mounted: " + describe(below));
        for (String[] m : below) {
            assertTrue(m[1].startsWith("fuse."), "a kernel file system below the mount: " + String.join(" ", m));
        }
        Set<String> driverTypes = Set.of("fuse.fuse2fs", "fuse.ntfs-3g", "fuse.micro-vm");
        for (String[] m : below) {
            if (!m[0].equals(mnt.toString())) {
                assertTrue(driverTypes.contains(m[1]), "an unexpected guest mount: " + String.join(" ", m));
            }
        }
        for (String[] m : allMounts()) {
            assertFalse(
                    m[2].startsWith("/dev/loop") && m[0].startsWith(dir.toString()),
                    "a loop device mount below the test directory: " + String.join(" ", m));
        }
        Util.Cmd loops = Util.exec("losetup", "--list", "--noheadings", "--output", "BACK-FILE");
        for (String backing : loops.output().lines().map(String::trim).toList()) {
            assertFalse(backing.startsWith(dir.toString()), "a loop device reads " + backing);
        }
    }

    @Test
    @Order(3)
    @DisplayName(
            "every driver runs as uid 65432 without capabilities, under seccomp, with nothing of cairn's environment")
    void driversAreConfined() throws IOException {
        Map<Long, String> drivers = descendants(mount.pid());
        Map<String, Integer> seen = new TreeMap<>();
        for (Map.Entry<Long, String> d : drivers.entrySet()) {
            String comm = d.getValue();
            if (!Set.of("fuse2fs", "ntfs-3g", "guestmount", "qemu-system-x86").contains(comm)) {
                continue;
            }
            seen.merge(comm, 1, Integer::sum);
            Map<String, String> status = status(d.getKey());
            String who = comm + " (pid " + d.getKey() + ")";
            String ids = (SANDBOX_UID + "\t").repeat(4).trim();
            assertEquals(ids, status.get("Uid"), who + " Uid");
            assertEquals(ids, status.get("Gid"), who + " Gid");
            assertEquals("", status.get("Groups"), who + " supplementary groups");
            for (String cap : List.of("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb")) {
                assertEquals("0000000000000000", status.get(cap), who + " " + cap);
            }
            assertEquals("1", status.get("NoNewPrivs"), who + " NoNewPrivs");
            assertEquals("2", status.get("Seccomp"), who + " Seccomp (2: a filter)");
            // resource limits: a taken-over driver cannot fork without end or take the appliance's memory
            String limits = Files.readString(Path.of("/proc", d.getKey().toString(), "limits"));
            assertTrue(limits.matches("(?s).*Max processes +4096 +4096 .*"), who + " task limit\n" + limits);
            assertTrue(limits.matches("(?s).*Max core file size +0 +0 .*"), who + " core dumps\n" + limits);
            if (!comm.startsWith("qemu") && !comm.equals("guestmount")) {
                assertTrue(
                        limits.matches("(?s).*Max address space +8589934592 +8589934592 .*"),
                        who + " address space\n" + limits);
            }
            String environ = Files.readString(Path.of("/proc", d.getKey().toString(), "environ"));
            assertFalse(environ.contains(PASSWORD), who + " has the repository password in its environment");
            for (String var : environ.split("\0")) {
                if (var.isEmpty()) {
                    continue;
                }
                String name = var.substring(0, Math.max(0, var.indexOf('=')));
                assertTrue(
                        name.matches("PATH|HOME|TMPDIR|PWD|LD_PRELOAD|CAIRN_FUSE_FD|CAIRN_VOLUME|LIBGUESTFS_[A-Z_]+"
                                + "|LC_ALL|QEMU_AUDIO_DRV"),
                        who + " has " + name + " in its environment");
            }
            assertFalse(
                    Files.readSymbolicLink(Path.of("/proc", d.getKey().toString(), "ns/mnt"))
                            .equals(Files.readSymbolicLink(Path.of("/proc/self/ns/mnt"))),
                    who + " shares the host's mount namespace");
            assertFalse(
                    Files.readSymbolicLink(Path.of("/proc", d.getKey().toString(), "ns/net"))
                            .equals(Files.readSymbolicLink(Path.of("/proc/self/ns/net"))),
                    who + " shares the host's network");
        }
        for (String comm : List.of("fuse2fs", "ntfs-3g", "guestmount", "qemu-system-x86")) {
            assertTrue(seen.containsKey(comm), "no " + comm + " among the mount's processes: " + drivers.values());
        }
    }

    @Test
    @Order(4)
    @DisplayName("the XFS volume is read through the micro-VM and holds the source files")
    void xfsThroughMicroVm() throws Exception {
        Path vol = mnt.resolve("vms/gpt-xfs/latest/volumes/gpt-xfs-p1");
        Path real = vol.toRealPath();
        String type = null;
        for (String[] m : mountsBelow(mnt)) {
            if (m[0].equals(real.toString())) {
                type = m[1];
            }
        }
        assertEquals("fuse.micro-vm", type, "the XFS volume's mount");
        MountIT.assertSameTree(
                fixtures.resolve("content"), vol, p -> p.startsWith("Ünïcödé dir") ? p.replace(' ', '_') : p, false);
        MountIT.assertSameTree(
                fixtures.resolve("content"),
                mnt.resolve("vms/gpt/latest/volumes/gpt-p2"),
                UnaryOperator.identity(),
                false);
    }

    @Test
    @Order(5)
    @DisplayName("another local user reads nothing: not the tree, not a disk, not a guest volume (no --allow-other)")
    void privateToRoot() throws Exception {
        // the test directory is root's own (0700): open the way to the mount point, so that only the
        // mount's own modes can stop the other user
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Path ext4 = mnt.resolve("vms/gpt/latest/volumes/gpt-p2").toRealPath();
        for (Path p : List.of(
                mnt,
                mnt.resolve("vms/gpt/latest/config/vm.json"),
                mnt.resolve("vms/gpt/latest/disks/gpt-flat.vmdk"),
                ext4.resolve("hello.txt"))) {
            Util.Cmd c = Util.exec(
                    "setpriv", "--reuid=54321", "--regid=54321", "--clear-groups", "head", "-c", "1", p.toString());
            assertTrue(
                    c.exit() != 0 && c.output().contains("Permission denied"),
                    "uid 54321 read " + p + ": " + c.output());
        }
        // root, who mounted, reads all of it
        assertTrue(Files.readString(ext4.resolve("hello.txt")).startsWith("Hello"));
    }

    @Test
    @Order(6)
    @DisplayName("cairn umount ends every driver and leaves nothing mounted")
    void umountEndsDrivers() throws Exception {
        List<Long> drivers = new ArrayList<>(descendants(mount.pid()).keySet());
        assertFalse(drivers.isEmpty());
        cairn.run("umount", mnt.toString()).ok();
        Cairn.Result r = mount.await(120);
        assertEquals(0, r.exit(), r.describe());
        assertEquals(List.of(), mountsBelow(mnt).stream().map(m -> m[0]).toList());
        List<Long> alive = drivers;
        for (int i = 0; i < 150 && !alive.isEmpty(); i++) {
            Thread.sleep(100);
            alive = alive.stream()
                    .filter(p -> Files.exists(Path.of("/proc", p.toString())))
                    .toList();
        }
        assertEquals(List.of(), alive, "drivers that outlived their mount");
    }

    // ---- /proc helpers ----

    static List<String[]> allMounts() throws IOException {
        List<String[]> out = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] f = line.split(" ");
            int dash = List.of(f).indexOf("-");
            out.add(new String[] {unescape(f[4]), f[dash + 1], unescape(f[dash + 2])});
        }
        return out;
    }

    /** [mount point, type, source] of everything at or below {@code top}. */
    static List<String[]> mountsBelow(Path top) throws IOException {
        List<String[]> out = new ArrayList<>();
        for (String[] m : allMounts()) {
            if (m[0].equals(top.toString()) || m[0].startsWith(top + "/")) {
                out.add(m);
            }
        }
        return out;
    }

    static String describe(List<String[]> mounts) {
        return mounts.stream().map(m -> String.join(" ", m)).toList().toString();
    }

    static String unescape(String s) {
        return s.replace("\\040", " ")
                .replace("\\011", "\t")
                .replace("\\012", "\n")
                .replace("\\134", "\\");
    }

    /** pid -> comm of every process below {@code root}. */
    static Map<Long, String> descendants(long root) throws IOException {
        Map<Long, Long> parent = new HashMap<>();
        Map<Long, String> comm = new HashMap<>();
        try (Stream<Path> s = Files.list(Path.of("/proc"))) {
            for (Path p : s.toList()) {
                String n = p.getFileName().toString();
                if (!n.matches("\\d+")) {
                    continue;
                }
                try {
                    String stat = Files.readString(p.resolve("stat"));
                    int close = stat.lastIndexOf(')');
                    String[] f = stat.substring(close + 2).split(" ");
                    parent.put(Long.parseLong(n), Long.parseLong(f[1]));
                    comm.put(Long.parseLong(n), stat.substring(stat.indexOf('(') + 1, close));
                } catch (IOException e) {
                    // gone meanwhile
                }
            }
        }
        Map<Long, String> out = new TreeMap<>();
        for (Long pid : parent.keySet()) {
            for (Long p = parent.get(pid); p != null && p > 1; p = parent.get(p)) {
                if (p == root) {
                    out.put(pid, comm.get(pid));
                    break;
                }
            }
        }
        return out;
    }

    static Map<String, String> status(long pid) throws IOException {
        Map<String, String> out = new HashMap<>();
        for (String line : new String(
                        Files.readAllBytes(Path.of("/proc", String.valueOf(pid), "status")), StandardCharsets.UTF_8)
                .split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                out.put(line.substring(0, colon), line.substring(colon + 1).trim());
            }
        }
        return out;
    }
}
