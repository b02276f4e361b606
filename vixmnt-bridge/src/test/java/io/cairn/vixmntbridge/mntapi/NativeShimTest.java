package io.cairn.vixmntbridge.mntapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import io.cairn.vixmntbridge.VixException;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The binding and driver through real native calls: FakeVixMntapi native shim (stand-in: the real
 * VDDK cannot be installed here). gcc builds a {@code libvixMntapi.so} from {@link #MNTAPI_C} — the
 * prototypes of {@code vixMntapi.h}, returning canned volumes from {@code calloc}ed memory and
 * journaling each call — and a {@code libvixDiskLib.so} with only the error-text pair; the driver
 * loads them as it would load the VDDK. This checks what the Java fake cannot: JNA's marshalling of
 * every signature used ({@code String[]}, {@code size_t *}, {@code Bool}, out-pointers) and the
 * structures read from C memory, and that everything the library allocates is freed once. It
 * proves nothing about VMware's library. Skipped without gcc.
 */
@DisplayName("VixMntapi driver against a gcc-built native shim (stand-in: the real VDDK cannot be installed here)")
class NativeShimTest {

    static final String MNTAPI_C = """
            #include <stdarg.h>
            #include <stdint.h>
            #include <stdio.h>
            #include <stdlib.h>
            #include <string.h>
            typedef char Bool;
            typedef uint32_t uint32;
            typedef uint64_t VixError;
            typedef struct { int family; uint32 majorVersion; uint32 minorVersion; Bool osIs64Bit;
                             char *vendor; char *edition; char *osFolder; } VixOsInfo;
            typedef struct { int type; Bool isMounted; char *symbolicLink; size_t numGuestMountPoints;
                             char *inGuestMountPoints[1]; } VixVolumeInfo;
            static char journal[8192];
            static int outstanding;
            static int mounted[3];
            static void note(const char *fmt, ...) {
               size_t at = strlen(journal);
               if (at) { snprintf(journal + at, sizeof journal - at, "; "); at += 2; }
               va_list ap; va_start(ap, fmt); vsnprintf(journal + at, sizeof journal - at, fmt, ap); va_end(ap);
            }
            const char *Fake_Journal(void) { return journal; }
            int Fake_Outstanding(void) { return outstanding; }
            static void *alloc(size_t n) { outstanding++; return calloc(1, n); }
            static void release(void *p) { if (p) { outstanding--; free(p); } }
            static char *dupstr(const char *s) { char *p = alloc(strlen(s) + 1); strcpy(p, s); return p; }
            static int vol(void *h) { return (int)((uintptr_t)h - 0x5000); }
            #define DISKSET ((void *)0x7000)
            VixError VixMntapi_Init(uint32 major, uint32 minor, void *log, void *warn, void *panic,
                                    const char *libDir, const char *configFile) {
               char buf[1024] = ""; FILE *f = fopen(configFile, "r");
               if (f) { size_t n = fread(buf, 1, sizeof buf - 1, f); buf[n] = 0; fclose(f); }
               note("Init %u.%u log=%s libDir=%s config=%s", major, minor, log ? "set" : "NULL",
                    libDir ? "set" : "NULL", strstr(buf, "tmpDirectory=/") ? "tmpDirectory" : "missing");
               return 0;
            }
            void VixMntapi_Exit(void) { note("Exit"); }
            VixError VixMntapi_OpenDisks(void *conn, const char *names[], size_t n, uint32 flags, void **handle) {
               note("OpenDisks conn=%p n=%zu name=%s next=%s flags=%u", conn, n, names[0],
                    names[1] ? "set" : "NULL", flags);
               *handle = DISKSET;
               return 0;
            }
            VixError VixMntapi_CloseDiskSet(void *ds) { note("CloseDiskSet %s", ds == DISKSET ? "ok" : "bad"); return 0; }
            VixError VixMntapi_GetVolumeHandles(void *ds, size_t *n, void ***handles) {
               void **a = alloc(3 * sizeof(void *));
               for (int i = 0; i < 3; i++) a[i] = (void *)(uintptr_t)(0x5000 + i);
               *n = 3; *handles = a;
               note("GetVolumeHandles %s", ds == DISKSET ? "ok" : "bad");
               return 0;
            }
            void VixMntapi_FreeVolumeHandles(void **a) { note("FreeVolumeHandles"); release(a); }
            VixError VixMntapi_GetVolumeInfo(void *h, VixVolumeInfo **info) {
               int i = vol(h);
               size_t k = (i == 1 && mounted[1]) ? 2 : 0;
               VixVolumeInfo *v = alloc(sizeof *v + sizeof(char *));
               v->type = i == 0 ? 1 : i == 1 ? 2 : 4;
               v->isMounted = (Bool)mounted[i];
               if (mounted[i]) { char p[64]; snprintf(p, sizeof p, "/run/vixmnt/shim/vol%d", i); v->symbolicLink = dupstr(p); }
               v->numGuestMountPoints = k;
               if (k) { v->inGuestMountPoints[0] = dupstr("/"); v->inGuestMountPoints[1] = dupstr("/srv"); }
               note("GetVolumeInfo %d", i);
               *info = v;
               return 0;
            }
            void VixMntapi_FreeVolumeInfo(VixVolumeInfo *v) {
               note("FreeVolumeInfo");
               release(v->symbolicLink);
               for (size_t k = 0; k < v->numGuestMountPoints; k++) release(v->inGuestMountPoints[k]);
               release(v);
            }
            VixError VixMntapi_MountVolume(void *h, Bool ro) {
               int i = vol(h);
               note("MountVolume %d ro=%d", i, ro);
               if (i == 2) return 6 | ((VixError)1 << 32);   /* LVM: VIX_E_NOT_SUPPORTED */
               mounted[i] = 1;
               return 0;
            }
            VixError VixMntapi_DismountVolume(void *h, Bool force) {
               int i = vol(h); note("DismountVolume %d force=%d", i, force); mounted[i] = 0; return 0;
            }
            VixError VixMntapi_GetOsInfo(void *ds, VixOsInfo **info) {
               VixOsInfo *o = alloc(sizeof *o);
               o->family = 255; o->majorVersion = 5; o->minorVersion = 14; o->osIs64Bit = 1;
               o->vendor = dupstr("Debian"); o->edition = NULL; o->osFolder = dupstr("/");
               note("GetOsInfo");
               *info = o;
               return 0;
            }
            void VixMntapi_FreeOsInfo(VixOsInfo *o) {
               note("FreeOsInfo"); release(o->vendor); release(o->edition); release(o->osFolder); release(o);
            }
            """;

    static final String DISKLIB_C = """
            #include <stdint.h>
            #include <stdio.h>
            #include <stdlib.h>
            char *VixDiskLib_GetErrorText(uint64_t err, const char *locale) {
               char *s = malloc(64);
               snprintf(s, 64, "shim error 0x%llx%s", (unsigned long long)err, locale ? " with locale" : "");
               return s;
            }
            void VixDiskLib_FreeErrorText(char *s) { free(s); }
            """;

    /** The shim's own functions, bound from the same loaded file. */
    public interface ShimControl extends Library {
        String Fake_Journal();

        int Fake_Outstanding();
    }

    @Test
    @DisplayName(
            "load, open, mount, a failing mount, OS info and close reach the native library in order, freeing everything")
    void roundTrip(@TempDir Path vddk, @TempDir Path work) throws Exception {
        assumeTrue(Platform.isLinux() && Platform.is64Bit() && Platform.isIntel(), "x86-64 Linux only");
        assumeTrue(onPath("gcc"), "gcc is not installed: the native shim cannot be built");
        Path lib64 = Files.createDirectories(vddk.resolve("lib64"));
        Path mntapi = build(lib64, "libvixMntapi.so", MNTAPI_C);
        build(lib64, "libvixDiskLib.so", DISKLIB_C);

        List<String> diskCalls = new ArrayList<>();
        DiskSet.Member disk = new DiskSet.Member() {
            @Override
            public Pointer connection() {
                return new Pointer(0x1000);
            }

            @Override
            public String path() {
                return "[ds1] vm/vm.vmdk";
            }

            @Override
            public void close() {
                diskCalls.add("VixDiskLib Close+Disconnect+EndAccess");
            }
        };

        ShimControl shim = Native.load(mntapi.toString(), ShimControl.class);
        MntapiLibrary library = MntapiLibrary.load(vddk, Map.of(), work, work.resolve("vixmntapi.lock"));
        try {
            DiskSet set = library.open(disk, true);
            assertEquals(
                    List.of(
                            new GuestVolume(0, GuestVolume.Type.BASIC_PARTITION, false, null, List.of()),
                            new GuestVolume(1, GuestVolume.Type.GPT_PARTITION, false, null, List.of()),
                            new GuestVolume(2, GuestVolume.Type.LVM_VOLUME, false, null, List.of())),
                    set.volumes());
            MountedVolume v = set.mount(set.volumes().get(1));
            assertEquals(
                    new MountedVolume(
                            1,
                            GuestVolume.Type.GPT_PARTITION,
                            Path.of("/run/vixmnt/shim/vol1"),
                            true,
                            List.of("/", "/srv")),
                    v);
            VixException e = assertThrows(
                    VixException.class, () -> set.mount(set.volumes().get(2)));
            assertEquals(
                    "VixMntapi_MountVolume of volume 2 on VixMntapi disk set of [ds1] vm/vm.vmdk failed:"
                            + " shim error 0x100000006 (VixDiskLib error 6)",
                    e.getMessage());
            assertEquals(new GuestOs(GuestOs.Family.OTHER, 5, 14, true, "Debian", null, "/"), set.guestOs());
        } finally {
            library.close();
        }
        assertEquals(
                String.join(
                        "; ",
                        "Init 1.0 log=NULL libDir=set config=tmpDirectory",
                        "OpenDisks conn=0x1000 n=1 name=[ds1] vm/vm.vmdk next=NULL flags=4",
                        "GetVolumeHandles ok",
                        "GetVolumeInfo 0",
                        "FreeVolumeInfo",
                        "GetVolumeInfo 1",
                        "FreeVolumeInfo",
                        "GetVolumeInfo 2",
                        "FreeVolumeInfo",
                        "MountVolume 1 ro=1",
                        "GetVolumeInfo 1",
                        "FreeVolumeInfo",
                        "MountVolume 2 ro=1",
                        "GetOsInfo",
                        "FreeOsInfo",
                        "DismountVolume 1 force=1",
                        "FreeVolumeHandles",
                        "CloseDiskSet ok",
                        "Exit"),
                shim.Fake_Journal());
        assertEquals(List.of("VixDiskLib Close+Disconnect+EndAccess"), diskCalls);
        assertEquals(0, shim.Fake_Outstanding(), "allocations the driver did not free");
        try (var files = Files.list(work)) {
            assertTrue(files.noneMatch(f -> f.getFileName().toString().endsWith(".conf")), "config file deleted");
        }
        // VixMntapi_Init once per process: a second load is refused, and leaves the lock free
        VixException again = assertThrows(
                VixException.class, () -> MntapiLibrary.load(vddk, Map.of(), work, work.resolve("vixmntapi.lock")));
        assertEquals(VixException.VIX_E_NOT_SUPPORTED, again.code());
        assertTrue(again.getMessage().contains("only once per process"), again.getMessage());
        MntapiLock.acquire(work.resolve("vixmntapi.lock")).close();
        assertTrue(shim.Fake_Journal().endsWith("; Exit"), "no second Init: " + shim.Fake_Journal());
    }

    private static Path build(Path dir, String name, String source) throws IOException, InterruptedException {
        Path src = Files.writeString(dir.resolve(name + ".c"), source, StandardCharsets.UTF_8);
        Path so = dir.resolve(name);
        Process p = new ProcessBuilder(
                        "gcc", "-std=c11", "-Wall", "-Werror", "-shared", "-fPIC", "-o", so.toString(), src.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("gcc timed out");
        }
        assertEquals(0, p.exitValue(), "gcc failed: " + out);
        return so.toAbsolutePath();
    }

    private static boolean onPath(String tool) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String d : path.split(File.pathSeparator)) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, tool))) {
                return true;
            }
        }
        return false;
    }
}
