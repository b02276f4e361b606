package io.cairn.httpui.files;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.archivers.zip.Zip64Mode;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipParameters;

/**
 * A folder streamed as zip or tar.gz with Commons Compress, entry by entry, with no temporary copy:
 * POSIX long names and UTF-8 names in tar. Links are never followed.
 *
 * <p>The names come from a guest's filesystem, so an archive must be safe to unpack anywhere, also
 * with a Windows extractor, which reads a backslash as a folder separator ({@code ..\..\x} would
 * climb out of the target: "zip slip"):
 *
 * <ul>
 *   <li>a file or folder whose name holds a backslash or a control character is left out, with its
 *       contents, and listed in {@code CAIRN-SKIPPED-NAMES.txt};
 *   <li>symbolic links are left out of zip; tar stores one only when its target is relative and stays
 *       inside the archived folder (an absolute or climbing link would let a later write through it
 *       land outside the target). The ones left out are listed in {@code CAIRN-SKIPPED-LINKS.txt}.
 * </ul>
 *
 * Names in those lists show a backslash as {@code \\} and a control character as {@code \xNN}.
 */
public final class Archives {
    /** zip or tar.gz. */
    public enum Format {
        ZIP(".zip", "application/zip"),
        TAR_GZ(".tar.gz", "application/gzip");

        public final String extension;
        public final String contentType;

        Format(String extension, String contentType) {
            this.extension = extension;
            this.contentType = contentType;
        }

        public static Format parse(String s) {
            if (s == null || s.equals("zip")) {
                return ZIP;
            }
            if (s.equals("tar.gz")) {
                return TAR_GZ;
            }
            throw new IllegalArgumentException("format must be zip or tar.gz");
        }
    }

    /** Thrown when writing to the client failed (it went away): distinct from a failed read of the backup. */
    public static final class ClientGoneException extends IOException {
        public ClientGoneException(IOException cause) {
            super("the client closed the connection", cause);
        }
    }

    private Archives() {}

    /**
     * Writes {@code dir} (named {@code top} in the archive) to {@code out}.
     *
     * @return the bytes of file content archived
     */
    /**
     * Deflate's fastest level for both formats: on text it compresses 2.7 times faster than the
     * default level 6 for a 25 % instead of 21 % result (measured with zlib on log-like text), and
     * on data that does not compress (most of a VM's large files) both levels are equally slow. The
     * download is CPU-bound on deflate, so the faster level is what the administrator waits less for.
     */
    static final int LEVEL = java.util.zip.Deflater.BEST_SPEED;

    /** The note listing links left out, at the top of the archive. */
    static final String SKIPPED_LINKS = "CAIRN-SKIPPED-LINKS.txt";

    /** The note listing names left out, at the top of the archive. */
    static final String SKIPPED_NAMES = "CAIRN-SKIPPED-NAMES.txt";

    public static long write(Path dir, String top, Format format, OutputStream out) throws IOException {
        String root = safeTop(top);
        OutputStream guarded = new ClientStream(out);
        long[] bytes = {0};
        List<String> skippedLinks = new ArrayList<>();
        List<String> skippedNames = new ArrayList<>();
        if (format == Format.ZIP) {
            try (ZipArchiveOutputStream z = new ZipArchiveOutputStream(guarded)) {
                z.setEncoding("UTF-8");
                z.setLevel(LEVEL);
                z.setUseZip64(Zip64Mode.AsNeeded);
                walk(dir, root, 0, skippedNames, (p, name, a) -> {
                    if (a.isSymbolicLink()) {
                        skippedLinks.add(shown(name) + " -> "
                                + shown(Files.readSymbolicLink(p).toString()));
                        return;
                    }
                    ZipArchiveEntry e = new ZipArchiveEntry(a.isDirectory() ? name + "/" : name);
                    e.setLastModifiedTime(a.lastModifiedTime());
                    if (a.isRegularFile()) {
                        e.setSize(a.size());
                    }
                    z.putArchiveEntry(e);
                    if (a.isRegularFile()) {
                        bytes[0] += copy(p, z);
                    }
                    z.closeArchiveEntry();
                });
                note(z, root + "/" + SKIPPED_LINKS, "Symbolic links are not stored in zip archives", skippedLinks);
                note(z, root + "/" + SKIPPED_NAMES, NAMES_NOTE, skippedNames);
                z.finish();
            }
        } else {
            GzipParameters gz = new GzipParameters();
            gz.setCompressionLevel(LEVEL);
            try (TarArchiveOutputStream t =
                    new TarArchiveOutputStream(new GzipCompressorOutputStream(guarded, gz), "UTF-8")) {
                t.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
                t.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
                t.setAddPaxHeadersForNonAsciiNames(true);
                walk(dir, root, 0, skippedNames, (p, name, a) -> {
                    TarArchiveEntry e;
                    if (a.isSymbolicLink()) {
                        String target = Files.readSymbolicLink(p).toString();
                        if (!staysInside(name, target)) {
                            skippedLinks.add(shown(name) + " -> " + shown(target));
                            return;
                        }
                        e = new TarArchiveEntry(name, TarConstants.LF_SYMLINK);
                        e.setLinkName(target);
                    } else if (a.isDirectory()) {
                        e = new TarArchiveEntry(name + "/");
                    } else {
                        e = new TarArchiveEntry(name);
                        e.setSize(a.size());
                    }
                    e.setModTime(a.lastModifiedTime());
                    t.putArchiveEntry(e);
                    if (a.isRegularFile()) {
                        bytes[0] += copy(p, t);
                    }
                    t.closeArchiveEntry();
                });
                note(
                        t,
                        root + "/" + SKIPPED_LINKS,
                        "Symbolic links with an absolute target, or one outside this folder, are not stored",
                        skippedLinks);
                note(t, root + "/" + SKIPPED_NAMES, NAMES_NOTE, skippedNames);
                t.finish();
            }
        }
        return bytes[0];
    }

    private static final String NAMES_NOTE = "Files and folders whose names hold a backslash (a Windows extractor"
            + " reads it as a folder separator) or a control character are not stored";

    /** Writes a note entry listing what was left out, when anything was. */
    private static void note(
            org.apache.commons.compress.archivers.ArchiveOutputStream<?> a, String name, String why, List<String> left)
            throws IOException {
        if (left.isEmpty()) {
            return;
        }
        byte[] text = (why + "; these were left out (a backslash is shown as \\\\, a control character as \\xNN):\n"
                        + String.join("\n", left) + "\n")
                .getBytes(StandardCharsets.UTF_8);
        if (a instanceof ZipArchiveOutputStream z) {
            ZipArchiveEntry e = new ZipArchiveEntry(name);
            e.setSize(text.length);
            z.putArchiveEntry(e);
        } else {
            TarArchiveEntry e = new TarArchiveEntry(name);
            e.setSize(text.length);
            ((TarArchiveOutputStream) a).putArchiveEntry(e);
        }
        a.write(text);
        a.closeArchiveEntry();
    }

    /** Whether a name may be stored: no backslash, no control character (C0, DEL, C1). */
    static boolean safeName(String name) {
        return name.indexOf('\\') < 0 && name.chars().noneMatch(Character::isISOControl);
    }

    /** The archive's top folder name (ours to choose: a VM name may hold anything) with unsafe characters replaced. */
    static String safeTop(String top) {
        StringBuilder b = new StringBuilder();
        top.codePoints().forEach(c -> b.appendCodePoint(c == '\\' || c == '/' || Character.isISOControl(c) ? '_' : c));
        String t = b.toString();
        return t.isBlank() || t.equals(".") || t.equals("..") ? "backup" : t;
    }

    /**
     * Whether a link at {@code entry} (a path inside the archive, its first component the top folder)
     * pointing to {@code target} resolves, by its names alone, to a place inside the top folder. A
     * {@code ..} after a name is refused: that name may itself be a link in the archive (say
     * {@code a -> .}), and then names alone no longer say where {@code a/a/a/../../..} ends up.
     */
    static boolean staysInside(String entry, String target) {
        if (target.isEmpty() || target.startsWith("/") || !safeName(target)) {
            return false;
        }
        java.util.ArrayDeque<String> at = new java.util.ArrayDeque<>(List.of(entry.split("/")));
        at.removeLast(); // the link's own name: its target is resolved from its folder
        boolean named = false;
        for (String c : target.split("/")) {
            if (c.isEmpty() || c.equals(".")) {
                continue;
            }
            if (c.equals("..") && named) {
                return false;
            }
            if (!c.equals("..")) {
                named = true;
            }
            if (c.equals("..")) {
                if (at.size() <= 1) {
                    return false; // above the top folder
                }
                at.removeLast();
            } else {
                at.addLast(c);
            }
        }
        return true;
    }

    /** A name as the notes list it: a backslash as {@code \\}, a control character as {@code \xNN} (above 0xFF: a backslash, u and four hex digits). */
    static String shown(String name) {
        StringBuilder b = new StringBuilder();
        name.codePoints().forEach(c -> {
            if (c == '\\') {
                b.append("\\\\");
            } else if (Character.isISOControl(c)) {
                b.append(String.format(c <= 0xFF ? "\\x%02X" : "\\u%04X", c));
            } else {
                b.appendCodePoint(c);
            }
        });
        return b.toString();
    }

    private interface Visitor {
        void visit(Path p, String name, BasicFileAttributes a) throws IOException;
    }

    private static void walk(Path dir, String name, int depth, List<String> skipped, Visitor v) throws IOException {
        if (depth > 64) {
            throw new IOException("folder nesting deeper than 64 levels");
        }
        BasicFileAttributes a = Files.readAttributes(dir, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        v.visit(dir, name, a);
        List<Path> children = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            ds.forEach(children::add);
        }
        children.sort(Comparator.comparing(Path::toString));
        for (Path c : children) {
            String own = c.getFileName().toString();
            String cn = name + "/" + own;
            if (!safeName(own)) {
                skipped.add(shown(cn));
                continue;
            }
            BasicFileAttributes ca = Files.readAttributes(c, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (ca.isDirectory()) {
                walk(c, cn, depth + 1, skipped, v);
            } else if (ca.isRegularFile() || ca.isSymbolicLink()) {
                v.visit(c, cn, ca);
            }
        }
    }

    /** Copies a file into the archive; the size written is the size announced in the entry. */
    private static long copy(Path file, OutputStream out) throws IOException {
        long n = 0;
        byte[] buf = new byte[256 * 1024];
        try (InputStream in = Files.newInputStream(file)) {
            int r;
            while ((r = in.read(buf)) > 0) {
                out.write(buf, 0, r);
                n += r;
            }
        }
        return n;
    }

    /** Marks write failures as the client's, so the caller can tell them from failed reads. */
    private static final class ClientStream extends OutputStream {
        private final OutputStream out;

        ClientStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            try {
                out.write(b);
            } catch (IOException e) {
                throw new ClientGoneException(e);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            try {
                out.write(b, off, len);
            } catch (IOException e) {
                throw new ClientGoneException(e);
            }
        }

        @Override
        public void flush() throws IOException {
            try {
                out.flush();
            } catch (IOException e) {
                throw new ClientGoneException(e);
            }
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
