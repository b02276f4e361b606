package io.cairn.vixmntbridge.mntapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Pointer;
import io.cairn.vixmntbridge.VixException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the C stand-in ({@code MntapiStandinIT}) cannot show: failures at every step of opening,
 * mounting and tearing down, and guest mount points (VMware's Linux library reports none). Opening,
 * listing, mounting, the OS information and the teardown order run through the stand-in.
 */
@DisplayName("A VixMntapi disk set, driven against FakeVixMntapi where the stand-in cannot go")
class DiskSetTest {

    static final long CONNECTION = 0x1000;
    static final String PATH = "[ds1] vm/vm.vmdk";

    private FakeVixMntapi fake;
    private MntapiLibrary library;
    private MntapiLock lock;

    /** The VixDiskLib side: a connection and a close that the journal records (Close, Disconnect, EndAccess). */
    final class FakeDisk implements DiskSet.Member {
        boolean failClose;
        boolean failConnection;
        int closes;

        @Override
        public Pointer connection() throws VixException {
            fake.calls.add("lendConnection");
            if (failConnection) {
                throw new VixException(VixException.VIX_E_DISK_NOINIT, PATH + " is closed");
            }
            return new Pointer(CONNECTION);
        }

        @Override
        public String path() {
            return PATH;
        }

        @Override
        public void close() throws VixException {
            closes++;
            fake.calls.add("VixDiskLib Close+Disconnect+EndAccess");
            if (failClose) {
                throw new VixException(VixException.VIX_E_FAIL, "VixDiskLib_Disconnect failed: boom");
            }
        }
    }

    @BeforeEach
    void setUp(@TempDir Path dir) throws VixException {
        fake = new FakeVixMntapi();
        lock = MntapiLock.acquire(dir.resolve("vixmntapi.lock"));
        library = new MntapiLibrary(fake, err -> "fake text for 0x" + Long.toHexString(err), lock, null, true);
    }

    @AfterEach
    void tearDown() throws VixException {
        library.close();
        assertTrue(fake.outstanding.isEmpty(), "native memory not given back: " + fake.outstanding.keySet());
    }

    @Test
    @DisplayName("mount returns the path where the files appear and the guest mount points, read-only")
    void mount() throws VixException {
        try (DiskSet set = library.open(new FakeDisk(), true)) {
            MountedVolume v = set.mount(set.volumes().get(1));
            assertEquals(Path.of("/tmp/vixmnt/vol1"), v.path());
            assertEquals(List.of("/", "/srv"), v.guestMountPoints());
            assertEquals(GuestVolume.Type.GPT_PARTITION, v.type());
            assertTrue(v.readOnly());
            assertEquals(1, fake.lastMountReadOnly);
            assertSame(v, set.mount(set.volumes().get(1)), "mounting twice returns the mounted volume");
            assertEquals(List.of(v), set.mounted());
            set.dismount(v);
            assertTrue(set.mounted().isEmpty());
            assertTrue(fake.calls.contains("DismountVolume 1"), fake.calls.toString());
        }
    }

    @Test
    @DisplayName("every teardown step runs when some fail; the first failure is thrown, the others suppressed")
    void teardownCollectsFailures() throws VixException {
        FakeDisk disk = new FakeDisk();
        DiskSet set = library.open(disk, true);
        set.mount(set.volumes().get(0));
        fake.failing.add("DismountVolume");
        fake.failing.add("CloseDiskSet");
        disk.failClose = true;
        fake.calls.clear();
        VixException e = assertThrows(VixException.class, set::close);
        assertEquals(
                List.of(
                        "DismountVolume 0 force",
                        "FreeVolumeHandles",
                        "CloseDiskSet",
                        "VixDiskLib Close+Disconnect+EndAccess"),
                fake.calls);
        assertEquals(13, e.code(), "the code is the low 16 bits of the VixError");
        assertEquals(
                "VixMntapi_DismountVolume of volume 0 on VixMntapi disk set of " + PATH
                        + " failed: fake text for 0x30000000d (VixDiskLib error 13)",
                e.getMessage());
        assertEquals(2, e.getSuppressed().length);
        assertTrue(
                e.getSuppressed()[0].getMessage().startsWith("VixMntapi_CloseDiskSet on"),
                e.getSuppressed()[0].getMessage());
        assertTrue(
                e.getSuppressed()[1].getMessage().contains("VixDiskLib_Disconnect"), e.getSuppressed()[1].getMessage());
    }

    @Test
    @DisplayName("a failing OpenDisks is translated once, and the disk is still closed")
    void openFails() {
        fake.failing.add("OpenDisks");
        FakeDisk disk = new FakeDisk();
        VixException e = assertThrows(VixException.class, () -> library.open(disk, true));
        assertEquals(
                "VixMntapi_OpenDisks on VixMntapi disk set of " + PATH + " failed: fake text for 0x30000000d"
                        + " (VixDiskLib error 13)",
                e.getMessage());
        assertEquals(List.of("lendConnection", "OpenDisks", "VixDiskLib Close+Disconnect+EndAccess"), fake.calls);
        assertEquals(1, disk.closes);
    }

    @Test
    @DisplayName("a failing GetVolumeHandles closes the opened set before the disk")
    void listFails() {
        fake.failing.add("GetVolumeHandles");
        VixException e = assertThrows(VixException.class, () -> library.open(new FakeDisk(), true));
        assertTrue(e.getMessage().startsWith("VixMntapi_GetVolumeHandles on"), e.getMessage());
        assertEquals(
                List.of(
                        "lendConnection",
                        "OpenDisks",
                        "GetVolumeHandles",
                        "CloseDiskSet",
                        "VixDiskLib Close+Disconnect+EndAccess"),
                fake.calls);
    }

    @Test
    @DisplayName("a disk that cannot lend its connection is closed, and nothing native is called")
    void connectionFails() {
        FakeDisk disk = new FakeDisk();
        disk.failConnection = true;
        VixException e = assertThrows(VixException.class, () -> library.open(disk, true));
        assertEquals(VixException.VIX_E_DISK_NOINIT, e.code());
        assertEquals(List.of("lendConnection", "VixDiskLib Close+Disconnect+EndAccess"), fake.calls);
    }

    @Test
    @DisplayName("a failed mount leaves the volume unmounted and the set usable")
    void mountFails() throws VixException {
        try (DiskSet set = library.open(new FakeDisk(), true)) {
            fake.failing.add("MountVolume");
            VixException e = assertThrows(
                    VixException.class, () -> set.mount(set.volumes().get(0)));
            assertTrue(e.getMessage().startsWith("VixMntapi_MountVolume of volume 0 on"), e.getMessage());
            assertTrue(set.mounted().isEmpty());
            fake.failing.clear();
            assertEquals(
                    Path.of("/tmp/vixmnt/vol0"), set.mount(set.volumes().get(0)).path());
        }
    }

    @Test
    @DisplayName("a volume of another set is refused")
    void foreignVolume() throws VixException {
        try (DiskSet set = library.open(new FakeDisk(), true)) {
            GuestVolume foreign = new GuestVolume(0, GuestVolume.Type.LVM_VOLUME, false, null, List.of());
            assertEquals(
                    VixException.VIX_E_INVALID_ARG,
                    assertThrows(VixException.class, () -> set.mount(foreign)).code());
        }
    }

    @Test
    @DisplayName("closing the library closes the sets still open, then VixMntapi_Exit, then releases the lock")
    void libraryClose(@TempDir Path dir) throws VixException {
        DiskSet set = library.open(new FakeDisk(), true);
        set.mount(set.volumes().get(0));
        fake.calls.clear();
        library.close();
        assertEquals(
                List.of(
                        "DismountVolume 0 force",
                        "FreeVolumeHandles",
                        "CloseDiskSet",
                        "VixDiskLib Close+Disconnect+EndAccess",
                        "Exit"),
                fake.calls);
        // the lock is free again
        MntapiLock.acquire(lock.file()).close();
        FakeDisk late = new FakeDisk();
        assertThrows(VixException.class, () -> library.open(late, true));
        assertEquals(1, late.closes, "a disk handed to a closed library is still closed");
    }

    @Test
    @DisplayName("enum codes map both ways, unknown values to UNKNOWN/OTHER")
    void enums() {
        for (GuestVolume.Type t : GuestVolume.Type.values()) {
            assertEquals(t, GuestVolume.Type.of(t.code()));
        }
        assertEquals(GuestVolume.Type.UNKNOWN, GuestVolume.Type.of(99));
        assertEquals(GuestOs.Family.WINDOWS, GuestOs.Family.of(1));
        assertEquals(GuestOs.Family.OTHER, GuestOs.Family.of(7));
        assertNull(new GuestVolume(0, GuestVolume.Type.UNKNOWN, false, null, List.of()).symbolicLink());
        assertFalse(new GuestVolume(0, GuestVolume.Type.UNKNOWN, false, null, List.of()).mounted());
    }
}
