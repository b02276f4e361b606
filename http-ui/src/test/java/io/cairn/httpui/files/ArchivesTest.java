package io.cairn.httpui.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.commons.compress.archivers.ArchiveEntry;
import org.apache.commons.compress.archivers.ArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Archives of a folder whose names a hostile guest chose (Linux allows any byte but '/' and NUL in a
 * name): what a Windows extractor would read as a path, what a terminal would read as a command, and
 * links that point out of the folder.
 */
@DisplayName("Archives: names and links that are unsafe to unpack are left out and listed")
class ArchivesTest {
    @TempDir
    Path dir;

    @BeforeEach
    void tree() throws IOException {
        Files.createDirectories(dir.resolve("sub"));
        Files.writeString(dir.resolve("sub/plain.txt"), "plain\n");
        Files.writeString(dir.resolve("..\\..\\Windows\\evil.dll"), "climbs on Windows\n");
        Files.writeString(dir.resolve("bell\u0007\u001b[31mred"), "escape sequence\n");
        Files.writeString(dir.resolve("c1\u009bcsi"), "C1 control\n");
        Files.createDirectories(dir.resolve("dir\\with\\backslash"));
        Files.writeString(dir.resolve("dir\\with\\backslash/inner.txt"), "inside a bad folder\n");
        Files.createSymbolicLink(dir.resolve("absolute"), Path.of("/etc/passwd"));
        Files.createSymbolicLink(dir.resolve("climbs"), Path.of("../../etc"));
        Files.createSymbolicLink(dir.resolve("sub/climbs-to-top"), Path.of("../../outside"));
        Files.createSymbolicLink(dir.resolve("sub/inside"), Path.of("../sub/./plain.txt"));
        Files.createSymbolicLink(dir.resolve("sub/back\\slash"), Path.of("plain.txt"));
        Files.createSymbolicLink(dir.resolve("target-with-backslash"), Path.of("..\\..\\x"));
    }

    private record Read(Map<String, String> files, Map<String, String> links) {}

    private Read write(Archives.Format f, String top) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Archives.write(dir, top, f, out);
        Map<String, String> files = new HashMap<>();
        Map<String, String> links = new HashMap<>();
        InputStream raw = new ByteArrayInputStream(out.toByteArray());
        try (ArchiveInputStream<?> in = f == Archives.Format.ZIP
                ? new ZipArchiveInputStream(raw)
                : new TarArchiveInputStream(new GzipCompressorInputStream(raw))) {
            ArchiveEntry e;
            while ((e = in.getNextEntry()) != null) {
                if (e instanceof TarArchiveEntry t && t.isSymbolicLink()) {
                    links.put(t.getName(), t.getLinkName());
                } else if (!e.isDirectory()) {
                    files.put(e.getName(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
                }
            }
        }
        return new Read(files, links);
    }

    @ParameterizedTest
    @EnumSource(Archives.Format.class)
    @DisplayName("no entry name holds a backslash or a control character; those files and folders are listed")
    void unsafeNames(Archives.Format f) throws IOException {
        Read r = write(f, "top");
        for (String name : r.files().keySet()) {
            assertTrue(Archives.safeName(name), f + ": " + name);
        }
        for (String name : r.links().keySet()) {
            assertTrue(Archives.safeName(name), f + ": " + name);
        }
        assertEquals("plain\n", r.files().get("top/sub/plain.txt"));
        String note = r.files().get("top/" + Archives.SKIPPED_NAMES);
        for (String listed : new String[] {
            "top/..\\\\..\\\\Windows\\\\evil.dll",
            "top/bell\\x07\\x1B[31mred",
            "top/c1\\x9Bcsi",
            "top/dir\\\\with\\\\backslash",
            "top/sub/back\\\\slash"
        }) {
            assertTrue(note.contains(listed + "\n"), f + ": " + listed + " not in\n" + note);
        }
        assertFalse(note.chars().anyMatch(c -> c != '\n' && Character.isISOControl(c)), "the note is plain text");
        assertFalse(r.files().keySet().stream().anyMatch(n -> n.contains("inner.txt")), "a bad folder's content");
    }

    @Test
    @DisplayName("tar keeps a relative link that stays inside; absolute, climbing and backslash targets are listed")
    void tarLinks() throws IOException {
        Read r = write(Archives.Format.TAR_GZ, "top");
        assertEquals(Map.of("top/sub/inside", "../sub/./plain.txt"), r.links());
        String note = r.files().get("top/" + Archives.SKIPPED_LINKS);
        for (String listed : new String[] {
            "top/absolute -> /etc/passwd",
            "top/climbs -> ../../etc",
            "top/sub/climbs-to-top -> ../../outside",
            "top/target-with-backslash -> ..\\\\..\\\\x"
        }) {
            assertTrue(note.contains(listed + "\n"), listed + " not in\n" + note);
        }
    }

    @Test
    @DisplayName("zip stores no link at all and lists each")
    void zipLinks() throws IOException {
        Read r = write(Archives.Format.ZIP, "top");
        String note = r.files().get("top/" + Archives.SKIPPED_LINKS);
        assertTrue(note.contains("top/sub/inside -> ../sub/./plain.txt\n"), note);
        assertTrue(note.contains("top/absolute -> /etc/passwd\n"), note);
    }

    @Test
    @DisplayName("nothing to leave out: no notes at all")
    void clean() throws IOException {
        Path clean = dir.resolve("sub");
        Files.delete(clean.resolve("climbs-to-top"));
        Files.delete(clean.resolve("back\\slash"));
        Files.delete(clean.resolve("inside")); // ../sub/… leaves "sub" on its way, even if it comes back
        Files.createSymbolicLink(clean.resolve("ok"), Path.of("plain.txt"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Archives.write(clean, "sub", Archives.Format.TAR_GZ, out);
        try (TarArchiveInputStream in =
                new TarArchiveInputStream(new GzipCompressorInputStream(new ByteArrayInputStream(out.toByteArray())))) {
            TarArchiveEntry e;
            boolean link = false;
            while ((e = in.getNextEntry()) != null) {
                assertFalse(e.getName().contains("CAIRN-SKIPPED"), e.getName());
                link |= e.isSymbolicLink() && e.getName().equals("sub/ok");
            }
            assertTrue(link, "the link inside is stored");
        }
    }

    @Test
    @DisplayName("a top folder name with a backslash or control character (a VM's name) is made safe")
    void top() throws IOException {
        Read r = write(Archives.Format.ZIP, "web\\01\u001b-1e59");
        assertEquals("plain\n", r.files().get("web_01_-1e59/sub/plain.txt"));
        assertEquals("backup", Archives.safeTop(".."));
    }

    @Test
    @DisplayName("a link's target is judged from its own folder, by its names")
    void staysInside() {
        assertTrue(Archives.staysInside("top/a/link", ".."));
        assertTrue(Archives.staysInside("top/a/link", "../b/./c"));
        assertFalse(Archives.staysInside("top/link", ".."));
        assertFalse(Archives.staysInside("top/a/link", "../../top/x"), "through the parent of the top folder");
        assertFalse(Archives.staysInside("top/link", "/top/x"));
        assertFalse(Archives.staysInside("top/link", ""));
        // with top/a -> . in the archive, top/p -> a/a/a/../../.. would leave the top folder once extracted
        assertTrue(Archives.staysInside("top/a", "."));
        assertFalse(Archives.staysInside("top/p", "a/a/a/../../.."), "a '..' after a name that may be a link");
        assertFalse(Archives.staysInside("top/x/p", "../b/../c"));
    }
}
