package io.cairn.vixmntbridge.vddk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.vixmntbridge.DiskInfo;
import io.cairn.vixmntbridge.VirtualDisk.SectorRange;
import io.cairn.vixmntbridge.VixException;
import io.cairn.vixmntbridge.vddk.jna.VixDiskLibNative;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("A VDDK disk, driven against a VixDiskLib written in Java")
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
                localDatastore);
    }

    static VddkTarget backup(Transport t) {
        return target(t, true, false, "[ds1] vm/vm.vmdk", "snapshot-7");
    }

    @Test
    @DisplayName(
            "opening prepares access, connects with the credentials, opens read-only, and close undoes it in reverse")
    void lifecycle() throws VixException {
        VddkDisk d = library.open(backup(Transport.NBDSSL));
        assertEquals("vc.example", fake.connectServer);
        assertEquals("moref=vm-42", fake.connectVmxSpec);
        assertEquals("backup@vsphere.local", fake.connectUser);
        assertEquals("s3cret", fake.connectPassword);
        assertEquals("nbdssl", fake.connectTransportModes);
        assertEquals("nbdssl", d.transportMode());
        d.close();
        d.close();
        assertEquals(
                List.of(
                        "PrepareForAccess",
                        "ConnectEx",
                        "Open [ds1] vm/vm.vmdk flags=" + VixDiskLibNative.VIXDISKLIB_FLAG_OPEN_READ_ONLY,
                        "Close",
                        "Disconnect",
                        "EndAccess"),
                fake.calls);
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
    @DisplayName("writes reach the disk when it is open for writing, and are refused when read-only")
    void write() throws VixException {
        byte[] data = new byte[512];
        java.util.Arrays.fill(data, (byte) 0x5a);
        try (VddkDisk d = library.open(target(Transport.NBDSSL, false, false, "[ds1] vm/vm.vmdk", null))) {
            d.write(2, 1, data, 0);
        }
        assertArrayEquals(data, java.util.Arrays.copyOfRange(fake.disk, 1024, 1536));
        try (VddkDisk d = library.open(backup(Transport.NBDSSL))) {
            assertThrows(VixException.class, () -> d.write(2, 1, data, 0));
        }
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

    @Test
    @DisplayName("metadata lists every key with its value")
    void metadata() throws VixException {
        try (VddkDisk d = library.open(backup(Transport.NBD))) {
            assertEquals(Map.of("adapterType", "pvscsi", "virtualHWVersion", "19"), d.metadata());
        }
    }

    @Test
    @DisplayName("allocated blocks come back as sector ranges and the list is freed")
    void allocatedBlocks() throws VixException {
        try (VddkDisk d = library.open(backup(Transport.NBD))) {
            assertEquals(List.of(new SectorRange(0, 128), new SectorRange(1024, 256)), d.allocatedBlocks(0, 2048, 128));
            assertThrows(VixException.class, () -> d.allocatedBlocks(0, 2048, 100));
            assertThrows(VixException.class, () -> d.allocatedBlocks(64, 2048, 128));
        }
        assertTrue(fake.calls.contains("QueryAllocatedBlocks 0+2048/128"));
        assertTrue(fake.calls.contains("FreeBlockList"));
    }

    @Test
    @DisplayName("an idle disk gets a keepalive read of sector 0; a busy one does not")
    void keepalive() throws VixException {
        try (VddkDisk d = library.open(backup(Transport.NBD))) {
            long interval = Duration.ofSeconds(30).toNanos();
            assertFalse(d.keepAliveIfIdle(System.nanoTime(), interval));
            assertTrue(d.keepAliveIfIdle(System.nanoTime() + interval, interval));
            assertTrue(fake.calls.contains("Read 0+1"));
        }
    }

    @Test
    @DisplayName("a disk on a host's local datastore is opened with an explicit nbdssl request")
    void localDatastore() throws VixException {
        try (VddkDisk d = library.open(target(Transport.SAN, true, true, "[local] vm/vm.vmdk", "snapshot-7"))) {
            assertEquals("nbdssl", fake.connectTransportModes);
        }
        try (VddkDisk d = library.open(target(Transport.HOTADD, true, true, "[local] vm/vm.vmdk", "snapshot-7"))) {
            assertEquals("hotadd:nbdssl", fake.connectTransportModes);
        }
    }

    @Nested
    @DisplayName("SAN")
    class San {

        @Test
        @DisplayName("allows at most 6 open streams per ESXi host and frees one on close")
        void sixPerHost() throws VixException {
            SanStreams san = library.sanStreams();
            List<VddkDisk> disks = new java.util.ArrayList<>();
            for (int i = 0; i < SanStreams.PER_HOST; i++) {
                disks.add(library.open(backup(Transport.SAN)));
            }
            assertEquals(0, san.available("esx1.example"));
            assertEquals(6, san.available("esx2.example"));
            disks.get(0).close();
            assertEquals(1, san.available("ESX1.example"));
            for (VddkDisk d : disks) {
                d.close();
            }
            assertEquals(6, san.available("esx1.example"));
        }

        @Test
        @DisplayName("a seventh stream waits until one is released")
        void seventhWaits() throws Exception {
            List<VddkDisk> disks = new java.util.ArrayList<>();
            for (int i = 0; i < SanStreams.PER_HOST; i++) {
                disks.add(library.open(backup(Transport.SAN)));
            }
            java.util.concurrent.CompletableFuture<VddkDisk> seventh =
                    java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                        try {
                            return library.open(backup(Transport.SAN));
                        } catch (VixException e) {
                            throw new java.util.concurrent.CompletionException(e);
                        }
                    });
            Thread.sleep(200);
            assertFalse(seventh.isDone());
            disks.get(0).close();
            seventh.get(10, java.util.concurrent.TimeUnit.SECONDS).close();
        }

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

        @Test
        @DisplayName("restores need a snapshot to write the base disk under")
        void restoreNeedsSnapshot() throws VixException {
            VixException e = assertThrows(
                    VixException.class,
                    () -> library.open(target(Transport.SAN, false, false, "[ds1] vm/vm.vmdk", null)));
            assertTrue(e.getMessage().contains("needs a snapshot"), e.getMessage());
            try (VddkDisk d = library.open(target(Transport.SAN, false, false, "[ds1] vm/vm.vmdk", "snapshot-9"))) {
                assertEquals("san", d.transportMode());
            }
        }
    }

    @Test
    @DisplayName("closing the library closes the disks still open")
    void libraryCloseClosesDisks() throws VixException {
        library.open(backup(Transport.NBD));
        library.close();
        assertTrue(fake.calls.contains("Close"));
        assertTrue(fake.calls.contains("EndAccess"));
    }

    @Test
    @DisplayName("cleanup passes the server without a VM and reports what remains")
    void cleanup() throws VixException {
        assertEquals(0, library.cleanup(backup(Transport.NBD)));
        assertEquals(List.of("Cleanup"), fake.calls);
    }
}
