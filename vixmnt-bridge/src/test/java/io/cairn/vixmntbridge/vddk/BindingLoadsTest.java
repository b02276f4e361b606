package io.cairn.vixmntbridge.vddk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Native;
import com.sun.jna.Structure;
import io.cairn.vixmntbridge.VixException;
import io.cairn.vixmntbridge.vddk.jna.VixDiskLibNative;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The VDDK binding without the VDDK")
class BindingLoadsTest {

    private static final String JNA = "io.cairn.vixmntbridge.vddk.jna.";
    private static final List<String> BINDING_CLASSES = List.of(
            "VixDiskLibNative",
            "VixDiskLibNative$LogFunc",
            "SizeT",
            "SizeT$ByRef",
            "VixStructure",
            "VixDiskLibGeometry",
            "VixDiskLibInfo",
            "VixDiskLibBlock",
            "VixDiskLibBlockList",
            "VixDiskLibConnectParams",
            "VixDiskLibConnectParams$Creds",
            "VixDiskLibConnectParams$UidPasswd",
            "VixDiskLibConnectParams$SessionId",
            "VixDiskLibConnectParams$Spec",
            "VixDiskLibConnectParams$VStorageObjectSpec");
    private static final List<String> STRUCTURES = List.of(
            "VixDiskLibGeometry",
            "VixDiskLibInfo",
            "VixDiskLibBlock",
            "VixDiskLibBlockList",
            "VixDiskLibConnectParams",
            "VixDiskLibConnectParams$Creds",
            "VixDiskLibConnectParams$UidPasswd",
            "VixDiskLibConnectParams$SessionId",
            "VixDiskLibConnectParams$Spec",
            "VixDiskLibConnectParams$VStorageObjectSpec");
    private static final String NOT_INSTALLED = "transport nbd needs VMware's VDDK (libvixDiskLib.so), which is not"
            + " installed: download the VDDK from VMware and give --vddk DIR or set VDDK_HOME";

    @Test
    @DisplayName("every binding class and the driver classes load and initialise")
    void classesLoad() throws Exception {
        for (String c : BINDING_CLASSES) {
            Class.forName(JNA + c, true, getClass().getClassLoader());
        }
        for (String c :
                List.of("Transport", "VddkLibrary", "VddkDisk", "VddkTarget", "VddkConfig", "SanStreams", "CStrings")) {
            Class.forName("io.cairn.vixmntbridge.vddk." + c, true, getClass().getClassLoader());
        }
    }

    @Test
    @DisplayName("every structure can be instantiated and written to native memory")
    void structuresInstantiate() throws Exception {
        for (String c : STRUCTURES) {
            Structure s =
                    (Structure) Class.forName(JNA + c).getDeclaredConstructor().newInstance();
            s.write();
            assertTrue(s.size() > 0, c);
        }
    }

    @Test
    @DisplayName("the function table declares each VixDiskLib function cairn calls")
    void functionTable() {
        List<String> names = java.util.Arrays.stream(VixDiskLibNative.class.getDeclaredMethods())
                .map(Method::getName)
                .toList();
        for (String f : List.of(
                "VixDiskLib_InitEx",
                "VixDiskLib_ConnectEx",
                "VixDiskLib_PrepareForAccess",
                "VixDiskLib_EndAccess",
                "VixDiskLib_Open",
                "VixDiskLib_GetInfo",
                "VixDiskLib_FreeInfo",
                "VixDiskLib_Read",
                "VixDiskLib_Write",
                "VixDiskLib_GetMetadataKeys",
                "VixDiskLib_ReadMetadata",
                "VixDiskLib_WriteMetadata",
                "VixDiskLib_QueryAllocatedBlocks",
                "VixDiskLib_FreeBlockList",
                "VixDiskLib_Close",
                "VixDiskLib_Disconnect",
                "VixDiskLib_Cleanup",
                "VixDiskLib_Exit",
                "VixDiskLib_GetErrorText",
                "VixDiskLib_FreeErrorText",
                "VixDiskLib_GetTransportMode")) {
            assertTrue(names.contains(f), f);
        }
    }

    @Test
    @DisplayName("Native.load of an absent libvixDiskLib.so fails with UnsatisfiedLinkError")
    void nativeLoadFails(@TempDir Path dir) {
        Path missing = dir.resolve("lib64").resolve(VixDiskLibNative.LIBRARY_FILE);
        assertThrows(UnsatisfiedLinkError.class, () -> Native.load(missing.toString(), VixDiskLibNative.class));
    }

    @Test
    @DisplayName("without --vddk and without VDDK_HOME, loading fails with the one-line hint")
    void noVddkHome(@TempDir Path work) {
        VixException e = assertThrows(VixException.class, () -> VddkLibrary.load(null, Map.of(), Transport.NBD, work));
        assertEquals(NOT_INSTALLED + " (VixDiskLib error " + VixException.VIX_E_NOT_SUPPORTED + ")", e.getMessage());
        assertEquals(VixException.VIX_E_NOT_SUPPORTED, e.code());
    }

    @Test
    @DisplayName("an empty --vddk directory fails with the one-line hint naming the directory")
    void emptyVddkDir(@TempDir Path vddk, @TempDir Path work) {
        VixException e = assertThrows(VixException.class, () -> VddkLibrary.load(vddk, Map.of(), Transport.NBD, work));
        assertOneLineHint(e, "nbd");
        assertTrue(e.getMessage().contains(vddk.toString()), e.getMessage());
    }

    @Test
    @DisplayName("an empty VDDK_HOME fails the same way, naming the transport asked for")
    void emptyVddkHome(@TempDir Path vddk, @TempDir Path work) {
        VixException e = assertThrows(
                VixException.class,
                () -> VddkLibrary.load(null, Map.of("VDDK_HOME", vddk.toString()), Transport.SAN, work));
        assertOneLineHint(e, "san");
    }

    @Test
    @DisplayName("a libvixDiskLib.so that is not a shared library fails in one line naming the file")
    void brokenLibrary(@TempDir Path vddk, @TempDir Path work) throws Exception {
        Path lib64 = Files.createDirectories(vddk.resolve("lib64"));
        Path so = Files.writeString(lib64.resolve(VixDiskLibNative.LIBRARY_FILE), "not an ELF file\n");
        VixException e =
                assertThrows(VixException.class, () -> VddkLibrary.load(vddk, Map.of(), Transport.HOTADD, work));
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertTrue(
                e.getMessage()
                        .startsWith("transport hotadd needs VMware's VDDK (libvixDiskLib.so), but "
                                + so.toAbsolutePath() + " could not be loaded"),
                e.getMessage());
        assertTrue(e.getMessage().contains("LD_LIBRARY_PATH"), e.getMessage());
    }

    private static void assertOneLineHint(VixException e, String transport) {
        String m = e.getMessage();
        assertFalse(m.contains("\n"), m);
        assertTrue(
                m.startsWith(
                        "transport " + transport + " needs VMware's VDDK (libvixDiskLib.so), which is not installed"),
                m);
        assertTrue(m.contains("download the VDDK from VMware and give --vddk DIR or set VDDK_HOME"), m);
    }
}
