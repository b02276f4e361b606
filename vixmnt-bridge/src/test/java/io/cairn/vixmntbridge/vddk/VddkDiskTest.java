package io.cairn.vixmntbridge.vddk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.vixmntbridge.DiskInfo;
import io.cairn.vixmntbridge.VixException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * What the VDDK driver does that the C stand-in ({@code VddkStandinIT}) cannot show: the address of
 * the native buffer handed to VixDiskLib_Read, error codes with information in their high bits, and a
 * snapshot (delta) disk, which the stand-in does not serve. Everything else runs through the
 * stand-in.
 */
@DisplayName("A VDDK disk, driven against a VixDiskLib written in Java where the stand-in cannot go")
class VddkDiskTest {

    private FakeVixDiskLib fake;
    private VddkLibrary library;

    @BeforeEach
    void setUp() {
        fake = new FakeVixDiskLib();
        library = new VddkLibrary(fake, null, false, Duration.ofHours(1));
    }

    @AfterEach
    void tearDown() throws VixException {
        library.close();
        assertTrue(fake.outstanding.isEmpty(), "native memory not given back: " + fake.outstanding);
    }

    static VddkTarget target(Transport t, boolean readOnly, boolean localDatastore, String path, String snapshot) {
        return new VddkTarget(
                "vc.example",
                443,
                "AA:BB",
                "backup@vsphere.local",
                "s3cret",
                "vm-42",
                snapshot,
                path,
                "esx1.example",
                t,
                readOnly,
                new Placement(localDatastore, false, false));
    }

    static VddkTarget backup(Transport t) {
        return target(t, true, false, "[ds1] vm/vm.vmdk", "snapshot-7");
    }

    @Test
    @DisplayName("reads go through a 4096-aligned native buffer and land at the caller's offset")
    void alignedRead() throws VixException {
        for (int i = 0; i < fake.disk.length; i++) {
            fake.disk[i] = (byte) (i / 512);
        }
        try (VddkDisk d = library.open(backup(Transport.NBD))) {
            byte[] buf = new byte[3 * 512 + 7];
            d.read(5, 3, buf, 7);
            for (int i = 0; i < 3 * 512; i++) {
                assertEquals((byte) (5 + i / 512), buf[7 + i]);
            }
        }
        assertEquals(0, fake.readBufferAddresses.get(0) % 4096);
    }

    @Test
    @DisplayName("a read that does not fit the buffer is refused before VixDiskLib sees it")
    void readBounds() throws VixException {
        try (VddkDisk d = library.open(backup(Transport.NBD))) {
            VixException e = assertThrows(VixException.class, () -> d.read(0, 2, new byte[1000], 0));
            assertEquals(VixException.VIX_E_INVALID_ARG, e.code());
        }
        assertFalse(fake.calls.stream().anyMatch(c -> c.startsWith("Read")));
    }

    @Test
    @DisplayName("a VixDiskLib error becomes VixException(code, text from GetErrorText), and the text is freed")
    void errors() throws VixException {
        VixException open = assertThrows(
                VixException.class, () -> library.open(target(Transport.NBD, true, false, "[ds1] missing.vmdk", null)));
        assertEquals(FakeVixDiskLib.VIX_E_FILE_NOT_FOUND, open.code());
        assertTrue(
                open.getMessage().startsWith("VixDiskLib_Open on [ds1] missing.vmdk of vm-42 via"), open.getMessage());
        assertTrue(open.getMessage().contains("failed: fake error 4"), open.getMessage());
        // a failed open releases what it had acquired
        assertEquals(List.of("Disconnect", "EndAccess"), fake.calls.subList(fake.calls.size() - 2, fake.calls.size()));

        fake.failReadWith = 16002; // VIX_E_DISK_NOIO
        try (VddkDisk d = library.open(backup(Transport.NBD))) {
            VixException e = assertThrows(VixException.class, () -> d.read(0, 1, new byte[512], 0));
            assertEquals(VixException.VIX_E_DISK_NOIO, e.code());
            assertTrue(e.getMessage().contains("VixDiskLib_Read of sectors 0+1"), e.getMessage());
        }
    }

    @Test
    @DisplayName("info maps VixDiskLibInfo, takes the adapter and hardware version from metadata, and frees the info")
    void info() throws VixException {
        try (VddkDisk d = library.open(backup(Transport.NBD))) {
            DiskInfo i = d.info();
            assertEquals(1024, i.capacitySectors());
            assertEquals(new DiskInfo.Geometry(4294967295L, 255, 63), i.biosGeometry());
            assertEquals(new DiskInfo.Geometry(1, 16, 63), i.physicalGeometry());
            assertEquals(DiskInfo.AdapterType.PVSCSI, i.adapterType());
            assertEquals(19, i.hardwareVersion());
            assertNull(i.parentFileNameHint());
            assertEquals(1, i.numLinks());
        }
        assertTrue(fake.calls.contains("FreeInfo"));
    }

    @Nested
    @DisplayName("SAN")
    class San {

        @Test
        @DisplayName("restores only to a base disk: a delta disk is refused and everything is released")
        void restoreToDeltaRefused() {
            fake.numLinks = 2;
            fake.parent = "vm.vmdk";
            VixException e = assertThrows(
                    VixException.class,
                    () -> library.open(target(Transport.SAN, false, false, "[ds1] vm/vm-000001.vmdk", "snapshot-9")));
            assertEquals(VixException.VIX_E_NOT_SUPPORTED, e.code());
            assertTrue(e.getMessage().contains("SAN restores only write to base disks"), e.getMessage());
            assertEquals(6, library.sanStreams().available("esx1.example"));
            assertEquals(
                    List.of("Close", "Disconnect", "EndAccess"),
                    fake.calls.subList(fake.calls.size() - 3, fake.calls.size()));
        }
    }
}
