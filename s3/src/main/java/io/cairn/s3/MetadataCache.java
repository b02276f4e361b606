package io.cairn.s3;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A local copy of a repository's metadata objects (manifests, indexes, key files: the keys under
 * {@code backups/} and {@code keys/}), so that listing backups, mounting and serving do not fetch
 * them again on every run. Chunks are never cached here (the mount has its own chunk cache).
 *
 * <p>Every use is verified: a copy is returned only for a key that the store's latest listing of
 * its folder showed, and only when the copy's MD5 equals the ETag that listing gave (a single-PUT
 * object's ETag is its MD5). A missing, damaged or outdated copy is fetched again and rewritten; a
 * key the listing no longer shows (deleted, by this appliance or another) is not served from the
 * cache and its copy is removed. The layers above verify what they read once more (the manifest's
 * checksum of each index, the manifest's own CRC and AES-GCM tag, the key file's tag).
 *
 * <p>Objects whose ETag is not an MD5 (multipart uploads, some server-side encryption modes) are
 * simply not cached.
 */
final class MetadataCache {
    private static final Pattern MD5 = Pattern.compile("[0-9a-f]{32}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path root;
    /** Key → MD5 hex of the object the store listed (or that this process wrote or read). */
    private final Map<String, String> known = new ConcurrentHashMap<>();

    MetadataCache(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    Path root() {
        return root;
    }

    static boolean cacheable(String key) {
        return key.startsWith("backups/") || key.startsWith("keys/");
    }

    /** The MD5 in an ETag ({@code "…"}), or null when the ETag is not one. */
    static String md5Of(String etag) {
        if (etag == null) {
            return null;
        }
        String e = etag.replace("\"", "").toLowerCase(java.util.Locale.ROOT);
        return MD5.matcher(e).matches() ? e : null;
    }

    static String md5Hex(byte[] data, int off, int len) {
        try {
            MessageDigest md = MessageDigest.getInstance("MD5");
            md.update(data, off, len);
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A listing of {@code prefix} (a folder such as {@code backups/}) finished with these objects and
     * ETags: they may be served from the cache; keys below {@code prefix} that it did not show may not,
     * and their copies go.
     */
    void listed(String prefix, Map<String, String> etags) {
        boolean covers =
                prefix.isEmpty() || cacheable(prefix) || "backups/".startsWith(prefix) || "keys/".startsWith(prefix);
        if (!covers) {
            return;
        }
        Set<String> gone = new java.util.HashSet<>();
        for (String k : known.keySet()) {
            if (k.startsWith(prefix) && !etags.containsKey(k)) {
                gone.add(k);
            }
        }
        for (String k : gone) {
            forget(k);
        }
        etags.forEach((k, etag) -> {
            String md5 = md5Of(etag);
            if (cacheable(k) && md5 != null) {
                known.put(k, md5);
            }
        });
        if (prefix.isEmpty() || prefix.equals("backups/")) {
            removeUnlisted("backups", etags.keySet());
        }
    }

    /** Copies of backups the store no longer has (pruned by any appliance) go after a full listing. */
    private void removeUnlisted(String folder, Set<String> listed) {
        Path dir = root.resolve(folder);
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                String key = root.relativize(f).toString();
                if (!listed.contains(key) && !key.contains("/.tmp-")) {
                    Files.deleteIfExists(f);
                    removeEmptyParents(f.getParent());
                }
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            // a cache that cannot be tidied is still correct: its entries are verified on use
        }
    }

    /** The cached bytes of {@code key}, verified against the MD5 the store gave for it, or null. */
    byte[] get(String key) {
        String md5 = known.get(key);
        if (md5 == null) {
            return null;
        }
        Path f = file(key);
        try {
            byte[] data = Files.readAllBytes(f);
            if (md5.equals(md5Hex(data, 0, data.length))) {
                return data;
            }
            Files.deleteIfExists(f); // damaged or outdated: fetched and written again
        } catch (NoSuchFileException e) {
            // not cached yet
        } catch (IOException e) {
            // unreadable: fetched from the store
        }
        return null;
    }

    /** Keeps a copy of what the store holds under {@code key} (whose ETag was {@code etag}). */
    void put(String key, byte[] data, int off, int len, String etag) {
        String md5 = md5Of(etag);
        if (md5 == null || !md5.equals(md5Hex(data, off, len))) {
            return; // not an MD5 ETag, or not these bytes: nothing that could be verified later
        }
        Path f = file(key);
        byte[] rnd = new byte[6];
        RANDOM.nextBytes(rnd);
        Path tmp = f.resolveSibling(".tmp-" + HexFormat.of().formatHex(rnd));
        try {
            Files.createDirectories(f.getParent());
            try (var out = Files.newOutputStream(tmp)) {
                out.write(data, off, len);
            }
            Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            known.put(key, md5);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // a stray temporary in the cache harms nothing
            }
        }
    }

    /** The object is gone (deleted, or no longer listed): its copy is not served and is removed. */
    void forget(String key) {
        known.remove(key);
        Path f = file(key);
        try {
            Files.deleteIfExists(f);
            removeEmptyParents(f.getParent());
        } catch (IOException e) {
            // never served again without a listing showing it
        }
    }

    private void removeEmptyParents(Path dir) {
        while (dir != null
                && dir.startsWith(root)
                && !dir.equals(root)
                && dir.getNameCount() > root.getNameCount() + 1) {
            try {
                Files.delete(dir);
            } catch (DirectoryNotEmptyException | NoSuchFileException e) {
                return;
            } catch (IOException e) {
                return;
            }
            dir = dir.getParent();
        }
    }

    private Path file(String key) {
        Path f = root.resolve(key).normalize();
        if (!f.startsWith(root) || key.contains("..")) {
            throw new IllegalArgumentException("invalid key for the cache: " + key);
        }
        return f;
    }
}
