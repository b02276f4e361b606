package io.cairn.vixmntbridge.vddk.jna;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.Platform;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Pins the size and every field offset of the VixDiskLib structures on x86-64 Linux (LP64: pointers
 * and C {@code long} 8 bytes, {@code int}/{@code uint32}/enums 4 bytes, each member aligned to its
 * size, a struct to its widest member). A drift here would make VixDiskLib read or write the wrong
 * bytes, so it must fail a unit test first.
 *
 * <p>The expected numbers were derived by hand from {@code vixDiskLib.h} (derivation beside each
 * one). StructLayoutStandinIT compares every one of them, and every member size, with what gcc gives
 * the same structures in the VDDK stand-ins' header.
 */
@DisplayName("VixDiskLib structures on x86-64 Linux")
class StructLayoutTest {

    @BeforeAll
    static void onlyOnX8664Linux() {
        assumeTrue(
                Platform.isLinux() && Platform.is64Bit() && Platform.isIntel(),
                "the pinned layout is the x86-64 Linux one");
    }

    @Test
    @DisplayName("VixDiskLibGeometry is three uint32s in 12 bytes")
    void geometry() {
        VixDiskLibGeometry g = new VixDiskLibGeometry();
        assertAll(
                () -> assertEquals(0, g.offsetOf("cylinders")), // first member
                () -> assertEquals(4, g.offsetOf("heads")), // 0 + 4
                () -> assertEquals(8, g.offsetOf("sectors")), // 4 + 4
                () -> assertEquals(12, g.size())); // 3 × 4, alignment 4: no tail padding
    }

    @Test
    @DisplayName("VixDiskLibInfo keeps capacity at 24 and the VDDK 7.0 sector sizes at 56 and 60, in 64 bytes")
    void info() {
        VixDiskLibInfo i = new VixDiskLibInfo();
        assertAll(
                () -> assertEquals(0, i.offsetOf("biosGeo")), // VixDiskLibGeometry, 12 bytes
                () -> assertEquals(12, i.offsetOf("physGeo")), // 0 + 12, alignment 4
                () -> assertEquals(24, i.offsetOf("capacity")), // 12 + 12 = 24, already 8-aligned
                () -> assertEquals(32, i.offsetOf("adapterType")), // 24 + 8 (enum: 4 bytes)
                () -> assertEquals(36, i.offsetOf("numLinks")), // 32 + 4
                () -> assertEquals(40, i.offsetOf("parentFileNameHint")), // 36 + 4 = 40, 8-aligned pointer
                () -> assertEquals(48, i.offsetOf("uuid")), // 40 + 8
                () -> assertEquals(56, i.offsetOf("logicalSectorSize")), // 48 + 8 (7.0+)
                () -> assertEquals(60, i.offsetOf("physicalSectorSize")), // 56 + 4 (7.0+)
                () -> assertEquals(64, i.size())); // 60 + 4 = 64, a multiple of 8
    }

    @Test
    @DisplayName("VixDiskLibBlock is two uint64s in 16 bytes")
    void block() {
        VixDiskLibBlock b = new VixDiskLibBlock();
        assertAll(
                () -> assertEquals(0, b.offsetOf("offset")),
                () -> assertEquals(8, b.offsetOf("length")), // 0 + 8
                () -> assertEquals(16, b.size()));
    }

    @Test
    @DisplayName("VixDiskLibBlockList puts blocks[0] at 8 after the uint32 count, in 24 bytes")
    void blockList() {
        VixDiskLibBlockList l = new VixDiskLibBlockList();
        assertAll(
                () -> assertEquals(0, l.offsetOf("numBlocks")),
                () -> assertEquals(8, l.offsetOf("blocks")), // 4 + 4 padding: VixDiskLibBlock aligns to 8
                () -> assertEquals(24, l.size())); // 8 + 1 × 16
    }

    @Test
    @DisplayName("VixDiskLibConnectParams (VDDK 6.7-8.0) has creds at 40, port at 64, spec at 96, in 128 bytes")
    void connectParams() {
        VixDiskLibConnectParams p = new VixDiskLibConnectParams();
        assertAll(
                () -> assertEquals(0, p.offsetOf("vmxSpec")), // char *
                () -> assertEquals(8, p.offsetOf("serverName")), // char *
                () -> assertEquals(16, p.offsetOf("thumbPrint")), // char *
                () -> assertEquals(24, p.offsetOf("privateUse")), // long: 8 bytes on LP64
                () -> assertEquals(32, p.offsetOf("credType")), // enum, 4 bytes
                () -> assertEquals(40, p.offsetOf("creds")), // 36 → 40: the union holds pointers (align 8)
                () -> assertEquals(64, p.offsetOf("port")), // 40 + 24 (largest member: sessionId, 3 pointers)
                () -> assertEquals(68, p.offsetOf("nfcHostPort")), // 64 + 4
                () -> assertEquals(72, p.offsetOf("vimApiVer")), // 68 + 4, 8-aligned pointer
                () -> assertEquals(80, p.offsetOf("reserved")), // 72 + 8; char[8]
                () -> assertEquals(88, p.offsetOf("state")), // 80 + 8, pointer
                () -> assertEquals(96, p.offsetOf("spec")), // 88 + 8; union of VStorageObjectSpec (3 pointers)
                () -> assertEquals(120, p.offsetOf("specType")), // 96 + 24; enum
                () -> assertEquals(128, p.size())); // 120 + 4 = 124, padded to a multiple of 8
    }

    @Test
    @DisplayName("the creds union is 24 bytes with the user name and password at 0 and 8 inside it")
    void credsUnion() {
        VixDiskLibConnectParams.Creds c = new VixDiskLibConnectParams.Creds();
        VixDiskLibConnectParams.UidPasswd uid = new VixDiskLibConnectParams.UidPasswd();
        VixDiskLibConnectParams.SessionId sid = new VixDiskLibConnectParams.SessionId();
        VixDiskLibConnectParams.VStorageObjectSpec fcd = new VixDiskLibConnectParams.VStorageObjectSpec();
        assertAll(
                () -> assertEquals(24, c.size()), // max(16, 24, 8)
                () -> assertEquals(0, c.offsetOf("uid")), // every union member starts at 0
                () -> assertEquals(0, c.offsetOf("sessionId")),
                () -> assertEquals(0, c.offsetOf("ticketId")),
                () -> assertEquals(16, uid.size()),
                () -> assertEquals(8, uid.offsetOf("password")), // gcc: creds.uid.password at 48 = 40 + 8
                () -> assertEquals(24, sid.size()),
                () -> assertEquals(16, sid.offsetOf("key")), // gcc: creds.sessionId.key at 56 = 40 + 16
                () -> assertEquals(24, fcd.size()),
                () -> assertEquals(24, new VixDiskLibConnectParams.Spec().size()));
    }

    @Test
    @DisplayName("size_t and C long are 8 bytes, as the bindings assume")
    void scalarSizes() {
        assertAll(
                () -> assertEquals(8, com.sun.jna.Native.SIZE_T_SIZE),
                () -> assertEquals(8, com.sun.jna.Native.LONG_SIZE),
                () -> assertEquals(8, com.sun.jna.Native.POINTER_SIZE));
    }
}
