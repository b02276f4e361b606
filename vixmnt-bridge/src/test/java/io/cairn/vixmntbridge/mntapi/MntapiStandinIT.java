package io.cairn.vixmntbridge.mntapi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Library;
import com.sun.jna.Native;
import io.cairn.vixmntbridge.VixException;
import io.cairn.vixmntbridge.testing.CallLog;
import io.cairn.vixmntbridge.testing.ProcessEnv;
import io.cairn.vixmntbridge.testing.Tools;
import io.cairn.vixmntbridge.testing.VddkStandin;
import io.cairn.vixmntbridge.vddk.Placement;
import io.cairn.vixmntbridge.vddk.Transport;
import io.cairn.vixmntbridge.vddk.VddkLibrary;
import io.cairn.vixmntbridge.vddk.VddkTarget;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * cairn's real VixMntapi binding ({@link MntapiLibrary}, {@link DiskSet}, JNA) over the gcc-built
 * STAND-IN libvixMntapi.so.1 and libvixDiskLib.so.8 (scripts/vddk-standin; VMware's VDDK cannot be
 * installed here): a GPT disk made by sfdisk with an ext4 volume (mkfs.ext4 -d) and a FAT16 one,
 * converted to a flat VMDK by qemu-img, listed, mounted read-only through fuse2fs and read; and a
 * partitionless ext4 disk like the demo VM's first disk. {@code VixMntapi_Init} may run once per
 * process, so everything runs in one test, in the order a caller uses the library. Needs root and
 * /dev/fuse (a real FUSE mount).
 */
@DisplayName("The VixMntapi binding through the VDDK stand-in (stand-in: VMware's VDDK cannot be installed here)")
class MntapiStandinIT {
    static final String THUMBPRINT = "2C:11:ED:D7:13:87:7D:B5:74:18:B8:1C:42:C2:56:1F:0D:B9:5B:B9";

    /** The stand-ins' own counters of allocations not given back. */
    public interface DiskLibControl extends Library {
        long VddkStandin_Outstanding();
    }

    public interface MntapiControl extends Library {
        long VddkStandin_MntapiOutstanding();
    }

    @TempDir
    Path dir;

    static VddkTarget target(String path) {
        return new VddkTarget(
                "vc.example",
                443,
                THUMBPRINT,
                "backup",
                "pass",
                "vm-7",
                "snapshot-3",
                path,
                "esx1",
                Transport.NBDSSL,
                true,
                Placement.SHARED_THICK);
    }

    @Test
    @DisplayName(
            "lists the partitions of a GPT disk, mounts the ext4 one read-only and reads its files, refuses FAT, and tears down in order")
    void gptDisk() throws Exception {
        VddkStandin standin = VddkStandin.build(dir.resolve("vddk"));
        Path tree = tree(dir.resolve("tree"));
        Path ds = Files.createDirectories(dir.resolve("datastore"));
        Path vmDir = Files.createDirectories(ds.resolve("vm7"));
        Tools.flatVmdk(gptImage(dir.resolve("gpt.img"), tree), vmDir, "gpt");
        Path whole = dir.resolve("whole.img");
        Tools.run(null, null, "truncate", "-s", "16M", whole.toString());
        Tools.run(null, null, "mkfs.ext4", "-q", "-F", "-L", "WHOLE", "-d", tree.toString(), whole.toString());
        Tools.flatVmdk(whole, vmDir, "whole");
        Path callLog = dir.resolve("calls.log");
        ProcessEnv.set(VddkStandin.env(callLog, Map.of("ds7", ds), List.of(), List.of()));
        DiskLibControl diskLib = Native.load(standin.diskLib().toString(), DiskLibControl.class);
        MntapiControl mntapi = Native.load(standin.mntapi().toString(), MntapiControl.class);

        Path work = Files.createDirectories(dir.resolve("work"));
        Path mountedAt;
        try (VddkLibrary vddk = VddkLibrary.load(standin.home(), Transport.NBDSSL, work);
                MntapiLibrary mounter = MntapiLibrary.load(standin.home(), Map.of(), work, work.resolve("mnt.lock"))) {
            try (DiskSet set = mounter.open(vddk.open(target("[ds7] vm7/gpt.vmdk")), true)) {
                List<GuestVolume> volumes = set.volumes();
                assertEquals(
                        List.of(
                                new GuestVolume(0, GuestVolume.Type.GPT_PARTITION, false, null, List.of()),
                                new GuestVolume(1, GuestVolume.Type.GPT_PARTITION, false, null, List.of())),
                        volumes);
                MountedVolume root = set.mount(volumes.get(0));
                mountedAt = root.path();
                assertTrue(mounted(mountedAt), mountedAt + " is a mount point");
                assertTrue(root.readOnly());
                assertSameTree(tree, mountedAt);
                Path rootPath = root.path();
                assertThrows(IOException.class, () -> Files.writeString(rootPath.resolve("new.txt"), "x"));
                assertEquals(
                        new GuestOs(GuestOs.Family.OTHER, 12, 0, true, "Cairn Stand-in Linux", null, "/"),
                        set.guestOs());
                VixException fat = assertThrows(VixException.class, () -> set.mount(volumes.get(1)));
                assertEquals(VixException.VIX_E_NOT_SUPPORTED, fat.code(), fat.getMessage());
                set.dismount(root);
                assertFalse(mounted(mountedAt), "dismounted");
                MountedVolume again = set.mount(volumes.get(0));
                assertEquals(
                        "hello from the guest\n", Files.readString(again.path().resolve("hello.txt")));
                mountedAt = again.path();
            } // closing the set dismounts what is still mounted
            assertFalse(mounted(mountedAt), "closing the disk set dismounts its volumes");

            try (DiskSet set = mounter.open(vddk.open(target("[ds7] vm7/whole.vmdk")), true)) {
                List<GuestVolume> volumes = set.volumes();
                assertEquals(1, volumes.size(), volumes.toString());
                assertNull(volumes.get(0).symbolicLink());
                MountedVolume v = set.mount(volumes.get(0));
                assertSameTree(tree, v.path());
            }
        }
        // VixMntapi_Init once per process: a second load is refused before the library sees it, and
        // leaves cairn's lock free
        VixException again = assertThrows(
                VixException.class, () -> MntapiLibrary.load(standin.home(), Map.of(), work, work.resolve("mnt.lock")));
        assertEquals(VixException.VIX_E_NOT_SUPPORTED, again.code());
        assertTrue(again.getMessage().contains("only once per process"), again.getMessage());
        MntapiLock.acquire(work.resolve("mnt.lock")).close();
        assertEquals(1, CallLog.read(callLog).of("VixMntapi_Init").size());

        assertEquals(0, diskLib.VddkStandin_Outstanding(), "VixDiskLib memory not given back");
        assertEquals(0, mntapi.VddkStandin_MntapiOutstanding(), "VixMntapi memory not given back");

        CallLog log = CallLog.read(callLog);
        List<String> first = log.calls().stream()
                .map(CallLog.Call::function)
                .filter(f -> f.startsWith("VixMntapi_")
                        || f.matches("VixDiskLib_(InitEx|Exit|Open|Close|Disconnect|EndAccess|PrepareForAccess)"))
                .toList();
        assertEquals(
                List.of(
                        "VixDiskLib_InitEx",
                        "VixMntapi_Init",
                        "VixDiskLib_PrepareForAccess",
                        "VixDiskLib_Open", // cairn's own handle
                        "VixMntapi_OpenDisks",
                        "VixDiskLib_Open", // VixMntapi's, on cairn's connection
                        "VixMntapi_GetVolumeHandles",
                        "VixMntapi_GetVolumeInfo",
                        "VixMntapi_FreeVolumeInfo",
                        "VixMntapi_GetVolumeInfo",
                        "VixMntapi_FreeVolumeInfo",
                        "VixMntapi_MountVolume",
                        "VixMntapi_GetVolumeInfo",
                        "VixMntapi_FreeVolumeInfo",
                        "VixMntapi_GetOsInfo",
                        "VixMntapi_FreeOsInfo",
                        "VixMntapi_MountVolume",
                        "VixMntapi_DismountVolume",
                        "VixMntapi_MountVolume",
                        "VixMntapi_GetVolumeInfo",
                        "VixMntapi_FreeVolumeInfo",
                        "VixMntapi_DismountVolume",
                        "VixMntapi_FreeVolumeHandles",
                        "VixMntapi_CloseDiskSet",
                        "VixDiskLib_Close", // VixMntapi's handle, by CloseDiskSet
                        "VixDiskLib_Close", // then cairn's: CloseDiskSet before Disconnect
                        "VixDiskLib_Disconnect",
                        "VixDiskLib_EndAccess"),
                first.subList(0, first.indexOf("VixDiskLib_EndAccess") + 1),
                log.describe());
        CallLog.Call mount = log.where(c -> c.function().equals("VixMntapi_MountVolume") && c.ok())
                .get(0);
        assertEquals("fuse2fs", mount.result("driver"));
        assertEquals("1", mount.arg("readOnly"));
        CallLog.Call refused = log.where(c -> c.function().equals("VixMntapi_MountVolume") && !c.ok())
                .get(0);
        assertEquals("1", refused.arg("volume"));
        CallLog.Call forced = log.of("VixMntapi_DismountVolume").get(1);
        assertEquals("1", forced.arg("force"), "close dismounts with force");
        assertEquals("0", log.of("VixMntapi_DismountVolume").get(0).arg("force"));
        CallLog.Call exit = log.of("VixMntapi_Exit").get(0);
        assertEquals("0", exit.arg("openDiskSets"));
        assertTrue(log.indexOf(exit) < log.indexOf(log.of("VixDiskLib_Exit").get(0)), "VixMntapi_Exit first");
    }

    /** A small tree with text, random bytes, a subdirectory and an os-release naming a distribution. */
    static Path tree(Path t) throws IOException {
        Files.createDirectories(t.resolve("etc"));
        Files.createDirectories(t.resolve("home/demo/docs"));
        Files.writeString(t.resolve("hello.txt"), "hello from the guest\n");
        Files.writeString(
                t.resolve("etc/os-release"), "NAME=\"Cairn Stand-in Linux\"\nVERSION_ID=\"12\"\nID=standin\n");
        StringBuilder numbers = new StringBuilder();
        for (int i = 1; i <= 2000; i++) {
            numbers.append("line ").append(i).append('\n');
        }
        Files.writeString(t.resolve("home/demo/docs/numbers.txt"), numbers);
        byte[] random = new byte[1 << 20];
        new Random(5).nextBytes(random);
        Files.write(t.resolve("home/demo/random-1M.bin"), random);
        return t;
    }

    /** 64 MiB, GPT: a 40 MiB ext4 partition made from {@code tree}, a 10 MiB FAT16 one (shared/fixtures.md). */
    static Path gptImage(Path img, Path tree) throws Exception {
        Tools.run(null, null, "truncate", "-s", "64M", img.toString());
        Tools.run(
                null,
                "label: gpt\nunit: sectors\nfirst-lba: 2048\n"
                        + "start=2048, size=81920, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, name=\"root\"\n"
                        + "start=83968, size=20480, type=EBD0A0A2-B9E5-4433-87C0-68B6B72699C7, name=\"data\"\n",
                "sfdisk",
                "--quiet",
                img.toString());
        Tools.run(
                null,
                null,
                "mkfs.ext4",
                "-q",
                "-F",
                "-b",
                "4096",
                "-L",
                "ROOT",
                "-E",
                "offset=" + 2048L * 512,
                "-d",
                tree.toString(),
                img.toString(),
                "40M");
        Tools.run(null, null, "mkfs.fat", "-F", "16", "-n", "DATA", "--offset=83968", img.toString(), "10240");
        return img;
    }

    static void assertSameTree(Path expected, Path actual) throws IOException {
        for (String f :
                List.of("hello.txt", "etc/os-release", "home/demo/docs/numbers.txt", "home/demo/random-1M.bin")) {
            assertArrayEquals(Files.readAllBytes(expected.resolve(f)), Files.readAllBytes(actual.resolve(f)), f);
        }
    }

    static boolean mounted(Path p) throws IOException {
        String at = p.toAbsolutePath().toString();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8)) {
            String[] f = line.split(" ");
            if (f.length > 4 && f[4].equals(at)) {
                return true;
            }
        }
        return false;
    }
}
