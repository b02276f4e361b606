package io.cairn.repository.backup;

import io.cairn.repository.error.RepositoryException;
import io.cairn.repository.error.UnsafePathException;
import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A directory a restore writes into, held open by its descriptor ({@link SecureDirectoryStream}:
 * {@code openat}, {@code renameat}, {@code unlinkat} relative to it), so that what is written
 * cannot be steered elsewhere by a symbolic link:
 *
 * <ul>
 *   <li>every directory below the starting point is opened with {@code O_NOFOLLOW}: a symbolic link
 *       anywhere on the way is refused, never followed (also {@code /proc/self/root/…}, whose
 *       entries are links);
 *   <li>files are created with {@code O_CREAT | O_EXCL | O_NOFOLLOW} (mode 0600), so no existing file
 *       or planted link is ever written through; they take their final name by a rename inside this
 *       directory, which replaces a name but never follows it;
 *   <li>names are single plain names ({@link #checkName}): no {@code /}, {@code .}, {@code ..}, NUL or
 *       control character.
 * </ul>
 *
 * <p>What it cannot do from Java: create a directory relative to a descriptor ({@code mkdirat}).
 * A missing directory is made by path and then opened, relative to its parent's descriptor and
 * without following links, so a racing local user can at most make an empty directory appear
 * elsewhere, never a file. Disk writers that create their own files by path (the VMDK writers)
 * write into a fresh scratch directory of mode 0700 made here ({@link #createDirectory}).
 */
public final class RestoreDirectory implements Closeable {
    /** Longest file name Linux file systems take (bytes of UTF-8). */
    static final int MAX_NAME_BYTES = 255;

    private static final FileAttribute<?> FILE_MODE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
    private static final FileAttribute<?> DIR_MODE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));

    private final SecureDirectoryStream<Path> dir;
    private final Path path;

    private RestoreDirectory(SecureDirectoryStream<Path> dir, Path path) {
        this.dir = dir;
        this.path = path;
    }

    /**
     * Opens (creating it and its parents if missing) a directory whose own path the caller trusts:
     * links in {@code base} itself are followed (a root user's {@code --to DIR}). {@link #path()} is
     * then its real path.
     */
    public static RestoreDirectory open(Path base) throws IOException {
        Files.createDirectories(base);
        Path real = base.toRealPath();
        return new RestoreDirectory(secure(Files.newDirectoryStream(real), real), real);
    }

    /**
     * Opens an existing directory by an absolute path that must contain no symbolic link at all:
     * every component from {@code /} on is opened without following links.
     *
     * @throws UnsafePathException when a component is a link, or the path is not absolute and normal
     */
    public static RestoreDirectory openNoFollow(Path absolute) throws IOException {
        if (!absolute.isAbsolute() || !absolute.normalize().equals(absolute)) {
            throw new UnsafePathException(absolute + " is not an absolute, normalized path");
        }
        Path rootPath = absolute.getRoot();
        RestoreDirectory root = new RestoreDirectory(secure(Files.newDirectoryStream(rootPath), rootPath), rootPath);
        try {
            List<String> names = new ArrayList<>();
            for (Path p : absolute) {
                names.add(p.toString());
            }
            return root.below(names, false);
        } finally {
            root.close();
        }
    }

    /**
     * The directory {@code names} below this one, each opened without following links; with {@code
     * create}, missing ones are made (mode 0700). This directory stays open.
     *
     * @throws UnsafePathException when a name is not plain or a component is a symbolic link
     * @throws NoSuchFileException when a directory is missing and {@code create} is false
     */
    public RestoreDirectory below(List<String> names, boolean create) throws IOException {
        for (String n : names) {
            checkName(n, "directory name");
        }
        SecureDirectoryStream<Path> at = dir;
        Path where = path;
        try {
            for (String n : names) {
                SecureDirectoryStream<Path> next;
                try {
                    next = child(at, where, n, create);
                } finally {
                    if (at != dir) {
                        at.close();
                    }
                }
                at = next;
                where = where.resolve(n);
            }
            if (at == dir) {
                // the same directory again, as a handle of its own
                at = secure(dir.newDirectoryStream(Path.of("."), LinkOption.NOFOLLOW_LINKS), where);
            }
            return new RestoreDirectory(at, where);
        } catch (IOException | RuntimeException e) {
            if (at != dir) {
                at.close();
            }
            throw e;
        }
    }

    private static SecureDirectoryStream<Path> child(
            SecureDirectoryStream<Path> parent, Path parentPath, String name, boolean create) throws IOException {
        Path where = parentPath.resolve(name);
        try {
            return secure(parent.newDirectoryStream(Path.of(name), LinkOption.NOFOLLOW_LINKS), where);
        } catch (NoSuchFileException e) {
            if (!create) {
                throw new NoSuchFileException(where.toString(), null, "no such directory");
            }
        } catch (AccessDeniedException e) {
            throw new AccessDeniedException(where.toString(), null, "permission denied");
        } catch (FileSystemException e) {
            // ELOOP (a link, refused by O_NOFOLLOW) or ENOTDIR
            throw notADirectory(parent, where, name);
        }
        try {
            // no mkdirat in Java: made by path, then reached only through the parent's descriptor
            Files.createDirectory(where, DIR_MODE);
            sync(parent); // the new name durable, as every level a restore makes
        } catch (FileAlreadyExistsException raced) {
            // made meanwhile by someone else: opened below like any existing directory
        }
        try {
            return secure(parent.newDirectoryStream(Path.of(name), LinkOption.NOFOLLOW_LINKS), where);
        } catch (FileSystemException e) {
            throw notADirectory(parent, where, name);
        }
    }

    private static IOException notADirectory(SecureDirectoryStream<Path> parent, Path where, String name) {
        try {
            if (parent.getFileAttributeView(Path.of(name), BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .readAttributes()
                    .isSymbolicLink()) {
                return new UnsafePathException(
                        where + " is a symbolic link; restores never follow links (give the directory it points to)");
            }
        } catch (IOException ignored) {
            // vanished: reported as not a directory
        }
        return new UnsafePathException(where + " is not a directory");
    }

    private static SecureDirectoryStream<Path> secure(DirectoryStream<Path> s, Path where) throws IOException {
        if (s instanceof SecureDirectoryStream<Path> sds) {
            return sds;
        }
        s.close();
        throw new RepositoryException(
                "cannot open " + where + " safely: this platform has no openat (SecureDirectoryStream)");
    }

    /** Where this directory is: its real path when every step below a trusted base was walked without links. */
    public Path path() {
        return path;
    }

    /**
     * Checks that nobody but this process's user and root can rename or replace any directory from
     * here up to {@code /}: then a path below here reaches this directory, whoever else is logged in.
     * Writers that open files by path (the VMDK formats' writer) need that; what this class writes
     * goes through its descriptor and does not. The rule is OpenSSH's for its own files: every
     * directory on the way is owned by root or by us and writable by no one else, except a sticky
     * one (as {@code /tmp}) whose next entry on the way is owned by root or by us.
     *
     * @throws UnsafePathException naming the directory and who could change it
     */
    public void checkOnlyOwnersCanRename(String why) throws IOException {
        int self = ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue();
        Path child = null;
        for (Path d = path; d != null; child = d, d = d.getParent()) {
            int uid = ((Number) Files.getAttribute(d, "unix:uid", LinkOption.NOFOLLOW_LINKS)).intValue();
            int mode = ((Number) Files.getAttribute(d, "unix:mode", LinkOption.NOFOLLOW_LINKS)).intValue();
            String problem = null;
            if (uid != 0 && uid != self) {
                problem = "is owned by user " + uid;
            } else if ((mode & 022) != 0) {
                boolean sticky = (mode & 01000) != 0;
                int childUid = child == null
                        ? -1
                        : ((Number) Files.getAttribute(child, "unix:uid", LinkOption.NOFOLLOW_LINKS)).intValue();
                if (!sticky || (childUid != 0 && childUid != self)) {
                    problem = String.format("can be written by others (mode %04o)", mode & 07777);
                }
            }
            if (problem != null) {
                throw new UnsafePathException(why + ": " + d + " " + problem
                        + ", who could put a link in its place while files are written by name;"
                        + " choose a directory only root can change");
            }
        }
    }

    /** Whether {@code name} exists here (a link counts as existing, and is not followed). */
    public boolean exists(String name) throws IOException {
        try {
            dir.getFileAttributeView(
                            Path.of(checkName(name, "file name")),
                            BasicFileAttributeView.class,
                            LinkOption.NOFOLLOW_LINKS)
                    .readAttributes();
            return true;
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    /**
     * Creates {@code name} here, exclusively ({@code O_CREAT|O_EXCL|O_NOFOLLOW}, mode 0600), for
     * reading and positional writing.
     *
     * @throws FileAlreadyExistsException when anything (a file, a link) has that name
     */
    public FileChannel createNew(String name) throws IOException {
        Set<OpenOption> opts = Set.of(
                StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE,
                StandardOpenOption.READ,
                LinkOption.NOFOLLOW_LINKS);
        SeekableByteChannel ch = dir.newByteChannel(Path.of(checkName(name, "file name")), opts, FILE_MODE);
        if (ch instanceof FileChannel fc) {
            return fc;
        }
        ch.close();
        throw new RepositoryException("cannot write " + path.resolve(name) + ": not a file channel");
    }

    /** Opens the existing regular file {@code name} here for writing, without following a link (to sync it). */
    public FileChannel openForSync(String name) throws IOException {
        SeekableByteChannel ch = dir.newByteChannel(
                Path.of(checkName(name, "file name")), Set.of(StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS));
        if (ch instanceof FileChannel fc) {
            return fc;
        }
        ch.close();
        throw new RepositoryException("cannot sync " + path.resolve(name) + ": not a file channel");
    }

    /**
     * Makes the directory {@code name} here, exclusively (mode 0700), and opens it.
     *
     * @throws FileAlreadyExistsException when the name is taken
     */
    public RestoreDirectory createDirectory(String name) throws IOException {
        Path where = path.resolve(checkName(name, "directory name"));
        Files.createDirectory(where, DIR_MODE);
        try {
            return new RestoreDirectory(
                    secure(dir.newDirectoryStream(Path.of(name), LinkOption.NOFOLLOW_LINKS), where), where);
        } catch (FileSystemException e) {
            throw new UnsafePathException(where + " was replaced while it was being made; nothing was written there");
        }
    }

    /** Renames {@code from} to {@code to} inside this directory ({@code renameat}): replaces {@code to}, never follows it. */
    public void rename(String from, String to) throws IOException {
        moveTo(from, this, to);
    }

    /** Moves {@code from} here to {@code to} in {@code target} (same file system), replacing {@code to}. */
    public void moveTo(String from, RestoreDirectory target, String to) throws IOException {
        dir.move(Path.of(checkName(from, "file name")), target.dir, Path.of(checkName(to, "file name")));
    }

    /** Removes the file (or link) {@code name} if it exists. */
    public void deleteFile(String name) throws IOException {
        try {
            dir.deleteFile(Path.of(checkName(name, "file name")));
        } catch (NoSuchFileException ignored) {
            // gone already
        }
    }

    /** Removes the empty directory {@code name} if it exists. */
    public void deleteDirectory(String name) throws IOException {
        try {
            dir.deleteDirectory(Path.of(checkName(name, "directory name")));
        } catch (NoSuchFileException ignored) {
            // gone already
        }
    }

    /** The names in this directory. */
    public List<String> list() throws IOException {
        List<String> names = new ArrayList<>();
        try (SecureDirectoryStream<Path> again =
                secure(dir.newDirectoryStream(Path.of("."), LinkOption.NOFOLLOW_LINKS), path)) {
            for (Path p : again) {
                names.add(p.getFileName().toString());
            }
        }
        return names;
    }

    /** Makes the names created, renamed and removed here durable ({@code fsync} of the directory). */
    public void sync() throws IOException {
        sync(dir);
    }

    private static void sync(SecureDirectoryStream<Path> d) throws IOException {
        try (SeekableByteChannel ch = d.newByteChannel(Path.of("."), Set.of(StandardOpenOption.READ))) {
            ((FileChannel) ch).force(true);
        }
    }

    @Override
    public void close() throws IOException {
        dir.close();
    }

    /**
     * Checks that {@code name} is one plain file name: not empty, not {@code .} or {@code ..}, at
     * most 255 bytes of UTF-8, and without {@code /}, NUL or control characters (names from a
     * manifest come from a VM's own settings).
     *
     * @return {@code name}
     * @throws UnsafePathException naming the offending name, control characters shown escaped
     */
    public static String checkName(String name, String what) throws UnsafePathException {
        String why = null;
        if (name == null || name.isEmpty()) {
            why = "it is empty";
        } else if (name.equals(".") || name.equals("..")) {
            why = "it names a directory itself";
        } else if (name.indexOf('/') >= 0) {
            why = "it contains '/'";
        } else if (name.chars().anyMatch(c -> c == 0 || Character.isISOControl(c))) {
            why = "it contains a NUL or control character";
        } else if (name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
            why = "it is longer than " + MAX_NAME_BYTES + " bytes";
        }
        if (why != null) {
            throw new UnsafePathException(what + " '" + escaped(name) + "' is not a plain file name (" + why + ")");
        }
        return name;
    }

    /** {@code name} with control characters as {@code \xNN}, at most 100 characters: safe in one line. */
    static String escaped(String name) {
        if (name == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < name.length() && b.length() < 100; i++) {
            char c = name.charAt(i);
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
                b.append(String.format("\\x%02x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.length() >= 100 ? b + "…" : b.toString();
    }
}
