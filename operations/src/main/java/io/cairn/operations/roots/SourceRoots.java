package io.cairn.operations.roots;

import io.cairn.repository.error.RepositoryException;
import io.cairn.repository.error.UnsafePathException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Which files a {@code file:} source may read. A scheduled backup reads only regular files below
 * the source roots an administrator allowed, reached without following a link, never in the
 * repository or the state directory and never a device, a pipe or a socket; that holds for every
 * file the source leads to (the disks and NVRAM a {@code .vmx} names, a VMDK's extents and
 * parents), so a {@code .vmx} naming {@code /etc/shadow} as its disk backs nothing up. A root
 * user's own command line reads what it names ({@link #unconfined()}), block devices included.
 */
public final class SourceRoots {
    private final List<Path> roots;
    private final List<Path> forbidden;
    private final boolean confined;

    private SourceRoots(List<Path> roots, List<Path> forbidden, boolean confined) {
        this.roots = List.copyOf(roots);
        this.forbidden = Rules.real(forbidden);
        this.confined = confined;
    }

    /**
     * The administrator's source roots.
     *
     * @param roots real paths, each checked by {@link #checkRoot} when it was configured
     * @param forbidden trees no source may be read from (the repository, the state directory)
     */
    public static SourceRoots of(List<Path> roots, List<Path> forbidden) {
        return new SourceRoots(roots, forbidden, true);
    }

    /** Anything the process may read (a root user's {@code cairn backup --vm file:PATH}). */
    public static SourceRoots unconfined() {
        return new SourceRoots(List.of(), List.of(), false);
    }

    /** Checks a directory an administrator wants as a source root, as restore roots are checked. */
    public static Path checkRoot(String text, List<Path> forbidden) throws IOException {
        return Rules.checkRoot(text, "source root", Rules.real(forbidden));
    }

    public List<Path> roots() {
        return roots;
    }

    /**
     * Checks a source path without touching the file system: absolute, normalized, strictly below a
     * root, outside the forbidden trees. What the schedules API answers 400 with.
     */
    public Path check(String file) throws UnsafePathException {
        Path p = Rules.parse(file, "the source");
        if (!confined) {
            return p;
        }
        Path f = Rules.forbiddenFor(p, forbidden);
        if (f != null) {
            throw new UnsafePathException("the source " + p + " lies in " + f + ", which backups never read");
        }
        if (Rules.rootOf(p, roots) == null) {
            throw new UnsafePathException(
                    roots.isEmpty()
                            ? "no source roots are configured: an administrator names the directories scheduled backups may"
                                    + " read files from (Settings)"
                            : "the source " + p + " is not in a source root ("
                                    + String.join(
                                            ", ",
                                            roots.stream().map(Path::toString).toList())
                                    + ")");
        }
        return p;
    }

    /**
     * Opens {@code file} for reading. Confined: checked as by {@link #check}, then reached from
     * {@code /} one directory at a time without following links, and opened only if it is a
     * regular file, by the same descriptor-relative walk ({@code O_NOFOLLOW}); the file opened is
     * checked to be the one inspected. Unconfined: opened as named.
     *
     * @throws UnsafePathException when it is outside the roots, forbidden, behind a link, or not a regular file
     * @throws RepositoryException with one line when it is missing or unreadable
     */
    public FileChannel open(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        if (!confined) {
            if (Files.isDirectory(file)) {
                throw new RepositoryException("source " + file + " is a directory, not a disk image");
            }
            try {
                return FileChannel.open(file, StandardOpenOption.READ);
            } catch (NoSuchFileException e) {
                throw new RepositoryException("source " + file + " does not exist");
            } catch (AccessDeniedException e) {
                throw new RepositoryException("source " + file + " cannot be read: permission denied");
            }
        }
        Path p = check(file.toAbsolutePath().normalize().toString());
        List<String> names = new ArrayList<>();
        for (Path n : p) {
            names.add(n.toString());
        }
        String last = names.remove(names.size() - 1);
        SecureDirectoryStream<Path> at = secure(Files.newDirectoryStream(p.getRoot()), p.getRoot());
        Path where = p.getRoot();
        try {
            for (String n : names) {
                SecureDirectoryStream<Path> next;
                where = where.resolve(n);
                try {
                    next = secure(at.newDirectoryStream(Path.of(n), LinkOption.NOFOLLOW_LINKS), where);
                } catch (NoSuchFileException e) {
                    throw new RepositoryException("source " + p + " does not exist (no directory " + where + ")");
                } catch (AccessDeniedException e) {
                    throw new RepositoryException("source " + p + " cannot be read: permission denied at " + where);
                } catch (FileSystemException e) {
                    throw new UnsafePathException("the source " + p + " passes through " + where
                            + ", which is a symbolic link or not a directory; scheduled backups never follow links");
                } finally {
                    at.close();
                }
                at = next;
            }
            return openRegular(at, where.resolve(last), last);
        } catch (NoSuchFileException e) {
            throw new RepositoryException("source " + p + " does not exist");
        } catch (AccessDeniedException e) {
            throw new RepositoryException("source " + p + " cannot be read: permission denied");
        } finally {
            at.close();
        }
    }

    private static SecureDirectoryStream<Path> secure(DirectoryStream<Path> s, Path where) throws IOException {
        if (s instanceof SecureDirectoryStream<Path> sds) {
            return sds;
        }
        s.close();
        throw new RepositoryException("cannot open " + where + " safely: this platform has no openat");
    }

    /**
     * Opens {@code name} in {@code dir} if and only if it is a regular file, not through a link, and
     * the same file (device and inode) before and after the open.
     */
    private static FileChannel openRegular(SecureDirectoryStream<Path> dir, Path where, String name)
            throws IOException {
        BasicFileAttributes before = attributes(dir, name, where);
        SeekableByteChannel ch;
        try {
            ch = dir.newByteChannel(Path.of(name), Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS));
        } catch (NoSuchFileException | AccessDeniedException e) {
            throw e;
        } catch (FileSystemException e) {
            throw new UnsafePathException("the source " + where + " cannot be opened without following a link");
        }
        BasicFileAttributes after = attributes(dir, name, where);
        if (!(ch instanceof FileChannel fc) || !Objects.equals(before.fileKey(), after.fileKey())) {
            ch.close();
            throw new UnsafePathException("the source " + where + " was replaced while it was opened");
        }
        return fc;
    }

    private static BasicFileAttributes attributes(SecureDirectoryStream<Path> sds, String name, Path where)
            throws IOException {
        BasicFileAttributes a = sds.getFileAttributeView(
                        Path.of(name), PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                .readAttributes();
        if (a.isSymbolicLink()) {
            throw new UnsafePathException("the source " + where + " is a symbolic link; scheduled backups never"
                    + " follow links (name the file it points to, inside a source root)");
        }
        if (!a.isRegularFile()) {
            throw new UnsafePathException("the source " + where + " is "
                    + (a.isDirectory() ? "a directory" : "a device, pipe or socket")
                    + ", not a regular file; scheduled backups read image files only");
        }
        return a;
    }
}
