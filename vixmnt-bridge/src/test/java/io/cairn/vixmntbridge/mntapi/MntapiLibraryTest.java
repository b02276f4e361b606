package io.cairn.vixmntbridge.mntapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Structure;
import io.cairn.vixmntbridge.VixException;
import io.cairn.vixmntbridge.mntapi.jna.VixMntapiNative;
import io.cairn.vixmntbridge.vddk.jna.VixDiskLibNative;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The VixMntapi binding and driver without the VDDK")
class MntapiLibraryTest {

    @Test
    @DisplayName("the binding classes and driver classes load and initialise without libvixMntapi.so")
    void classesLoad() throws Exception {
        for (String c : List.of(
                "jna.VixMntapiNative",
                "jna.VixOsInfo",
                "jna.VixVolumeInfo",
                "jna.VixDiskSetInfo",
                "MntapiLibrary",
                "DiskSet",
                "GuestMounter",
                "GuestMounter$Availability",
                "GuestVolume",
                "MountedVolume",
                "GuestOs",
                "MntapiLock",
                "ErrorText")) {
            Class.forName("io.cairn.vixmntbridge.mntapi." + c, true, getClass().getClassLoader());
        }
        for (String c : List.of("jna.VixOsInfo", "jna.VixVolumeInfo", "jna.VixDiskSetInfo")) {
            Structure s = (Structure) Class.forName("io.cairn.vixmntbridge.mntapi." + c)
                    .getDeclaredConstructor()
                    .newInstance();
            s.write();
            assertTrue(s.size() > 0, c);
        }
    }

    @Test
    @DisplayName("the function table declares every VixMntapi function of the header")
    void functionTable() {
        List<String> names = Arrays.stream(VixMntapiNative.class.getDeclaredMethods())
                .map(Method::getName)
                .toList();
        for (String f : List.of(
                "Init",
                "Exit",
                "OpenDiskSet",
                "OpenDisks",
                "GetDiskSetInfo",
                "FreeDiskSetInfo",
                "CloseDiskSet",
                "GetVolumeHandles",
                "FreeVolumeHandles",
                "GetOsInfo",
                "FreeOsInfo",
                "MountVolume",
                "DismountVolume",
                "GetVolumeInfo",
                "FreeVolumeInfo")) {
            assertTrue(names.contains("VixMntapi_" + f), f);
        }
        assertEquals(15, names.size(), names.toString());
    }

    @Test
    @DisplayName(
            "the JNA proxy is created only when asked, and Native.load of an absent file fails with UnsatisfiedLinkError")
    void proxyOnlyWhenAsked(@TempDir Path dir) {
        Path missing = dir.resolve("lib64").resolve(VixMntapiNative.LIBRARY_FILE);
        assertThrows(UnsatisfiedLinkError.class, () -> Native.load(missing.toString(), VixMntapiNative.class));
        VixException e = assertThrows(VixException.class, () -> MntapiLibrary.bind(missing));
        assertTrue(e.getMessage().startsWith("VixMntapi " + missing + " could not be loaded"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    @DisplayName("a VDDK without libvixMntapi.so fails in one line naming the path looked for")
    void absentLibraryNamesPath(@TempDir Path vddk, @TempDir Path work) throws Exception {
        Files.createDirectories(vddk.resolve("lib64"));
        Files.writeString(vddk.resolve("lib64").resolve(VixDiskLibNative.LIBRARY_FILE), "not loaded by this test");
        NullPointerException e = assertThrows(NullPointerException.class, () -> GuestMounter.load(vddk, null, work));
        assertTrue(e.getMessage().contains("VixDiskLib must be loaded"), "VixDiskLib first: " + e.getMessage());
        VixException fromLoad =
                assertThrows(VixException.class, () -> MntapiLibrary.load(vddk, Map.of(), work, work.resolve("lock")));
        assertTrue(fromLoad.getMessage().contains("libvixMntapi.so, which does not exist"), fromLoad.getMessage());
        assertFalse(Files.exists(work.resolve("lock")), "no lock taken for an absent library");
        Path expected = vddk.resolve("lib64").resolve("libvixMntapi.so").toAbsolutePath();
        VixException absent = assertThrows(VixException.class, () -> MntapiLibrary.locate(vddk));
        assertEquals(
                "mounting guest volumes with VixMntapi needs " + expected + ", which does not exist: install the"
                        + " VDDK (it ships libvixMntapi.so) in " + vddk + " or give --vddk DIR (VixDiskLib error 6)",
                absent.getMessage());
        assertEquals(VixException.VIX_E_NOT_SUPPORTED, absent.code());
        GuestMounter.Availability a = MntapiLibrary.probe(vddk, Map.of(), work.resolve("lock"));
        assertFalse(a.available());
        assertTrue(a.reason().contains(expected.toString()), a.reason());
        assertFalse(a.reason().contains("VixDiskLib error"), a.reason());
    }

    @Test
    @DisplayName("without --vddk and VDDK_HOME the probe says so")
    void noVddk(@TempDir Path work) {
        GuestMounter.Availability a = MntapiLibrary.probe(null, Map.of(), work.resolve("lock"));
        assertFalse(a.available());
        assertEquals(
                "mounting guest volumes with VixMntapi needs VMware's VDDK, which is not installed: download the"
                        + " VDDK from VMware and give --vddk DIR or set VDDK_HOME",
                a.reason());
    }

    @Test
    @DisplayName("libvixMntapi.so without libvixDiskLib.so beside it is refused")
    void mntapiWithoutDiskLib(@TempDir Path vddk) throws Exception {
        Path lib64 = Files.createDirectories(vddk.resolve("lib64"));
        Files.writeString(lib64.resolve(VixMntapiNative.LIBRARY_FILE), "x");
        VixException e = assertThrows(VixException.class, () -> MntapiLibrary.locate(vddk));
        assertTrue(e.getMessage().contains("has no libvixDiskLib.so beside it"), e.getMessage());
    }

    @Test
    @DisplayName("a libvixMntapi.so that is not a shared library fails in one line naming the file")
    void brokenLibrary(@TempDir Path vddk) throws Exception {
        Path lib64 = Files.createDirectories(vddk.resolve("lib64"));
        Path so = Files.writeString(lib64.resolve(VixMntapiNative.LIBRARY_FILE), "not an ELF file\n");
        VixException e = assertThrows(VixException.class, () -> MntapiLibrary.bind(so.toAbsolutePath()));
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertTrue(e.getMessage().contains(so.toAbsolutePath().toString()), e.getMessage());
        assertTrue(e.getMessage().contains("LD_LIBRARY_PATH"), e.getMessage());
    }

    @Test
    @DisplayName("with both files present and the lock free the probe says available (it loads nothing)")
    void probeAvailable(@TempDir Path vddk, @TempDir Path work) throws Exception {
        assumeTrue(Platform.isLinux() && Platform.is64Bit() && Platform.isIntel(), "VixMntapi is x86-64 Linux only");
        Path lib64 = Files.createDirectories(vddk.resolve("lib64"));
        Files.writeString(lib64.resolve(VixMntapiNative.LIBRARY_FILE), "x");
        Files.writeString(lib64.resolve("libvixDiskLib.so.8"), "x");
        assertEquals(new GuestMounter.Availability(true, ""), MntapiLibrary.probe(vddk, Map.of(), work.resolve("l")));
        MntapiLibrary.Files2 f = MntapiLibrary.locate(vddk);
        assertEquals(lib64.resolve("libvixDiskLib.so.8").toAbsolutePath(), f.diskLib());
    }

    @Test
    @DisplayName("the lock refuses a second holder, the probe reports it held, and it is free again after release")
    void lockRefusesSecondHolder(@TempDir Path vddk, @TempDir Path run) throws Exception {
        Path lockFile = run.resolve("cairn").resolve("vixmntapi.lock");
        Path lib64 = Files.createDirectories(vddk.resolve("lib64"));
        Files.writeString(lib64.resolve(VixMntapiNative.LIBRARY_FILE), "x");
        Files.writeString(lib64.resolve(VixDiskLibNative.LIBRARY_FILE), "x");
        try (MntapiLock held = MntapiLock.acquire(lockFile)) {
            assertTrue(Files.exists(lockFile), "the lock directory is created");
            VixException e = assertThrows(VixException.class, () -> MntapiLock.acquire(lockFile));
            assertEquals(
                    "VixMntapi is in use by another VixMntapi mount in this cairn process (lock " + lockFile
                            + " is held), and VMware allows only one VixMntapi program at a time per host (VixDiskLib error 13)",
                    e.getMessage());
            if (Platform.isLinux() && Platform.is64Bit() && Platform.isIntel()) {
                GuestMounter.Availability a = MntapiLibrary.probe(vddk, Map.of(), lockFile);
                assertFalse(a.available());
                assertTrue(a.reason().contains("lock " + lockFile + " is held"), a.reason());
            }
            // loading refuses too, before anything native is touched
            VixException load =
                    assertThrows(VixException.class, () -> MntapiLibrary.load(vddk, Map.of(), run, lockFile));
            assertEquals(VixException.VIX_E_FILE_ACCESS_ERROR, load.code());
        }
        MntapiLock.acquire(lockFile).close();
    }

    @Test
    @DisplayName("a lock file that cannot be created is an I/O error naming it")
    void lockCannotBeCreated(@TempDir Path dir) throws Exception {
        Path notADir = Files.writeString(dir.resolve("file"), "x");
        Path lockFile = notADir.resolve("vixmntapi.lock");
        VixException e = assertThrows(VixException.class, () -> MntapiLock.acquire(lockFile));
        assertEquals(VixException.VIX_E_FILE_IO_ERROR, e.code());
        assertTrue(e.getMessage().startsWith("cannot create the VixMntapi lock file " + lockFile), e.getMessage());
    }
}
