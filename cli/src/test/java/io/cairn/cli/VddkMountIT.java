package io.cairn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.vixmntbridge.testing.CallLog;
import io.cairn.vixmntbridge.testing.VddkStandin;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * {@code cairn mount --vddk DIR} with the gcc-built STAND-INS for VMware's libvixDiskLib and
 * libvixMntapi (scripts/vddk-standin; VMware's VDDK cannot be installed here), over backups of the
 * mount fixtures (mount/src/test/fixtures/make-fixtures.sh): each backup disk is opened by VixDiskLib
 * over a local connection as the flat VMDK the mount shows under {@code .cairn/disk}, VixMntapi lists
 * its volumes and mounts the Linux ones, and the tree is the one {@code cairn mount} shows without a
 * VDDK. What VixMntapi cannot mount (NTFS, never offered; XFS, which the stand-in refuses as VMware's
 * library may) goes to the open fallback. Needs root, /dev/fuse, fuse2fs, gcc.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class VddkMountIT {
    @TempDir
    static Path dir;

    static final Cairn cairn = new Cairn();
    static VddkStandin standin;
    static Path fixtures;
    static Path repo;
    static Path mnt;
    static Path callLog;
    static Cairn.Running mount;

    @BeforeAll
    static void setUp() throws Exception {
        standin = VddkStandin.build(dir.resolve("vddk"));
        fixtures = Path.of("target", "fixtures").toAbsolutePath();
        Path script = Path.of("..", "mount", "src", "test", "fixtures", "make-fixtures.sh")
                .toAbsolutePath()
                .normalize();
        Util.sh("bash", script.toString(), fixtures.toString());
        repo = dir.resolve("repo");
        cairn.init(repo);
        for (String img : List.of("gpt", "mbr-ntfs", "gpt-xfs")) {
            cairn.backup(repo, fixtures.resolve(img + ".img"));
        }
        mnt = Files.createDirectories(dir.resolve("mnt"));
        callLog = dir.resolve("mount-calls.log");
        mount = cairn.start(
                VddkStandin.env(callLog, Map.of(), List.of(), List.of()),
                "mount",
                "--repo",
                repo.toString(),
                "--vixmntapi",
                "--vddk",
                standin.home().toString(),
                mnt.toString());
        MountIT.awaitMounted(mnt, mount);
    }

    @AfterAll
    static void tearDown() {
        try {
            if (mnt != null && Util.exec("findmnt", "-n", mnt.toString()).exit() == 0) {
                cairn.run("mount", "--cleanup", mnt.toString());
            }
        } finally {
            cairn.close();
        }
    }

    @Test
    @Order(1)
    @DisplayName(
            "mount --vixmntapi --vddk lists the guest volumes; the ext4 one is mounted through VixMntapi and its files equal the"
                    + " source tree")
    void ext4ThroughVixMntapi() throws Exception {
        Path vols = mnt.resolve("vms/gpt/latest/volumes");
        assertEquals(Set.of("gpt-p1", "gpt-p2"), MountIT.names(vols));
        MountIT.assertSameTree(fixtures.resolve("content"), vols.resolve("gpt-p2"), UnaryOperator.identity(), false);

        CallLog log = CallLog.read(callLog);
        assertEquals(1, log.of("VixMntapi_Init").size(), log.describe());
        CallLog.Call connect = log.of("VixDiskLib_ConnectEx").get(0);
        assertEquals("NULL", connect.arg("server"), "a local connection: " + connect.line());
        CallLog.Call open =
                log.where(c -> c.function().equals("VixDiskLib_Open") && c.ok()).get(0);
        assertTrue(
                open.arg("path").startsWith(mnt.resolve(".cairn/disk") + "/")
                        && open.arg("path").endsWith("/gpt.vmdk"),
                "the backup's disk, as the mount shows it: " + open.line());
        assertEquals("0x4", open.arg("flags"), "read-only: " + open.line());
        assertEquals("file", open.result("transport"), open.line());
        assertEquals("2", log.of("VixMntapi_GetVolumeHandles").get(0).result("volumes"));
        List<CallLog.Call> mounts = log.where(c -> c.function().equals("VixMntapi_MountVolume") && c.ok());
        assertEquals(1, mounts.size(), log.describe());
        CallLog.Call m = mounts.get(0);
        assertEquals("1", m.arg("volume"), "gpt-p2 is VixMntapi's second volume: " + m.line());
        assertEquals("1", m.arg("readOnly"), m.line());
        // the tree's directory is VixMntapi's mount, bound in
        Path where = Path.of(m.result("path"));
        assertEquals(
                Files.readString(where.resolve("hello.txt")),
                Files.readString(vols.resolve("gpt-p2/hello.txt")),
                "the same file through VixMntapi's path and through the tree");
        assertTrue(
                MountIT.mountsBelow(mnt).stream().anyMatch(p -> p.startsWith(mnt + "/.cairn/mnt/")),
                "bound into .cairn/mnt: " + MountIT.mountsBelow(mnt));
    }

    @Test
    @Order(2)
    @DisplayName(
            "the open fallback takes what VixMntapi does not: FAT (cairn's reader), NTFS (ntfs-3g), XFS after VixMntapi refused it")
    void fallback() throws Exception {
        Path gpt = mnt.resolve("vms/gpt/latest/volumes");
        MountIT.assertSameTree(
                fixtures.resolve("content"),
                gpt.resolve("gpt-p1"),
                p -> p.startsWith("hello.txt") || p.startsWith("dir1") || p.startsWith("Ünïcödé dir") ? p : null,
                true);
        Path ntfs = mnt.resolve("vms/mbr-ntfs/latest/volumes");
        MountIT.assertSameTree(
                fixtures.resolve("content"), ntfs.resolve("mbr-ntfs-p1"), UnaryOperator.identity(), false);
        Path xfs = mnt.resolve("vms/gpt-xfs/latest/volumes");
        MountIT.assertSameTree(
                fixtures.resolve("content"),
                xfs.resolve("gpt-xfs-p1"),
                p -> p.startsWith("Ünïcödé dir") ? p.replace(' ', '_') : p,
                false);

        CallLog log = CallLog.read(callLog);
        List<CallLog.Call> refused = log.where(c -> c.function().equals("VixMntapi_MountVolume") && !c.ok());
        assertEquals(1, refused.size(), "XFS was offered to VixMntapi, which refused it" + log.describe());
        assertFalse(
                log
                        .where(c -> c.function().equals("VixDiskLib_Open")
                                && c.arg("path").endsWith("/mbr-ntfs.vmdk"))
                        .stream()
                        .findAny()
                        .isPresent(),
                "NTFS is never offered to VixMntapi on Linux");
        assertTrue(mount.isAlive(), "the mount runs on");
    }

    @Test
    @Order(3)
    @DisplayName("VixMntapi only when asked for by name: --vddk alone is refused in one line, and so is --vixmntapi"
            + " without a VDDK; neither loads a library")
    void vixMntapiOnlyByName() throws Exception {
        int before = CallLog.read(callLog).calls().size();
        Path other = Files.createDirectories(dir.resolve("mnt-other"));
        cairn.run("mount", "--repo", repo.toString(), "--vddk", standin.home().toString(), other.toString())
                .expectFailure(2, "mount", "--vddk serves --vixmntapi only");
        cairn.run("mount", "--repo", repo.toString(), "--vixmntapi", other.toString())
                .expectFailure(2, "mount", "--vixmntapi needs VMware's VDDK");
        assertEquals(List.of(), MountIT.mountsBelow(other), "nothing was mounted");
        assertEquals(before, CallLog.read(callLog).calls().size(), "no VDDK call was made");
    }

    @Test
    @Order(4)
    @DisplayName(
            "cairn umount dismounts VixMntapi's volumes and closes its disk sets before the FUSE mount goes; Exit last")
    void umount() throws Exception {
        Cairn.Result r = cairn.run("umount", mnt.toString()).ok();
        assertTrue(r.out().contains("unmounted " + mnt), r.describe());
        Cairn.Result m = mount.await(60);
        assertEquals(0, m.exit(), m.describe());
        assertEquals(List.of(), MountIT.mountsBelow(mnt), "nothing may stay mounted");
        try (Stream<Path> s = Files.list(mnt)) {
            assertEquals(0, s.count(), "the mount point is an empty directory again");
        }
        CallLog log = CallLog.read(callLog);
        List<CallLog.Call> calls = log.calls();
        int exit = log.indexOf(log.of("VixMntapi_Exit").get(0));
        assertFalse(log.of("VixMntapi_DismountVolume").isEmpty(), log.describe());
        for (CallLog.Call d : log.of("VixMntapi_DismountVolume")) {
            assertTrue(d.ok(), d.line());
            CallLog.Call close = log.where(c -> c.function().equals("VixMntapi_CloseDiskSet")
                            && d.arg("diskSet").equals(c.arg("diskSet")))
                    .get(0);
            assertTrue(log.indexOf(d) < log.indexOf(close), "dismounted before its set is closed" + log.describe());
        }
        for (String f : List.of("VixMntapi_CloseDiskSet", "VixDiskLib_Close", "VixDiskLib_Disconnect")) {
            for (CallLog.Call c : log.of(f)) {
                assertTrue(log.indexOf(c) < exit, f + " before VixMntapi_Exit" + log.describe());
            }
        }
        assertEquals("VixDiskLib_Exit", calls.get(calls.size() - 1).function(), "Exit last" + log.describe());
        CallLog.Call libExit = log.of("VixDiskLib_Exit").get(0);
        assertEquals("0", libExit.arg("openDisks"), libExit.line());
        assertEquals("0", libExit.arg("unfreed"), libExit.line());
    }
}
