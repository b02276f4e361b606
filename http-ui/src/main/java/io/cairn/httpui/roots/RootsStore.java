package io.cairn.httpui.roots;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cairn.httpui.auth.Users;
import io.cairn.operations.roots.RestoreRoots;
import io.cairn.operations.roots.SourceRoots;
import io.cairn.repository.error.UnsafePathException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The restore and source roots in {@code <state>/roots.json} (version 1, {@code docs/web-ui.md}),
 * read once at start and replaced atomically by {@link #replace}, the only writer. Without the file
 * there are no roots: restores into a folder and {@code file:} schedules are refused until an
 * administrator names some. The repository, the state directory and everything below them are
 * forbidden whatever the roots say.
 */
public final class RootsStore {
    static final String FILE = "roots.json";
    /** The version written; never reuse a number for another layout. */
    static final int VERSION = 1;
    /** At most this many roots of each kind. */
    static final int MAX_ROOTS = 32;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** What is configured, and by whom. */
    public record Settings(List<Path> restoreRoots, List<Path> sourceRoots, Instant updated, String updatedBy) {
        public Settings {
            restoreRoots = List.copyOf(restoreRoots);
            sourceRoots = List.copyOf(sourceRoots);
        }
    }

    private final Path file;
    private final List<Path> forbidden;
    private volatile Settings current;

    private RootsStore(Path file, List<Path> forbidden, Settings current) {
        this.file = file;
        this.forbidden = List.copyOf(forbidden);
        this.current = current;
    }

    /**
     * Reads {@code <stateDir>/roots.json} if it exists.
     *
     * @param forbidden trees no root may lie in and no restore or source may reach (the repository,
     *     the state directory)
     * @throws IOException naming the file when it cannot be read or has another version
     */
    public static RootsStore open(Path stateDir, List<Path> forbidden) throws IOException {
        Path file = stateDir.resolve(FILE);
        Settings s = new Settings(List.of(), List.of(), null, null);
        if (Files.exists(file)) {
            JsonNode root;
            try {
                root = JSON.readTree(Files.readAllBytes(file));
            } catch (IOException e) {
                throw new IOException(file + " cannot be read: " + e.getMessage(), e);
            }
            if (root.path("version").asInt() != VERSION) {
                throw new IOException(
                        file + " has version " + root.path("version") + "; this cairn reads version " + VERSION);
            }
            s = new Settings(
                    paths(root.path("restoreRoots"), file),
                    paths(root.path("sourceRoots"), file),
                    root.hasNonNull("updated")
                            ? Instant.parse(root.get("updated").asText())
                            : null,
                    root.hasNonNull("updatedBy") ? root.get("updatedBy").asText() : null);
        }
        return new RootsStore(file, forbidden, s);
    }

    private static List<Path> paths(JsonNode a, Path file) throws IOException {
        List<Path> out = new ArrayList<>();
        for (JsonNode n : a) {
            String t = n.asText();
            Path p = Path.of(t);
            if (!n.isTextual() || !p.isAbsolute() || !p.normalize().equals(p)) {
                throw new IOException(file + " names '" + t + "' as a root, which is not an absolute, normalized path");
            }
            out.add(p);
        }
        return out;
    }

    public Settings settings() {
        return current;
    }

    /** Where a restore into a folder may write now. */
    public RestoreRoots restoreRoots() {
        return RestoreRoots.of(current.restoreRoots(), forbidden);
    }

    /** Which files a {@code file:} schedule may read now. */
    public SourceRoots sourceRoots() {
        return SourceRoots.of(current.sourceRoots(), forbidden);
    }

    /**
     * Checks every root ({@link RestoreRoots#checkRoot}, {@link SourceRoots#checkRoot}: existing
     * directories by their real paths, not {@code /} or a system tree, not in the repository or the
     * state directory), then saves them. Duplicates are kept once.
     *
     * @throws UnsafePathException with one line naming the first root refused; nothing is saved
     */
    public synchronized Settings replace(List<String> restore, List<String> source, String user) throws IOException {
        List<Path> r = checked(restore, true);
        List<Path> s = checked(source, false);
        Settings next = new Settings(r, s, Instant.now(), user);
        ObjectNode o = JSON.createObjectNode();
        o.put("version", VERSION);
        ArrayNode ra = o.putArray("restoreRoots");
        r.forEach(p -> ra.add(p.toString()));
        ArrayNode sa = o.putArray("sourceRoots");
        s.forEach(p -> sa.add(p.toString()));
        o.put("updated", next.updated().toString());
        o.put("updatedBy", user);
        Users.writeAtomically(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(o));
        current = next;
        return next;
    }

    private List<Path> checked(List<String> roots, boolean restore) throws IOException {
        String what = restore ? "restore roots" : "source roots";
        if (roots.size() > MAX_ROOTS) {
            throw new UnsafePathException("at most " + MAX_ROOTS + " " + what + ", not " + roots.size());
        }
        Set<Path> out = new LinkedHashSet<>();
        for (String t : roots) {
            out.add(
                    restore
                            ? RestoreRoots.checkRoot(stripSlash(t), forbidden)
                            : SourceRoots.checkRoot(stripSlash(t), forbidden));
        }
        return List.copyOf(out);
    }

    private static String stripSlash(String t) {
        return t != null && t.length() > 1 && t.endsWith("/") ? t.substring(0, t.length() - 1) : t;
    }
}
