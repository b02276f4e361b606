package io.cairn.mount.tree;

import io.cairn.mount.image.BackupImage;
import io.cairn.mount.image.ChunkCache;
import io.cairn.mount.image.Image;
import io.cairn.repository.Repository;
import io.cairn.repository.backup.Restorer;
import io.cairn.repository.format.Json;
import io.cairn.repository.manifest.BackupRef;
import io.cairn.repository.manifest.Manifest;
import io.cairn.vixmntbridge.vmdk.VmdkWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The tree a mount shows, built from the repository's committed backups:
 * <pre>
 *   vms/&lt;vm name&gt;/&lt;backup time&gt;/config/    vm.json, config.json, the stored files (.vmx, nvram, …)
 *                               disks/     &lt;disk&gt;.vmdk (monolithicFlat descriptor) + &lt;disk&gt;-flat.vmdk
 *                               volumes/   guest volumes (see {@link GuestVolumes})
 *   vms/&lt;vm name&gt;/latest -&gt; &lt;newest backup time&gt;
 *   by-uuid/&lt;instanceUuid&gt; -&gt; ../vms/&lt;vm name&gt;
 * </pre>
 * The list of backups is read again when it is older than the refresh interval, so backups made
 * while mounted appear and pruned ones disappear; a backup's own subtree never changes.
 */
public final class BackupTree {
    static final DateTimeFormatter TIME_NAME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

    private final Repository repo;
    private final ChunkCache cache;
    private final GuestVolumes volumes;
    private final long refreshNanos;
    private final int readAheadChunks;
    private final Instant mountedAt = Instant.now();
    private final Map<BackupRef, Dir> backupDirs = new ConcurrentHashMap<>();
    private final Dir root;

    private volatile Listing listing;
    private long listedAt;

    private record Listing(List<Node> vms, List<Node> byUuid) {}

    public BackupTree(
            Repository repo, ChunkCache cache, GuestVolumes volumes, long refreshMillis, int readAheadChunks) {
        this.repo = repo;
        this.cache = cache;
        this.volumes = volumes;
        this.refreshNanos = refreshMillis * 1_000_000L;
        this.readAheadChunks = readAheadChunks;
        Dir vms = new Refreshing("vms", true);
        Dir byUuid = new Refreshing("by-uuid", false);
        this.root = new Dir() {
            @Override
            public String name() {
                return "/";
            }

            @Override
            public Instant modified() {
                return mountedAt;
            }

            @Override
            public List<Node> children() throws IOException {
                List<Node> c = new ArrayList<>(List.of(vms, byUuid));
                List<Node> internals = volumes.internals();
                if (!internals.isEmpty()) {
                    c.add(Nodes.dir(".cairn", mountedAt, internals));
                }
                return c;
            }
        };
    }

    public Dir root() {
        return root;
    }

    /**
     * The node at {@code path} ("/", "/vms/web01/latest", …), without following links; null when
     * no such entry exists or a path component is not a directory.
     */
    public Node resolve(String path) throws IOException {
        Node n = root;
        for (String part : path.split("/")) {
            if (part.isEmpty()) {
                continue;
            }
            if (!(n instanceof Dir d)) {
                return null;
            }
            n = d.child(part);
            if (n == null) {
                return null;
            }
        }
        return n;
    }

    private final class Refreshing implements Dir {
        private final String name;
        private final boolean vms;

        Refreshing(String name, boolean vms) {
            this.name = name;
            this.vms = vms;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public Instant modified() {
            return mountedAt;
        }

        @Override
        public List<Node> children() throws IOException {
            Listing l = listing();
            return vms ? l.vms() : l.byUuid();
        }
    }

    private synchronized Listing listing() throws IOException {
        long now = System.nanoTime();
        if (listing == null || now - listedAt > refreshNanos) {
            listing = list();
            listedAt = now;
        }
        return listing;
    }

    private Listing list() throws IOException {
        Map<String, List<Repository.Listed>> byIdentity = new LinkedHashMap<>();
        Map<String, Manifest.VmIdentity> identities = new HashMap<>();
        for (Repository.Listed l : repo.scan().readable()) {
            String id = l.manifest().vm().identity();
            byIdentity.computeIfAbsent(id, k -> new ArrayList<>()).add(l);
            // the newest backup's name and uuid win when a VM was renamed
            identities.merge(id, l.manifest().vm(), (a, b) -> b);
        }
        Map<String, Integer> nameCount = new HashMap<>();
        for (Manifest.VmIdentity v : identities.values()) {
            nameCount.merge(safeName(v.name(), v.identity()), 1, Integer::sum);
        }
        List<Node> vmDirs = new ArrayList<>();
        List<Node> links = new ArrayList<>();
        Set<String> uuids = new HashSet<>();
        for (Map.Entry<String, List<Repository.Listed>> e : byIdentity.entrySet()) {
            Manifest.VmIdentity vm = identities.get(e.getKey());
            String name = safeName(vm.name(), vm.identity());
            if (nameCount.get(name) > 1) {
                // two different VMs with one name: both get their identity so neither hides the other
                name = name + " (" + safeName(vm.identity(), "vm") + ")";
            }
            List<Repository.Listed> backups = new ArrayList<>(e.getValue());
            backups.sort(
                    Comparator.comparing((Repository.Listed l) -> l.manifest().time())
                            .thenComparing(l -> l.ref().id()));
            vmDirs.add(vmDir(name, backups));
            String uuid = vm.instanceUuid();
            if (uuid != null && !uuid.isBlank() && uuids.add(uuid)) {
                links.add(Link.of(
                        safeName(uuid, "uuid"),
                        "../vms/" + name,
                        backups.get(backups.size() - 1).manifest().instant()));
            }
        }
        vmDirs.sort(Comparator.comparing(Node::name));
        links.sort(Comparator.comparing(Node::name));
        return new Listing(List.copyOf(vmDirs), List.copyOf(links));
    }

    private Dir vmDir(String name, List<Repository.Listed> backups) {
        List<Node> children = new ArrayList<>();
        Set<String> used = new HashSet<>();
        String newest = null;
        Instant newestTime = mountedAt;
        for (Repository.Listed l : backups) {
            Instant t = l.manifest().instant();
            String dirName = TIME_NAME.format(t);
            if (!used.add(dirName)) {
                dirName = dirName + "-" + l.ref().id();
                used.add(dirName);
            }
            String finalName = dirName;
            Dir d = backupDirs.compute(
                    l.ref(),
                    (ref, old) -> old != null && old.name().equals(finalName)
                            ? old
                            : backupDir(finalName, l.ref(), l.manifest()));
            children.add(d);
            newest = dirName;
            newestTime = t;
        }
        children.add(Link.of("latest", newest, newestTime));
        return Nodes.dir(name, newestTime, children);
    }

    private Dir backupDir(String name, BackupRef ref, Manifest m) {
        Instant t = m.instant();
        Map<String, BackupImage> images = new ConcurrentHashMap<>();
        Dir config = Nodes.lazyDir("config", t, () -> configFiles(ref, m));
        Dir disks = Nodes.lazyDir("disks", t, () -> diskFiles(ref, m, images));
        Dir vols = Nodes.lazyDir("volumes", t, () -> {
            LinkedHashMap<String, Image> byName = new LinkedHashMap<>();
            for (Manifest.DiskEntry d : m.disks()) {
                byName.put(diskBase(d, m), image(ref, d, images));
            }
            // vms/<vm>/<time>/volumes: four path components below the root
            return volumes.entries(safeName(ref.vmKey(), "vm") + "-" + safeName(ref.id(), "backup"), byName, 4);
        });
        return Nodes.dir(name, t, List.of(config, disks, vols));
    }

    private List<Node> configFiles(BackupRef ref, Manifest m) throws IOException {
        Instant t = m.instant();
        List<Node> files = new ArrayList<>();
        Set<String> used = new HashSet<>();
        files.add(Nodes.bytes("vm.json", t, Json.writePretty(m)));
        used.add("vm.json");
        if (m.config() != null && !m.config().isNull()) {
            files.add(Nodes.bytes("config.json", t, Json.writePretty(m.config())));
            used.add("config.json");
        }
        if (m.encryption() != null && m.encryption().keyId() != null) {
            files.add(Nodes.bytes(
                    "encryption-keyid.txt", t, (m.encryption().keyId() + "\n").getBytes(StandardCharsets.UTF_8)));
            used.add("encryption-keyid.txt");
        }
        Restorer restorer = new Restorer(repo, 1, io.cairn.repository.backup.Progress.NONE);
        for (Manifest.FileEntry f : m.files()) {
            String name = safeName(f.name(), f.role());
            if (!used.add(name)) {
                name = safeName(f.role(), "file") + "-" + name;
                used.add(name);
            }
            files.add(Nodes.bytes(name, t, restorer.readFile(f)));
        }
        return files;
    }

    private List<Node> diskFiles(BackupRef ref, Manifest m, Map<String, BackupImage> images) throws IOException {
        Instant t = m.instant();
        List<Node> files = new ArrayList<>();
        for (Manifest.DiskEntry d : m.disks()) {
            String base = diskBase(d, m);
            BackupImage img = image(ref, d, images);
            String flat = base + "-flat.vmdk";
            if (d.capacity() % 512 == 0 && d.capacity() > 0) {
                files.add(Nodes.bytes(base + ".vmdk", t, descriptor(flat, d).getBytes(StandardCharsets.UTF_8)));
                files.add(Nodes.image(flat, t, img));
            } else {
                // not whole sectors: no VMDK can describe it, so only the raw bytes are shown
                files.add(Nodes.image(base + ".raw", t, img));
            }
        }
        return files;
    }

    private BackupImage image(BackupRef ref, Manifest.DiskEntry d, Map<String, BackupImage> images) throws IOException {
        BackupImage img = images.get(d.key());
        if (img == null) {
            img = new BackupImage(repo.readIndex(ref, d), cache, readAheadChunks);
            BackupImage prev = images.putIfAbsent(d.key(), img);
            if (prev != null) {
                img = prev;
            }
        }
        return img;
    }

    /** The VMDK descriptor shown for a disk: its own disk database keys, a content id fixed per disk. */
    static String descriptor(String flatName, Manifest.DiskEntry d) {
        Map<String, String> meta = io.cairn.vixmntbridge.vmdk.DiskDatabase.restorable(d.metadata());
        long cid = Long.parseLong(d.indexSha256().substring(0, 8), 16);
        return VmdkWriter.flatDescriptor(flatName, d.capacity(), meta, cid);
    }

    /** A disk's file name stem: its name without a disk-image extension, made safe for a file name. */
    static String diskBase(Manifest.DiskEntry d, Manifest m) {
        String safe = safeName(stem(d), d.key());
        // Two disks called alike (disk.vmdk on two datastores) keep apart by their key.
        long same = m.disks().stream()
                .filter(o -> o != d && safeName(stem(o), o.key()).equals(safe))
                .count();
        return same > 0 ? safe + "-" + safeName(d.key(), "disk") : safe;
    }

    private static String stem(Manifest.DiskEntry d) {
        String n = d.name() == null ? d.key() : d.name();
        n = n.substring(Math.max(n.lastIndexOf('/'), n.lastIndexOf('\\')) + 1);
        String lower = n.toLowerCase(Locale.ROOT);
        for (String ext : List.of(".vmdk", ".raw", ".img")) {
            if (lower.endsWith(ext) && n.length() > ext.length()) {
                n = n.substring(0, n.length() - ext.length());
                break;
            }
        }
        return n.endsWith("-flat") ? n.substring(0, n.length() - 5) : n;
    }

    /** A name usable as one path component: no '/', no NUL, not "." or "..", not empty. */
    public static String safeName(String name, String fallback) {
        String n = name == null ? "" : name.replace('/', '_').replace('\0', '_');
        if (n.isBlank() || n.equals(".") || n.equals("..")) {
            n = fallback == null || fallback.isBlank() ? "_" : safeName(fallback, "_");
        }
        return n;
    }
}
