package io.cairn.vixmntbridge.mntapi;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.Platform;
import io.cairn.vixmntbridge.mntapi.jna.VixDiskSetInfo;
import io.cairn.vixmntbridge.mntapi.jna.VixOsInfo;
import io.cairn.vixmntbridge.mntapi.jna.VixVolumeInfo;
import io.cairn.vixmntbridge.vddk.jna.VixStructure;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pins the size and every field offset of the VixMntapi structures on x86-64 Linux (LP64: pointers
 * and {@code size_t} 8 bytes, enums and {@code uint32} 4, {@code Bool} ({@code char}) 1, each member
 * aligned to its size, a struct to its widest member), derived by hand from {@code vixMntapi.h}
 * (derivation beside each number), and cross-checks JNA's layout against gcc: {@link #gccAgrees}
 * compiles {@link #C_SOURCE} — the structures as the header declares them — and compares every
 * {@code sizeof}/{@code offsetof} it prints, and the size of every member (so that a member of the
 * wrong width that happens to keep the offsets, such as {@code int} for {@code Bool}, fails too). Without gcc on the PATH that test is skipped (an
 * assumption, like the platform check); the pinned numbers still run. With gcc 12.2 on x86-64 Debian
 * the program printed exactly the pinned values.
 */
@DisplayName("VixMntapi structures on x86-64 Linux")
class MntapiStructLayoutTest {

    /** The structures of {@code vixMntapi.h} with the types of {@code vm_basic_types.h}. */
    static final String C_SOURCE = """
            #include <stddef.h>
            #include <stdint.h>
            #include <stdio.h>
            typedef char Bool;                /* vm_basic_types.h */
            typedef uint32_t uint32;
            typedef enum VixOsFamily { VIXMNTAPI_NO_OS = 0, VIXMNTAPI_WINDOWS = 1, VIXMNTAPI_OTHER = 255 } VixOsFamily;
            typedef struct {
               VixOsFamily family;
               uint32 majorVersion;
               uint32 minorVersion;
               Bool  osIs64Bit;
               char* vendor;
               char* edition;
               char* osFolder;
            } VixOsInfo;
            typedef enum VixVolumeType {
               VIXMNTAPI_UNKNOWN_VOLTYPE = 0, VIXMNTAPI_BASIC_PARTITION = 1, VIXMNTAPI_GPT_PARTITION = 2,
               VIXMNTAPI_DYNAMIC_VOLUME = 3, VIXMNTAPI_LVM_VOLUME = 4
            } VixVolumeType;
            typedef struct {
               VixVolumeType    type;
               Bool             isMounted;
               char            *symbolicLink;
               size_t  numGuestMountPoints;
               char *inGuestMountPoints[1];
            } VixVolumeInfo;
            typedef struct {
               uint32 openFlags;
               char *mountPath;
            } VixDiskSetInfo;
            #define SIZE(T) printf("%s=%zu\\n", #T, sizeof(T))
            #define OFF(T, F) printf("%s.%s=%zu\\n%s.%s#size=%zu\\n", #T, #F, offsetof(T, F), #T, #F, sizeof(((T *)0)->F))
            int main(void) {
               SIZE(VixOsInfo); OFF(VixOsInfo, family); OFF(VixOsInfo, majorVersion); OFF(VixOsInfo, minorVersion);
               OFF(VixOsInfo, osIs64Bit); OFF(VixOsInfo, vendor); OFF(VixOsInfo, edition); OFF(VixOsInfo, osFolder);
               SIZE(VixVolumeInfo); OFF(VixVolumeInfo, type); OFF(VixVolumeInfo, isMounted);
               OFF(VixVolumeInfo, symbolicLink); OFF(VixVolumeInfo, numGuestMountPoints);
               OFF(VixVolumeInfo, inGuestMountPoints);
               SIZE(VixDiskSetInfo); OFF(VixDiskSetInfo, openFlags); OFF(VixDiskSetInfo, mountPath);
               return 0;
            }
            """;

    @BeforeAll
    static void onlyOnX8664Linux() {
        assumeTrue(
                Platform.isLinux() && Platform.is64Bit() && Platform.isIntel(),
                "the pinned layout is the x86-64 Linux one");
    }

    @Test
    @DisplayName("VixOsInfo puts the Bool at 12 and the strings at 16, 24, 32, in 40 bytes")
    void osInfo() {
        VixOsInfo o = new VixOsInfo();
        assertAll(
                () -> assertEquals(0, o.offsetOf("family")), // enum, 4 bytes
                () -> assertEquals(4, o.offsetOf("majorVersion")), // 0 + 4
                () -> assertEquals(8, o.offsetOf("minorVersion")), // 4 + 4
                () -> assertEquals(12, o.offsetOf("osIs64Bit")), // 8 + 4; Bool is 1 byte
                () -> assertEquals(16, o.offsetOf("vendor")), // 13 → 16: pointers align to 8
                () -> assertEquals(24, o.offsetOf("edition")), // 16 + 8
                () -> assertEquals(32, o.offsetOf("osFolder")), // 24 + 8
                () -> assertEquals(40, o.size())); // 32 + 8, a multiple of 8
    }

    @Test
    @DisplayName("VixVolumeInfo puts symbolicLink at 8, the count at 16, the mount points at 24, in 32 bytes")
    void volumeInfo() {
        VixVolumeInfo v = new VixVolumeInfo();
        assertAll(
                () -> assertEquals(0, v.offsetOf("type")), // enum, 4 bytes
                () -> assertEquals(4, v.offsetOf("isMounted")), // 0 + 4; Bool is 1 byte
                () -> assertEquals(8, v.offsetOf("symbolicLink")), // 5 → 8: pointer alignment
                () -> assertEquals(16, v.offsetOf("numGuestMountPoints")), // 8 + 8; size_t, 8 bytes
                () -> assertEquals(24, v.offsetOf("inGuestMountPoints")), // 16 + 8; char *[1]
                () -> assertEquals(32, v.size())); // 24 + 1 × 8
    }

    @Test
    @DisplayName("VixDiskSetInfo puts mountPath at 8 after the uint32 flags, in 16 bytes")
    void diskSetInfo() {
        VixDiskSetInfo d = new VixDiskSetInfo();
        assertAll(
                () -> assertEquals(0, d.offsetOf("openFlags")), // uint32
                () -> assertEquals(8, d.offsetOf("mountPath")), // 4 → 8: pointer alignment
                () -> assertEquals(16, d.size()));
    }

    @Test
    @DisplayName("gcc compiling the header's structures reports the same sizes and offsets as JNA")
    void gccAgrees(@TempDir Path dir) throws Exception {
        assumeTrue(onPath("gcc"), "gcc is not installed: the cross-check needs it (the pinned values still ran)");
        Path src = Files.writeString(dir.resolve("vixmntapi_layout.c"), C_SOURCE, StandardCharsets.UTF_8);
        Path exe = dir.resolve("vixmntapi_layout");
        run(List.of("gcc", "-std=c11", "-Wall", "-Werror", "-o", exe.toString(), src.toString()));
        Map<String, Long> gcc = parse(run(List.of(exe.toString())));
        Map<String, VixStructure> structs = new LinkedHashMap<>();
        structs.put("VixOsInfo", new VixOsInfo());
        structs.put("VixVolumeInfo", new VixVolumeInfo());
        structs.put("VixDiskSetInfo", new VixDiskSetInfo());
        List<Executable> checks = new ArrayList<>();
        int fields = 0;
        for (Map.Entry<String, VixStructure> e : structs.entrySet()) {
            String name = e.getKey();
            VixStructure s = e.getValue();
            checks.add(() -> assertEquals(gcc.get(name), (long) s.size(), "sizeof(" + name + ")"));
            for (String f : s.getClass()
                    .getAnnotation(com.sun.jna.Structure.FieldOrder.class)
                    .value()) {
                String key = name + "." + f;
                fields++;
                checks.add(() -> assertEquals(gcc.get(key), (long) s.offsetOf(f), "offsetof(" + key + ")"));
                java.lang.reflect.Field jf = s.getClass().getField(f);
                long javaSize = com.sun.jna.Native.getNativeSize(jf.getType(), jf.get(s));
                checks.add(() -> assertEquals(gcc.get(key + "#size"), javaSize, "sizeof(" + key + ")"));
            }
        }
        assertEquals(3 + 2 * fields, gcc.size(), "gcc printed a value for every structure and field: " + gcc);
        assertAll(checks);
    }

    private static Map<String, Long> parse(String out) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (String line : out.split("\n")) {
            if (!line.isBlank()) {
                String[] kv = line.trim().split("=");
                m.put(kv[0], Long.parseLong(kv[1]));
            }
        }
        return m;
    }

    private static String run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(cmd + " timed out");
        }
        assertEquals(0, p.exitValue(), cmd + " failed: " + out);
        return out;
    }

    private static boolean onPath(String tool) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String d : path.split(java.io.File.pathSeparator)) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, tool))) {
                return true;
            }
        }
        return false;
    }
}
