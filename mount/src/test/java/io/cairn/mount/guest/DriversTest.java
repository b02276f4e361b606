package io.cairn.mount.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.mount.sandbox.Sandbox;
import io.cairn.mount.volume.FsType;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Which driver shows which file system, and why not: never the machine's own kernel. */
class DriversTest {
    static final Map<String, Path> ALL = Map.of(
            "fuse2fs", Path.of("/usr/bin/fuse2fs"),
            "ntfs-3g", Path.of("/usr/bin/ntfs-3g"));

    @Test
    @DisplayName("with everything installed: fuse2fs for ext2/3/4, ntfs-3g for NTFS, the micro-VM for XFS")
    void everything() {
        Drivers d = Drivers.detect(ALL::get, null, "/usr/bin/guestmount", null);
        for (FsType t : List.of(FsType.EXT2, FsType.EXT3, FsType.EXT4)) {
            assertEquals(Driver.Kind.FUSE2FS, d.forType(t).kind());
        }
        assertEquals(Driver.Kind.NTFS3G, d.forType(FsType.NTFS).kind());
        assertEquals(Driver.Kind.MICRO_VM, d.forType(FsType.XFS).kind());
        assertNull(d.forType(FsType.BTRFS));
        assertNull(d.forType(FsType.SWAP));
    }

    @Test
    @DisplayName("ext without fuse2fs is unsupported with the reason, never the kernel")
    void extWithoutFuse2fs() {
        Drivers d = Drivers.detect(n -> n.equals("ntfs-3g") ? ALL.get(n) : null, null, "/usr/bin/guestmount", null);
        assertNull(d.forType(FsType.EXT4));
        String why = d.whyNot(FsType.EXT4);
        assertTrue(why.contains("fuse2fs") && why.contains("never lets the kernel"), why);
        assertNotNull(d.forType(FsType.NTFS));
    }

    @Test
    @DisplayName("XFS without libguestfs is unsupported with the reason, never the kernel")
    void xfsWithoutMicroVm() {
        Drivers d =
                Drivers.detect(ALL::get, null, null, "XFS volumes are read in a micro-VM (libguestfs), which needs");
        assertNull(d.forType(FsType.XFS));
        assertTrue(d.whyNot(FsType.XFS).contains("micro-VM"), d.whyNot(FsType.XFS));
        assertNotNull(d.forType(FsType.EXT4));
    }

    @Test
    @DisplayName("without a sandbox no driver runs at all: every kind names the reason")
    void noSandbox() {
        Drivers d = Drivers.detect(
                ALL::get, "bubblewrap is not installed (Debian package bubblewrap)", "/usr/bin/guestmount", null);
        for (FsType t : List.of(FsType.EXT4, FsType.NTFS, FsType.XFS)) {
            assertNull(d.forType(t), t.name());
            assertTrue(d.whyNot(t).contains("bubblewrap"), d.whyNot(t));
        }
    }

    @Test
    @DisplayName("every driver command reads the sandbox's volume, stays in the foreground and is read-only")
    void commands() {
        Drivers d = Drivers.detect(ALL::get, null, "/usr/bin/guestmount", null);
        for (FsType t : List.of(FsType.EXT4, FsType.NTFS, FsType.XFS)) {
            List<String> c = d.forType(t).command();
            assertTrue(c.contains(Sandbox.VOLUME) && c.contains(Sandbox.MOUNT_POINT), c.toString());
            assertTrue(
                    c.contains("-f") || c.contains("--no-fork") || c.stream().anyMatch(a -> a.contains("no_detach")),
                    c.toString());
            assertTrue(c.stream().anyMatch(a -> a.equals("--ro") || a.startsWith("ro,")), c.toString());
        }
        // qemu must never guess an image format from the guest's bytes
        assertTrue(d.forType(FsType.XFS).command().contains("--format=raw"));
    }
}
