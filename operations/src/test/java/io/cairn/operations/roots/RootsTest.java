package io.cairn.operations.roots;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.operations.Images;
import io.cairn.operations.source.FileVm;
import io.cairn.repository.backup.RestoreDirectory;
import io.cairn.repository.error.RepositoryException;
import io.cairn.repository.error.UnsafePathException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Restore roots and source roots: what an administrator may allow, and what a path below one may be. */
class RootsTest {
    @TempDir
    Path tmp;

    Path base;
    Path root;
    Path state;
    Path repo;
    Path outside;

    @BeforeEach
    void dirs() throws IOException {
        base = tmp.toRealPath();
        root = Files.createDirectories(base.resolve("root"));
        state = Files.createDirectories(base.resolve("state"));
        repo = Files.createDirectories(root.resolve("repo")); // a repository inside a root
        outside = Files.createDirectories(base.resolve("outside"));
    }

    @Nested
    @DisplayName("configuring a root")
    class Configuring {
        @Test
        @DisplayName("an existing directory by its real path is a root")
        void good() throws IOException {
            assertEquals(root, RestoreRoots.checkRoot(root.toString(), List.of(state, repo)));
            assertEquals(root, SourceRoots.checkRoot(root.toString(), List.of(state, repo)));
        }

        @Test
        @DisplayName(
                "/, system trees, a tree holding one, a missing directory, a link, the state and a relative path are refused")
        void refused() throws IOException {
            Files.createSymbolicLink(base.resolve("link"), root);
            for (String bad : List.of(
                    "/",
                    "/etc",
                    "/etc/ssh",
                    "/var/lib",
                    "/dev",
                    "/proc/self/root" + root,
                    base.resolve("missing").toString(),
                    base.resolve("link").toString(),
                    state.resolve("mnt").toString(),
                    state.toString(),
                    "relative/dir",
                    root + "/../root",
                    root + "/./x",
                    root + "//x")) {
                if (bad.equals(state.resolve("mnt").toString())) {
                    Files.createDirectories(state.resolve("mnt"));
                }
                UnsafePathException e =
                        assertThrows(UnsafePathException.class, () -> RestoreRoots.checkRoot(bad, List.of(state)), bad);
                assertEquals(1, e.getMessage().lines().count());
                assertTrue(e.getMessage().startsWith("restore root"), e.getMessage());
            }
            assertEquals(
                    "restore root " + base.resolve("link") + " passes through a symbolic link; give its real path, "
                            + root,
                    assertThrows(
                                    UnsafePathException.class,
                                    () -> RestoreRoots.checkRoot(
                                            base.resolve("link").toString(), List.of()))
                            .getMessage());
            assertEquals(
                    "restore root /var/lib contains /var/lib/cairn, which the system itself uses",
                    assertThrows(UnsafePathException.class, () -> RestoreRoots.checkRoot("/var/lib", List.of()))
                            .getMessage());
        }
    }

    @Nested
    @DisplayName("restoring below a root")
    class Restoring {
        RestoreRoots roots;

        @BeforeEach
        void roots() {
            roots = RestoreRoots.of(List.of(root), List.of(state, repo));
        }

        @Test
        @DisplayName("a new directory below the root is made without links and opened")
        void below() throws IOException {
            try (RestoreDirectory d = roots.open(root.resolve("web01/2026"))) {
                assertEquals(root.resolve("web01/2026"), d.path());
            }
            assertTrue(Files.isDirectory(root.resolve("web01/2026")));
            try (RestoreDirectory d = roots.open(root)) {
                assertEquals(root, d.path(), "the root itself");
            }
        }

        @Test
        @DisplayName(
                "a symbolic link inside the root, on the way to the target, is refused and nothing is made behind it")
        void linkOnTheWay() throws IOException {
            Files.createSymbolicLink(root.resolve("etc"), outside);
            UnsafePathException e =
                    assertThrows(UnsafePathException.class, () -> roots.open(root.resolve("etc/cron.d")));
            assertTrue(e.getMessage().contains(root.resolve("etc") + " is a symbolic link"), e.getMessage());
            assertEquals(List.of(), Files.list(outside).toList());
        }

        @Test
        @DisplayName("/proc/self/root/… spelling of a target under the root is outside every root")
        void procSelfRoot() {
            UnsafePathException e =
                    assertThrows(UnsafePathException.class, () -> roots.open(Path.of("/proc/self/root" + root + "/x")));
            assertEquals(
                    "the restore target /proc/self/root" + root + "/x is not in a restore root (" + root + ")",
                    e.getMessage());
        }

        @Test
        @DisplayName(
                "the repository inside a root, the state directory, '..' and no roots at all are refused in one line")
        void refused() {
            assertEquals(
                    "the restore target " + repo.resolve("backups") + " lies in " + repo
                            + ", which only cairn may write",
                    assertThrows(UnsafePathException.class, () -> roots.open(repo.resolve("backups")))
                            .getMessage());
            assertThrows(UnsafePathException.class, () -> roots.open(state.resolve("x")));
            assertThrows(UnsafePathException.class, () -> roots.check(root + "/../outside"));
            assertEquals(
                    "no restore roots are configured: an administrator names the directories restores may write"
                            + " into (Settings)",
                    assertThrows(
                                    UnsafePathException.class,
                                    () -> RestoreRoots.of(List.of(), List.of()).check(root.toString()))
                            .getMessage());
            assertFalse(Files.exists(repo.resolve("backups")));
        }

        @Test
        @DisplayName("a root user's own directory may be spelled with links, but not lead into the repository")
        void given() throws IOException {
            RestoreRoots cli = RestoreRoots.given(List.of(repo));
            Files.createSymbolicLink(base.resolve("to-out"), outside);
            try (RestoreDirectory d = cli.open(base.resolve("to-out/vm"))) {
                assertEquals(outside.resolve("vm"), d.path());
            }
            Files.createSymbolicLink(base.resolve("to-repo"), repo);
            UnsafePathException e = assertThrows(UnsafePathException.class, () -> cli.open(base.resolve("to-repo/x")));
            assertTrue(e.getMessage().contains("which only cairn may write"), e.getMessage());
        }
    }

    @Nested
    @DisplayName("reading sources below a root")
    class Sources {
        SourceRoots roots;

        @BeforeEach
        void roots() {
            roots = SourceRoots.of(List.of(root), List.of(state, repo));
        }

        @Test
        @DisplayName("a regular file below the root is opened and read")
        void regular() throws IOException {
            Path img = Files.write(root.resolve("web.img"), new byte[] {1, 2, 3});
            try (FileChannel ch = roots.open(img)) {
                ByteBuffer b = ByteBuffer.allocate(3);
                ch.read(b, 0);
                assertArrayEquals(new byte[] {1, 2, 3}, b.array());
            }
        }

        @Test
        @DisplayName("a device, a pipe, a link, a file in the repository, outside the roots, or /dev/sda are refused")
        void refused() throws Exception {
            Images.sh("mkfifo", root.resolve("pipe").toString());
            Files.createSymbolicLink(root.resolve("null"), Path.of("/dev/null"));
            Files.createSymbolicLink(root.resolve("dir-link"), outside);
            Files.write(outside.resolve("secret"), new byte[] {9});
            Files.write(repo.resolve("config"), new byte[] {9});
            assertTrue(
                    assertThrows(UnsafePathException.class, () -> roots.open(root.resolve("pipe")))
                            .getMessage()
                            .endsWith(
                                    "is a device, pipe or socket, not a regular file; scheduled backups read image files only"));
            assertTrue(assertThrows(UnsafePathException.class, () -> roots.open(root.resolve("null")))
                    .getMessage()
                    .contains("is a symbolic link"));
            assertTrue(assertThrows(UnsafePathException.class, () -> roots.open(root.resolve("dir-link/secret")))
                    .getMessage()
                    .contains("passes through " + root.resolve("dir-link")));
            assertTrue(assertThrows(UnsafePathException.class, () -> roots.open(repo.resolve("config")))
                    .getMessage()
                    .contains("which backups never read"));
            assertEquals(
                    "the source /dev/sda is not in a source root (" + root + ")",
                    assertThrows(UnsafePathException.class, () -> roots.open(Path.of("/dev/sda")))
                            .getMessage());
            assertThrows(UnsafePathException.class, () -> roots.open(state.resolve("vcenter.key")));
            assertThrows(RepositoryException.class, () -> roots.open(root.resolve("missing.img")));
        }

        @Test
        @DisplayName("a .vmx below the root that names a disk or NVRAM outside it backs nothing up")
        void vmxLeadingOutside() throws Exception {
            Files.write(outside.resolve("shadow.vmdk"), new byte[512]);
            Files.write(root.resolve("ok-flat.vmdk"), new byte[1024]);
            Files.writeString(root.resolve("ok.vmdk"), descriptor("ok-flat.vmdk"));
            Path vmx = root.resolve("evil.vmx");
            Files.writeString(
                    vmx,
                    "displayName = \"evil\"\nscsi0:0.present = \"TRUE\"\nscsi0:0.fileName = \""
                            + outside.resolve("shadow.vmdk") + "\"\n");
            IOException disk = assertThrows(
                    IOException.class, () -> FileVm.open(vmx, null, roots).close());
            assertTrue(disk.getMessage().contains("is not in a source root"), disk.getMessage());
            Files.writeString(
                    vmx,
                    "displayName = \"evil\"\nscsi0:0.present = \"TRUE\"\nscsi0:0.fileName = \"ok.vmdk\"\n"
                            + "nvram = \"../outside/shadow.vmdk\"\n");
            IOException nvram = assertThrows(
                    IOException.class, () -> FileVm.open(vmx, null, roots).close());
            assertTrue(nvram.getMessage().contains("is not in a source root"), nvram.getMessage());
            try (FileVm unconfined = FileVm.open(vmx, null, SourceRoots.unconfined())) {
                assertEquals(1, unconfined.files().size() - 1, "the CLI (a root user) reads what it names");
            }
        }

        private static String descriptor(String extent) {
            return "# Disk DescriptorFile\nversion=1\nCID=fffffffe\nparentCID=ffffffff\ncreateType=\"monolithicFlat\"\n"
                    + "RW 2 FLAT \"" + extent + "\" 0\n";
        }

        @Test
        @DisplayName("a VMDK descriptor below the root whose extent lies outside it is refused")
        void vmdkExtentOutside() throws Exception {
            Files.write(outside.resolve("x-flat.vmdk"), new byte[1024]);
            Path vmdk = root.resolve("x.vmdk");
            Files.writeString(vmdk, descriptor("../outside/x-flat.vmdk"));
            IOException e = assertThrows(
                    IOException.class, () -> FileVm.open(vmdk, null, roots).close());
            assertTrue(e.getMessage().contains("is not in a source root"), e.getMessage());
            try (FileVm unconfined = FileVm.open(vmdk, null, SourceRoots.unconfined())) {
                assertEquals(1024, unconfined.capacity());
            }
        }
    }
}
