package io.cairn.operations.roots;

import io.cairn.repository.error.UnsafePathException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The rules every root and every path below one obeys, shared by restore and source roots. */
final class Rules {
    private Rules() {}

    /**
     * System trees no root may be, lie in or contain: what the appliance runs from and reads its
     * configuration from, and the kernel's own views. A root elsewhere is the administrator's choice.
     */
    static final List<Path> SYSTEM = List.of(
            Path.of("/proc"),
            Path.of("/sys"),
            Path.of("/dev"),
            Path.of("/run"),
            Path.of("/boot"),
            Path.of("/etc"),
            Path.of("/usr"),
            Path.of("/bin"),
            Path.of("/sbin"),
            Path.of("/lib"),
            Path.of("/lib32"),
            Path.of("/lib64"),
            Path.of("/libx32"),
            Path.of("/root"),
            Path.of("/var/lib/cairn"),
            Path.of("/var/cache/cairn"));

    /**
     * A path as given by a user: absolute, normalized, at most 4096 characters, without NUL or
     * control characters.
     */
    static Path parse(String text, String what) throws UnsafePathException {
        if (text == null
                || text.isEmpty()
                || text.length() > 4096
                || text.chars().anyMatch(c -> c == 0 || Character.isISOControl(c))
                || !text.startsWith("/")) {
            throw new UnsafePathException(what + " must be an absolute path without control characters");
        }
        Path p = Path.of(text);
        if (!p.normalize().equals(p) || text.contains("/./") || text.endsWith("/.") || text.contains("//")) {
            // a trailing '/' is only how directories are often typed: Path drops it
            throw new UnsafePathException(what + " " + text + " must be normalized (no '.', '..' or '//')");
        }
        return p;
    }

    /**
     * Checks a directory an administrator wants as a root and returns it: it must exist, be a
     * directory, be given by its real path (no link anywhere in it), not be {@code /}, not be in,
     * at or above a system tree, and not be in or at any of {@code forbidden} (the repository, the
     * state directory).
     */
    static Path checkRoot(String text, String what, List<Path> forbidden) throws IOException {
        Path p = parse(text, what);
        if (p.getNameCount() == 0) {
            throw new UnsafePathException(what + " / is the whole system; choose a directory of its own");
        }
        for (Path s : SYSTEM) {
            if (p.startsWith(s) || s.startsWith(p)) {
                throw new UnsafePathException(what + " " + p + (p.startsWith(s) ? " lies in " : " contains ") + s
                        + ", which the system itself uses");
            }
        }
        if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(p)) {
            throw new UnsafePathException(what + " " + p + " is not an existing directory");
        }
        Path real = p.toRealPath();
        if (!real.equals(p)) {
            throw new UnsafePathException(
                    what + " " + p + " passes through a symbolic link; give its real path, " + real);
        }
        for (Path f : forbidden) {
            if (p.startsWith(f)) {
                throw new UnsafePathException(what + " " + p + " lies in " + f + ", which only cairn may write");
            }
        }
        return p;
    }

    /** The real paths of {@code dirs} that exist (the others cannot be reached anyway), normalized. */
    static List<Path> real(List<Path> dirs) {
        List<Path> out = new ArrayList<>();
        for (Path d : dirs) {
            Path a = d.toAbsolutePath().normalize();
            out.add(a);
            try {
                Path r = a.toRealPath();
                if (!r.equals(a)) {
                    out.add(r);
                }
            } catch (IOException missing) {
                // not there: its lexical form is all there is to compare with
            }
        }
        return List.copyOf(out);
    }

    /** The root {@code p} lies strictly below, or null. */
    static Path rootOf(Path p, List<Path> roots) {
        for (Path r : roots) {
            if (p.startsWith(r) && !p.equals(r)) {
                return r;
            }
        }
        return null;
    }

    /** The forbidden tree {@code p} is in, or null. */
    static Path forbiddenFor(Path p, List<Path> forbidden) {
        for (Path f : forbidden) {
            if (p.startsWith(f)) {
                return f;
            }
        }
        return null;
    }

    /** {@code p}'s names below {@code root}. */
    static List<String> below(Path root, Path p) {
        List<String> names = new ArrayList<>();
        if (p.equals(root)) {
            return names;
        }
        for (Path n : root.relativize(p)) {
            names.add(n.toString());
        }
        return names;
    }
}
