package io.cairn.vixmntbridge.vddk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Library;
import com.sun.jna.Native;
import io.cairn.vixmntbridge.DiskInfo;
import io.cairn.vixmntbridge.VirtualDisk.SectorRange;
import io.cairn.vixmntbridge.VixException;
import io.cairn.vixmntbridge.testing.CallLog;
import io.cairn.vixmntbridge.testing.ProcessEnv;
import io.cairn.vixmntbridge.testing.Tools;
import io.cairn.vixmntbridge.testing.VddkStandin;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * cairn's real VixDiskLib binding ({@link VddkLibrary}, {@link VddkDisk}, JNA) driven through the
 * gcc-built STAND-IN libvixDiskLib.so.8 (scripts/vddk-standin; VMware's VDDK cannot be installed
 * here), loaded from {@code --vddk DIR} as a real VDDK would be, over VMDKs made by qemu-img in a
 * folder that plays a datastore. Each test reads the stand-in's call log to check what reached the
 * library, in which order, with which arguments.
 */
@DisplayName("The VixDiskLib binding through the VDDK stand-in (stand-in: VMware's VDDK cannot be installed here)")
class VddkStandinIT {
    static final int SECTOR = 512;
    static final int MIB = 1 << 20;
    static final String DS = "ds1";
    static final String THUMBPRINT = "2C:11:ED:D7:13:87:7D:B5:74:18:B8:1C:42:C2:56:1F:0D:B9:5B:B9";
    static final String PASSWORD = "pa ss\"w0rd-never-logged";

    /** The stand-in's own counter of allocations not given back (GetInfo, block lists, error texts). */
    public interface StandinControl extends Library {
        long VddkStandin_Outstanding();
    }

    @TempDir
    static Path shared;

    static VddkStandin standin;
    static StandinControl control;

    @TempDir
    Path dir;

    Path datastore;
    Path callLog;
    byte[] raw;
    VddkLibrary library;

    @BeforeAll
    static void build() throws Exception {
        standin = VddkStandin.build(shared.resolve("vddk"));
        control = Native.load(standin.diskLib().toString(), StandinControl.class);
    }

    @BeforeEach
    void setUp() throws Exception {
        datastore = Files.createDirectories(dir.resolve("datastore"));
        callLog = dir.resolve("calls.log");
        // 8 MiB: 1 MiB random, 2 MiB zeros, 100 KiB random, zeros to the end
        raw = new byte[8 * MIB];
        Random r = new Random(42);
        byte[] a = new byte[MIB];
        r.nextBytes(a);
        System.arraycopy(a, 0, raw, 0, MIB);
        byte[] b = new byte[100 * 1024];
        r.nextBytes(b);
        System.arraycopy(b, 0, raw, 3 * MIB, b.length);
        Path img = Files.write(dir.resolve("disk.img"), raw);
        Tools.flatVmdk(img, Files.createDirectories(datastore.resolve("vm1")), "vm1");
        ProcessEnv.set(VddkStandin.env(callLog, Map.of(DS, datastore), List.of(), List.of()));
        ProcessEnv.unset(VddkStandin.USER, VddkStandin.PASSWORD);
        library = VddkLibrary.load(standin.home(), Transport.NBDSSL, dir.resolve("work"));
    }

    @AfterEach
    void tearDown() throws Exception {
        library.close();
        assertEquals(0, control.VddkStandin_Outstanding(), "memory the library handed out and cairn did not free");
    }

    static VddkTarget target(Transport t, boolean readOnly, boolean local, String path, String snapshot) {
        return new VddkTarget(
                "vc.example",
                443,
                THUMBPRINT,
                "backup",
                PASSWORD,
                "vm-42",
                snapshot,
                path,
                "esx1.example",
                t,
                readOnly,
                new Placement(local, false, false));
    }

    static VddkTarget backup(Transport t) {
        return target(t, true, false, "[ds1] vm1/vm1.vmdk", "snapshot-7");
    }

    CallLog log() throws Exception {
        return CallLog.read(callLog);
    }

    @Test
    @DisplayName("reads every sector of a flat VMDK exactly, and reports the disk as GetInfo and the descriptor say")
    void readsAndInfo() throws Exception {
        try (VddkDisk d = library.open(backup(Transport.NBDSSL))) {
            assertEquals("nbdssl", d.transportMode());
            DiskInfo info = d.info();
            assertEquals(raw.length / SECTOR, info.capacitySectors());
            assertEquals(DiskInfo.AdapterType.LSILOGIC, info.adapterType());
            assertEquals(1, info.numLinks());
            assertNull(info.parentFileNameHint());
            byte[] all = new byte[raw.length];
            for (int at = 0; at < raw.length; at += MIB) {
                d.read(at / SECTOR, MIB / SECTOR, all, at);
            }
            assertArrayEquals(raw, all);
            Map<String, String> meta = d.metadata();
            assertEquals("lsilogic", meta.get("adapterType"), meta.toString());
            assertTrue(meta.containsKey("geometry.cylinders"), meta.toString());
            assertEquals(Integer.parseInt(meta.get("virtualHWVersion")), info.hardwareVersion());
        }
        CallLog log = log();
        List<String> order = log.calls().stream()
                .map(CallLog.Call::function)
                .filter(f ->
                        f.matches("VixDiskLib_(InitEx|PrepareForAccess|ConnectEx|Open|Close|Disconnect|EndAccess)"))
                .toList();
        assertEquals(
                List.of(
                        "VixDiskLib_InitEx",
                        "VixDiskLib_PrepareForAccess",
                        "VixDiskLib_ConnectEx",
                        "VixDiskLib_Open",
                        "VixDiskLib_Close",
                        "VixDiskLib_Disconnect",
                        "VixDiskLib_EndAccess"),
                order,
                log.describe());
        CallLog.Call connect = log.of("VixDiskLib_ConnectEx").get(0);
        assertEquals("moref=vm-42", connect.arg("vmxSpec"));
        assertEquals("vc.example", connect.arg("server"));
        assertEquals("443", connect.arg("port"));
        assertEquals(THUMBPRINT, connect.arg("thumbprint"));
        assertEquals("backup", connect.arg("user"));
        assertEquals("(set)", connect.arg("password"));
        assertEquals("1", connect.arg("readOnly"));
        assertEquals("snapshot-7", connect.arg("snapshotRef"));
        assertEquals("nbdssl", connect.arg("transportModes"));
        CallLog.Call open = log.of("VixDiskLib_Open").get(0);
        assertEquals("[ds1] vm1/vm1.vmdk", open.arg("path"));
        assertEquals("0x4", open.arg("flags"), "VIXDISKLIB_FLAG_OPEN_READ_ONLY");
        assertEquals("cairn", log.of("VixDiskLib_PrepareForAccess").get(0).arg("identity"));
        assertFalse(
                Files.readString(callLog, StandardCharsets.UTF_8).contains("never-logged"),
                "the password must never reach the call log");
    }

    @Test
    @DisplayName("InitEx gets the NFC timeouts of the Programming Guide, nfcFssrvrWrite included, and a tmpDirectory")
    void config() throws Exception {
        String config = log().of("VixDiskLib_InitEx").get(0).arg("config");
        for (String kv : List.of(
                "vixDiskLib.nfc.AcceptTimeoutMs=180000",
                "vixDiskLib.nfc.RequestTimeoutMs=180000",
                "vixDiskLib.nfc.ReadTimeoutMs=60000",
                "vixDiskLib.nfc.WriteTimeoutMs=600000",
                "vixDiskLib.nfcFssrvr.TimeoutMs=0",
                "vixDiskLib.nfcFssrvrWrite.TimeoutMs=0")) {
            assertTrue(Arrays.asList(config.split(";")).contains(kv), kv + " in " + config);
        }
        assertTrue(config.contains("tmpDirectory="), config);
        assertEquals("7.0", log().of("VixDiskLib_InitEx").get(0).arg("version"));
    }

    @Test
    @DisplayName("writes reach the flat extent; metadata written through VixDiskLib lands in the descriptor")
    void writesAndMetadata() throws Exception {
        byte[] data = new byte[64 * 1024];
        new Random(7).nextBytes(data);
        try (VddkDisk d = library.open(target(Transport.NBDSSL, false, false, "[ds1] vm1/vm1.vmdk", null))) {
            d.writeMetadata("cairn.restored", "yes");
            d.write(2048, data.length / SECTOR, data, 0);
            assertEquals("yes", d.metadata().get("cairn.restored"));
        }
        byte[] flat = Files.readAllBytes(datastore.resolve("vm1/vm1-flat.vmdk"));
        assertArrayEquals(data, Arrays.copyOfRange(flat, 2048 * SECTOR, 2048 * SECTOR + data.length));
        assertTrue(
                Files.readString(datastore.resolve("vm1/vm1.vmdk")).contains("ddb.cairn.restored = \"yes\""),
                "the descriptor holds the key");
        CallLog.Call open = log().of("VixDiskLib_Open").get(0);
        assertEquals("0x0", open.arg("flags"));
        assertEquals("0", log().of("VixDiskLib_ConnectEx").get(0).arg("readOnly"));
        // read-only disks refuse writes in cairn, before the library sees them
        try (VddkDisk d = library.open(backup(Transport.NBDSSL))) {
            VixException e = assertThrows(VixException.class, () -> d.write(0, 1, new byte[SECTOR], 0));
            assertEquals(VixException.VIX_E_FILE_ACCESS_ERROR, e.code());
        }
        assertTrue(log().of("VixDiskLib_Write").size() == 1, log().describe());
    }

    @Test
    @DisplayName("allocated blocks are the flat extent's data runs, in whole 64 KiB chunks, and the list is freed")
    void allocatedBlocks() throws Exception {
        List<SectorRange> blocks;
        try (VddkDisk d = library.open(backup(Transport.NBDSSL))) {
            blocks = d.allocatedBlocks(0, raw.length / SECTOR, 128);
        }
        long total = 0;
        for (SectorRange r : blocks) {
            assertEquals(0, r.start() % 128, blocks.toString());
            assertEquals(0, r.length() % 128, blocks.toString());
            total += r.length();
        }
        // every non-zero sector lies in a reported block
        for (int s = 0; s < raw.length / SECTOR; s++) {
            if (!allZero(raw, s * SECTOR, SECTOR)) {
                int sector = s;
                assertTrue(
                        blocks.stream().anyMatch(r -> sector >= r.start() && sector < r.start() + r.length()),
                        "sector " + s + " not in " + blocks);
            }
        }
        // qemu-img leaves the zero runs as holes: far less than the whole disk is reported
        assertTrue(total * SECTOR <= 2L * MIB, "allocated " + total + " sectors: " + blocks);
        CallLog log = log();
        assertEquals("128", log.of("VixDiskLib_QueryAllocatedBlocks").get(0).arg("chunkSize"));
        assertEquals(1, log.of("VixDiskLib_FreeBlockList").size());
    }

    private static boolean allZero(byte[] b, int at, int n) {
        for (int i = at; i < at + n; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    @Nested
    @DisplayName("errors")
    class Errors {
        @Test
        @DisplayName("a missing disk is VIX_E_FILE_NOT_FOUND with VixDiskLib's text, and the connection is released")
        void missingDisk() throws Exception {
            VixException e = assertThrows(
                    VixException.class,
                    () -> library.open(target(Transport.NBDSSL, true, false, "[ds1] vm1/nope.vmdk", "snapshot-7")));
            assertEquals(VixException.VIX_E_FILE_NOT_FOUND, e.code());
            assertTrue(
                    e.getMessage().startsWith("VixDiskLib_Open on [ds1] vm1/nope.vmdk of vm-42@snapshot-7"),
                    e.getMessage());
            assertTrue(e.getMessage().contains("failed: The system cannot find the file specified"), e.getMessage());
            List<String> tail = log().calls().stream()
                    .map(CallLog.Call::function)
                    .filter(f -> !f.contains("ErrorText"))
                    .toList();
            assertEquals(
                    List.of("VixDiskLib_Disconnect", "VixDiskLib_EndAccess"),
                    tail.subList(tail.size() - 2, tail.size()));
        }

        @Test
        @DisplayName("a read beyond the end is VIX_E_DISK_OUTOFRANGE")
        void outOfRange() throws Exception {
            try (VddkDisk d = library.open(backup(Transport.NBD))) {
                VixException e = assertThrows(
                        VixException.class, () -> d.read(raw.length / SECTOR - 1, 2, new byte[2 * SECTOR], 0));
                assertEquals(VixException.VIX_E_DISK_OUTOFRANGE, e.code());
                assertTrue(e.getMessage().contains("VixDiskLib_Read of sectors 16383+2"), e.getMessage());
            }
        }

        @Test
        @DisplayName("a sparse VMDK is refused as not supported, naming the disk")
        void sparseRefused() throws Exception {
            Tools.run(
                    null,
                    null,
                    "qemu-img",
                    "convert",
                    "-f",
                    "raw",
                    "-O",
                    "vmdk",
                    "-o",
                    "subformat=monolithicSparse",
                    dir.resolve("disk.img").toString(),
                    datastore.resolve("vm1/sparse.vmdk").toString());
            VixException e = assertThrows(
                    VixException.class,
                    () -> library.open(target(Transport.NBDSSL, true, false, "[ds1] vm1/sparse.vmdk", "snapshot-7")));
            assertEquals(16013, e.code(), e.getMessage());
        }

        @Test
        @DisplayName("credentials the server refuses fail ConnectEx in one line")
        void badCredentials() throws Exception {
            ProcessEnv.set(Map.of(VddkStandin.USER, "backup", VddkStandin.PASSWORD, "something else"));
            try {
                VixException e = assertThrows(VixException.class, () -> library.open(backup(Transport.NBDSSL)));
                assertEquals(3014, e.code());
                assertFalse(e.getMessage().contains("\n"));
            } finally {
                ProcessEnv.unset(VddkStandin.USER, VddkStandin.PASSWORD);
            }
        }

        @Test
        @DisplayName("a path outside the datastore is refused before any file is touched")
        void traversal() {
            VixException e = assertThrows(
                    VixException.class,
                    () -> library.open(
                            target(Transport.NBDSSL, true, false, "[ds1] vm1/../../etc/passwd", "snapshot-7")));
            assertEquals(VixException.VIX_E_INVALID_ARG, e.code());
        }
    }

    @Nested
    @DisplayName("transports")
    class Transports {
        @Test
        @DisplayName("a disk on a host's local datastore is asked for with nbdssl explicitly, whatever was asked")
        void localDatastore() throws Exception {
            try (VddkDisk d = library.open(target(Transport.SAN, true, true, "[ds1] vm1/vm1.vmdk", "snapshot-7"))) {
                assertEquals("nbdssl", d.transportMode());
            }
            try (VddkDisk d = library.open(target(Transport.HOTADD, true, true, "[ds1] vm1/vm1.vmdk", "snapshot-7"))) {
                assertEquals("nbdssl", d.transportMode(), "hotadd is not possible from this proxy: nbdssl after it");
            }
            List<String> modes = log().of("VixDiskLib_ConnectEx").stream()
                    .map(c -> c.arg("transportModes"))
                    .toList();
            assertEquals(List.of("nbdssl", "hotadd:nbdssl"), modes);
        }

        @Test
        @DisplayName("san reaches a disk only where the proxy sees the datastore's LUN; else Open fails with error 13")
        void san() throws Exception {
            VixException e = assertThrows(VixException.class, () -> library.open(backup(Transport.SAN)));
            assertEquals(VixException.VIX_E_FILE_ACCESS_ERROR, e.code());
            ProcessEnv.set(Map.of(VddkStandin.SAN, DS));
            try (VddkDisk d = library.open(backup(Transport.SAN))) {
                assertEquals("san", d.transportMode());
                byte[] first = new byte[MIB];
                d.read(0, MIB / SECTOR, first, 0); // the stand-in refuses SAN buffers not sector-aligned
                assertArrayEquals(Arrays.copyOf(raw, MIB), first);
            } finally {
                ProcessEnv.set(Map.of(VddkStandin.SAN, ""));
            }
        }

        @Test
        @DisplayName("a SAN restore needs the restore snapshot; with it the base disk is written over SAN")
        void sanRestore() throws Exception {
            ProcessEnv.set(Map.of(VddkStandin.SAN, DS));
            try {
                VixException e = assertThrows(
                        VixException.class,
                        () -> library.open(target(Transport.SAN, false, false, "[ds1] vm1/vm1.vmdk", null)));
                assertTrue(e.getMessage().contains("needs a snapshot"), e.getMessage());
                byte[] data = new byte[SECTOR * 8];
                new Random(3).nextBytes(data);
                try (VddkDisk d =
                        library.open(target(Transport.SAN, false, false, "[ds1] vm1/vm1.vmdk", "snapshot-9"))) {
                    assertEquals("san", d.transportMode());
                    d.write(8, 8, data, 0);
                }
                byte[] flat = Files.readAllBytes(datastore.resolve("vm1/vm1-flat.vmdk"));
                assertArrayEquals(data, Arrays.copyOfRange(flat, 8 * SECTOR, 16 * SECTOR));
            } finally {
                ProcessEnv.set(Map.of(VddkStandin.SAN, ""));
            }
            // the restore without a snapshot was refused before anything reached the library
            List<CallLog.Call> opens = log().of("VixDiskLib_Open");
            assertEquals(1, opens.size(), log().describe());
            assertEquals(1, log().of("VixDiskLib_PrepareForAccess").size(), log().describe());
            CallLog.Call open = opens.get(0);
            assertEquals("0x0", open.arg("flags"));
            assertEquals("san", open.result("transport"));
            assertEquals("1", open.result("links"), "a base disk");
            assertEquals("snapshot-9", open.result("snapshotRef"));
        }

        @Test
        @DisplayName("at most six SAN streams per ESXi host: a seventh open waits until one is closed")
        void sixSanStreams() throws Exception {
            ProcessEnv.set(Map.of(VddkStandin.SAN, DS));
            List<VddkDisk> disks = new ArrayList<>();
            try {
                for (int i = 0; i < SanStreams.PER_HOST; i++) {
                    disks.add(library.open(backup(Transport.SAN)));
                }
                CompletableFuture<VddkDisk> seventh = CompletableFuture.supplyAsync(() -> {
                    try {
                        return library.open(backup(Transport.SAN));
                    } catch (VixException e) {
                        throw new CompletionException(e);
                    }
                });
                Thread.sleep(300);
                assertFalse(seventh.isDone());
                assertEquals(
                        6,
                        log().where(c -> c.function().equals("VixDiskLib_Open")).size());
                disks.remove(0).close();
                disks.add(seventh.get(10, TimeUnit.SECONDS));
            } finally {
                for (VddkDisk d : disks) {
                    d.close();
                }
                ProcessEnv.set(Map.of(VddkStandin.SAN, ""));
            }
        }
    }

    @Test
    @DisplayName("an idle disk gets a keepalive read of sector 0")
    void keepalive() throws Exception {
        try (VddkDisk d = library.open(backup(Transport.NBDSSL))) {
            long interval = Duration.ofSeconds(30).toNanos();
            assertTrue(d.keepAliveIfIdle(System.nanoTime() + interval, interval));
        }
        CallLog.Call read = log().of("VixDiskLib_Read").get(0);
        assertEquals("0", read.arg("start"));
        assertEquals("1", read.arg("sectors"));
    }

    @Test
    @DisplayName("cleanup reaches VixDiskLib_Cleanup with the server and no VM, and closing the library calls Exit")
    void cleanupAndExit() throws Exception {
        assertEquals(0, library.cleanup(backup(Transport.NBDSSL)));
        library.open(backup(Transport.NBDSSL)); // left open: close() of the library closes it
        library.close();
        CallLog log = log();
        CallLog.Call cleanup = log.of("VixDiskLib_Cleanup").get(0);
        assertTrue(cleanup.ok(), cleanup.line());
        assertEquals("NULL", cleanup.arg("vmxSpec"));
        assertEquals(THUMBPRINT, cleanup.arg("thumbprint"));
        CallLog.Call exit = log.of("VixDiskLib_Exit").get(0);
        assertEquals("0", exit.arg("openConnections"));
        assertEquals("0", exit.arg("openDisks"));
        assertTrue(log.indexOf(log.of("VixDiskLib_EndAccess").get(0)) < log.indexOf(exit));
    }
}
