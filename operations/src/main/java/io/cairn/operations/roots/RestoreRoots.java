package io.cairn.operations.roots;

import io.cairn.repository.backup.RestoreDirectory;
import io.cairn.repository.error.UnsafePathException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where restores into a folder may write. Either the directories an administrator allowed (the web
 * UI's restore roots: a target must lie at or below one, every directory below the root is walked
 * without following links and made when missing), or, for a root user's command line, the one
 * directory it named ({@code cairn restore --to DIR}: links in that path are the user's choice).
 * Never into the repository or the server's state directory, however the target is spelled.
 */
public final class RestoreRoots {
    private final List<Path> roots;
    private final List<Path> forbidden;
    private final boolean given;

    private RestoreRoots(List<Path> roots, List<Path> forbidden, boolean given) {
        this.roots = List.copyOf(roots);
        this.forbidden = Rules.real(forbidden);
        this.given = given;
    }

    /**
     * The administrator's restore roots.
     *
     * @param roots real paths, each checked by {@link #checkRoot} when it was configured
     * @param forbidden trees no restore may write into (the repository, the state directory)
     */
    public static RestoreRoots of(List<Path> roots, List<Path> forbidden) {
        return new RestoreRoots(roots, forbidden, false);
    }

    /** A root user's own target directory (the CLI's {@code --to DIR}), still never in {@code forbidden}. */
    public static RestoreRoots given(List<Path> forbidden) {
        return new RestoreRoots(List.of(), forbidden, true);
    }

    /**
     * Checks a directory an administrator wants as a restore root (see {@code docs/security.md}):
     * an existing directory given by its real path, not {@code /}, not a system tree, not in {@code
     * forbidden}.
     *
     * @return the root as a path
     * @throws UnsafePathException with the one line that says why not
     */
    public static Path checkRoot(String text, List<Path> forbidden) throws IOException {
        return Rules.checkRoot(text, "restore root", Rules.real(forbidden));
    }

    /** The roots, in the order configured. */
    public List<Path> roots() {
        return roots;
    }

    /**
     * Checks a requested target without touching the file system: an absolute, normalized path at
     * or below a root, outside the forbidden trees. What the web UI answers 400 with at once.
     */
    public Path check(String to) throws UnsafePathException {
        Path p = Rules.parse(to, "the restore target");
        Path f = Rules.forbiddenFor(p, forbidden);
        if (f != null) {
            throw new UnsafePathException("the restore target " + p + " lies in " + f + ", which only cairn may write");
        }
        if (!given && rootOf(p) == null) {
            throw new UnsafePathException(
                    roots.isEmpty()
                            ? "no restore roots are configured: an administrator names the directories restores may write"
                                    + " into (Settings)"
                            : "the restore target " + p + " is not in a restore root (" + String.join(", ", names())
                                    + ")");
        }
        return p;
    }

    /** The real path of the deepest existing ancestor of {@code abs}, with the rest of {@code abs} appended. */
    private static Path realOf(Path abs) throws IOException {
        Path existing = abs;
        while (existing != null && !java.nio.file.Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return abs;
        }
        return existing.toRealPath().resolve(existing.relativize(abs)).normalize();
    }

    private Path rootOf(Path p) {
        for (Path r : roots) {
            if (p.startsWith(r)) {
                return r;
            }
        }
        return null;
    }

    private List<String> names() {
        List<String> n = new ArrayList<>();
        roots.forEach(r -> n.add(r.toString()));
        return n;
    }

    /**
     * Opens the target directory, making it (and the directories between it and its root) when
     * missing: below a configured root without following any link, the root itself opened without
     * links too; a given directory ({@link #given}) as named. Checked again against the forbidden
     * trees by the real path reached.
     *
     * @throws UnsafePathException when the target is outside, forbidden, or has a link on its way
     */
    public RestoreDirectory open(Path to) throws IOException {
        if (given) {
            Path abs = to.toAbsolutePath().normalize();
            check(abs.toString());
            // where it leads, before anything is made: links in the part that exists resolved
            Path leads = realOf(abs);
            Path before = Rules.forbiddenFor(leads, forbidden);
            if (before != null) {
                throw new UnsafePathException("the restore target " + to + " is " + leads + ", in " + before
                        + ", which only cairn may write");
            }
            RestoreDirectory d = RestoreDirectory.open(abs);
            Path f = Rules.forbiddenFor(d.path(), forbidden);
            if (f != null) {
                d.close();
                throw new UnsafePathException(
                        "the restore target " + to + " is " + d.path() + ", in " + f + ", which only cairn may write");
            }
            return d;
        }
        Path p = check(to.toString());
        Path root = rootOf(p);
        try (RestoreDirectory r = RestoreDirectory.openNoFollow(root)) {
            return r.below(Rules.below(root, p), true);
        }
    }
}
