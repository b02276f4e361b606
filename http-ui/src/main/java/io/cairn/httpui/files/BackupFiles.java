package io.cairn.httpui.files;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cairn.mount.fuse.MountTable;
import io.cairn.mount.guest.GuestVolumeManager;
import io.cairn.mount.tree.BackupTree;
import io.cairn.operations.disk.Vddk;
import io.cairn.operations.mount.RepositoryMount;
import io.cairn.repository.Repository;
import io.cairn.repository.manifest.Manifest;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.text.Normalizer;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The files of backups as the web UI reads them: the repository mounted with the project's FUSE
 * mount ({@link RepositoryMount}, without a lock: guest ext4, NTFS and XFS volumes are mounted by
 * their drivers), read with java.nio and
 * confined to one backup's directory and its guest volumes' mount points.
 */
public final class BackupFiles implements AutoCloseable {
    private static final DateTimeFormatter TIME_NAME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One directory entry. type: file, dir or link. */
    public record Entry(String name, String type, long size, Instant modified) {}

    /** A search hit; path relative to the backup directory, starting with '/'. */
    public record Hit(String path, long size, Instant modified) {}

    /** A path inside one backup: what the client named and where it really is. */
    public record Resolved(String relative, Path path, BasicFileAttributes attributes) {}

    private final Path mnt;
    private final RepositoryMount mount;
    private final Map<String, Path> dirs = new ConcurrentHashMap<>();

    private BackupFiles(RepositoryMount mount) {
        this.mnt = mount.mountPoint();
        this.mount = mount;
    }

    /** Mounts the repository on {@code mnt} (unmounting what a crashed server left there first). */
    public static BackupFiles mount(Repository repo, String fsName, Path mnt, int threads, Consumer<String> log)
            throws IOException {
        return mount(repo, fsName, mnt, threads, null, log);
    }

    /**
     * As {@link #mount(Repository, String, Path, int, Consumer)}, with the Linux guest volumes
     * mounted through the VixMntapi of {@code vddk} when given: only on the administrator's explicit
     * {@code cairn serve --vixmntapi}, because VixMntapi has this machine's kernel parse them
     * (docs/security.md, section 1). Otherwise (null) the sandboxed drivers show every volume.
     */
    public static BackupFiles mount(
            Repository repo, String fsName, Path mnt, int threads, Vddk vddk, Consumer<String> log) throws IOException {
        Path mp = mnt.toAbsolutePath().normalize();
        List<MountTable.Entry> stale = new ArrayList<>(MountTable.atOrBelow(mp));
        stale.sort(Comparator.comparing((MountTable.Entry e) -> e.mountPoint().getNameCount())
                .reversed());
        for (MountTable.Entry e : stale) {
            log.accept("unmounting " + e.mountPoint() + " left by an earlier run");
            GuestVolumeManager.unmount(e.mountPoint(), log);
        }
        Files.createDirectories(mp);
        // No lock for the mount's lifetime (gc could never run while the server does): downloads and
        // restores lock for their own length; a listing of a backup gc just emptied fails with EIO.
        // The kernel caches what the guest drivers read (the mount uses kernel_cache), so the
        // chunk cache only has to hold the read-ahead windows of a few concurrent downloads.
        // Every cached chunk outlives a young collection and is copied by the collector (with
        // 256 MiB, the full collections of the cache cost 0.5 core-seconds per GiB
        // downloaded); four 16 MiB windows keep that at about 0.3.
        int chunk = repo.config().chunkSize();
        long cacheBytes = Math.max(64L << 20, 4L * RepositoryMount.readAheadChunks(chunk) * chunk);
        return new BackupFiles(RepositoryMount.open(
                repo, new RepositoryMount.Options(mp, fsName, cacheBytes, threads, true, false, null), vddk, log));
    }

    public Path mountPoint() {
        return mnt;
    }

    /** The backup's directory in the mount, {@code <mnt>/vms/<vm>/<time>}; null when the tree does not show it (yet). */
    public Path backupDir(Repository.Listed b, List<Repository.Listed> all) throws IOException {
        Path known = dirs.get(b.ref().id());
        if (known != null && Files.isDirectory(known, LinkOption.NOFOLLOW_LINKS)) {
            return known;
        }
        Manifest.VmIdentity vm = b.manifest().vm();
        for (Repository.Listed o : all) {
            if (o.manifest().vm().identity().equals(vm.identity())) {
                vm = o.manifest().vm(); // the tree names a VM by its newest backup
            }
        }
        String name = BackupTree.safeName(vm.name(), vm.identity());
        String time = TIME_NAME.format(b.manifest().instant());
        for (String v : List.of(name, name + " (" + BackupTree.safeName(vm.identity(), "vm") + ")")) {
            for (String t : List.of(time, time + "-" + b.ref().id())) {
                Path d = mnt.resolve("vms").resolve(v).resolve(t);
                Path json = d.resolve("config").resolve("vm.json");
                try {
                    if (b.ref()
                            .id()
                            .equals(JSON.readTree(Files.readAllBytes(json))
                                    .path("id")
                                    .asText())) {
                        dirs.put(b.ref().id(), d);
                        return d;
                    }
                } catch (IOException | IllegalArgumentException ignored) {
                    // not this candidate
                }
            }
        }
        return null;
    }

    /**
     * Resolves {@code relative} ("/", "/volumes/gpt-p2/dir1") against the backup directory, following
     * links (which mounts a guest volume on first use), and checks that the real path stays below the
     * backup directory or one of its guest volumes' mount points.
     *
     * @throws PathOutsideBackupException for "..", NUL, "//" and anything leading outside
     * @throws NoSuchFileException when nothing is there
     */
    public Resolved resolve(Repository.Listed b, Path backupDir, String relative) throws IOException {
        String rel = relative == null || relative.isEmpty() ? "/" : relative;
        if (rel.indexOf('\0') >= 0 || rel.startsWith("//") || rel.contains("\\")) {
            throw new PathOutsideBackupException();
        }
        Path p = backupDir;
        StringBuilder clean = new StringBuilder();
        for (String part : rel.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                throw new PathOutsideBackupException();
            }
            p = p.resolve(part);
            clean.append('/').append(part);
        }
        if (p.isAbsolute() && !p.startsWith(backupDir)) {
            throw new PathOutsideBackupException();
        }
        Path real = p.toRealPath();
        if (!allowed(b, backupDir.toRealPath(), real)) {
            throw new PathOutsideBackupException();
        }
        BasicFileAttributes a = Files.readAttributes(real, BasicFileAttributes.class);
        return new Resolved(clean.length() == 0 ? "/" : clean.toString(), real, a);
    }

    private boolean allowed(Repository.Listed b, Path realBackupDir, Path real) {
        if (real.startsWith(realBackupDir)) {
            return true;
        }
        Path guestMounts = mnt.resolve(".cairn").resolve("mnt");
        if (!real.startsWith(guestMounts) || real.getNameCount() <= guestMounts.getNameCount()) {
            return false;
        }
        String key = real.getName(guestMounts.getNameCount()).toString();
        return key.startsWith(guestKeyPrefix(b));
    }

    /** Guest volume keys of this backup start with this (GuestVolumeManager's key: vmKey-id-volume). */
    private static String guestKeyPrefix(Repository.Listed b) {
        return BackupTree.safeName(b.ref().vmKey(), "vm") + "-"
                + BackupTree.safeName(b.ref().id(), "backup") + "-";
    }

    /** The entries of a directory, sorted by name; links are not followed. */
    public List<Entry> list(Path dir) throws IOException {
        List<Entry> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path c : ds) {
                out.add(entry(c));
            }
        }
        out.sort(Comparator.comparing(Entry::name));
        return out;
    }

    static Entry entry(Path c) throws IOException {
        BasicFileAttributes a = Files.readAttributes(c, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        String type = a.isSymbolicLink() ? "link" : a.isDirectory() ? "dir" : "file";
        return new Entry(
                c.getFileName().toString(),
                type,
                a.isRegularFile() ? a.size() : 0,
                a.lastModifiedTime().toInstant());
    }

    /**
     * Case-insensitive substring search on names below {@code start}: at most {@code maxHits} hits,
     * depth 32, 100,000 entries and 10 s. Guest symlinks are not followed; the volume links directly
     * under {@code /volumes} are (they are the way into the guest filesystems).
     */
    public List<Hit> search(Resolved start, String query, int maxHits) throws IOException {
        String q = fold(query);
        long deadline = System.nanoTime() + 10_000_000_000L;
        int seen = 0;
        List<Hit> hits = new ArrayList<>();
        record Todo(Path path, String rel, int depth) {}
        Deque<Todo> todo = new ArrayDeque<>();
        todo.add(new Todo(start.path(), start.relative().equals("/") ? "" : start.relative(), 0));
        while (!todo.isEmpty() && hits.size() < maxHits && seen < 100_000 && System.nanoTime() < deadline) {
            Todo t = todo.removeFirst();
            List<Path> children = new ArrayList<>();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(t.path())) {
                ds.forEach(children::add);
            } catch (IOException e) {
                continue; // an unreadable directory (a volume that fails to mount) is skipped
            }
            children.sort(Comparator.comparing(Path::toString));
            for (Path c : children) {
                if (++seen > 100_000 || hits.size() >= maxHits) {
                    break;
                }
                String rel = t.rel() + "/" + c.getFileName();
                BasicFileAttributes a;
                try {
                    a = Files.readAttributes(c, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                } catch (IOException e) {
                    continue;
                }
                if (fold(c.getFileName().toString()).contains(q)) {
                    hits.add(new Hit(
                            rel,
                            a.isRegularFile() ? a.size() : 0,
                            a.lastModifiedTime().toInstant()));
                }
                if (t.depth() + 1 >= 32) {
                    continue;
                }
                if (a.isDirectory()) {
                    todo.add(new Todo(c, rel, t.depth() + 1));
                } else if (a.isSymbolicLink() && rel.matches("/volumes/[^/]+")) {
                    try {
                        Path real = c.toRealPath();
                        if (real.startsWith(mnt.resolve(".cairn").resolve("mnt"))) {
                            todo.add(new Todo(real, rel, t.depth() + 1));
                        }
                    } catch (IOException ignored) {
                        // a volume that cannot be mounted has nothing to find
                    }
                }
            }
        }
        return hits;
    }

    static String fold(String s) {
        return Normalizer.normalize(s, Normalizer.Form.NFC).toLowerCase(Locale.ROOT);
    }

    /** Guest volumes first, then the FUSE mount, then the chunk cache. */
    @Override
    public void close() {
        mount.close();
    }
}
