package io.cairn.vixmntbridge.mntapi;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.Platform;
import io.cairn.vixmntbridge.mntapi.jna.VixDiskSetInfo;
import io.cairn.vixmntbridge.mntapi.jna.VixOsInfo;
import io.cairn.vixmntbridge.mntapi.jna.VixVolumeInfo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Pins the size and every field offset of the VixMntapi structures on x86-64 Linux (LP64: pointers
 * and {@code size_t} 8 bytes, enums and {@code uint32} 4, {@code Bool} ({@code char}) 1, each member
 * aligned to its size, a struct to its widest member), derived by hand from {@code vixMntapi.h}
 * (derivation beside each number). StructLayoutStandinIT compares every size, offset and member size
 * with what gcc gives the same structures in the VDDK stand-ins' header, so that a member of the
 * wrong width that happens to keep the offsets (such as {@code int} for {@code Bool}) fails too.
 */
@DisplayName("VixMntapi structures on x86-64 Linux")
class MntapiStructLayoutTest {

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
}
