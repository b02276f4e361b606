package io.cairn.repository;

import io.cairn.repository.chunk.BlobCodec;
import io.cairn.repository.chunk.ChunkStore;
import io.cairn.repository.crypto.DataKeys;
import io.cairn.repository.crypto.KeyFile;
import io.cairn.repository.error.BackupNotFoundException;
import io.cairn.repository.error.CorruptObjectException;
import io.cairn.repository.error.NotARepositoryException;
import io.cairn.repository.error.ObjectNotFoundException;
import io.cairn.repository.error.RepositoryException;
import io.cairn.repository.error.WrongPasswordException;
import io.cairn.repository.format.FormatConstants;
import io.cairn.repository.format.Json;
import io.cairn.repository.index.Chunker;
import io.cairn.repository.index.DiskIndex;
import io.cairn.repository.index.FixedIndex;
import io.cairn.repository.index.VariableIndex;
import io.cairn.repository.lock.LockManager;
import io.cairn.repository.manifest.BackupRef;
import io.cairn.repository.manifest.Manifest;
import io.cairn.repository.store.ObjectInfo;
import io.cairn.repository.store.ObjectLockedException;
import io.cairn.repository.store.Store;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import javax.crypto.AEADBadTagException;

/**
 * An open repository: its configuration, its chunk store, and its backups by manifest. The entry
 * point of the stack (store → chunks → index → manifest); maintenance and the backup engine work
 * through it. Thread-safe.
 */
public final class Repository {
    private final Store store;
    private final RepositoryConfig config;
    private final BlobCodec codec;
    private final ChunkStore chunks;
    private final LockManager locks;
    private final Chunker chunker;

    private Repository(Store store, RepositoryConfig config, DataKeys keys) {
        this.store = store;
        this.config = config;
        this.codec = new BlobCodec(config.compression().level(), keys);
        this.chunks = new ChunkStore(store, codec, keys);
        this.locks = new LockManager(store);
        RepositoryConfig.ChunkerConfig c = config.chunker();
        this.chunker = c == null
                ? null
                : new Chunker(
                        new Chunker.Params(c.align(), c.min(), c.avg(), c.max()),
                        keys == null ? 0 : keys.chunkerSeed());
    }

    /** Supplies the password of an encrypted repository, asked only when one is needed. */
    @FunctionalInterface
    public interface PasswordSource {
        char[] password() throws IOException;

        /**
         * True when the user gave a password without being asked (a password file, the environment):
         * opening a plaintext repository then fails, so that nobody believes their backups are
         * encrypted when they are not.
         */
        default boolean offered() {
            return false;
        }
    }

    /**
     * Creates a repository of the current format (version 2: content-defined chunks averaging
     * {@code chunkSize}, see {@link Chunker.Params#forAverage}) in an empty store.
     * @param password null for an unencrypted repository
     */
    public static Repository init(Store store, int chunkSize, int compressionLevel, char[] password)
            throws IOException {
        RepositoryConfig.validateChunkSize(chunkSize);
        return init(store, chunkSize, compressionLevel, password, Chunker.Params.forAverage(chunkSize), null);
    }

    /**
     * Creates a repository in an empty store, recording the Object Lock retention its backups get.
     * @param password null for an unencrypted repository
     * @param objectLock null for none (the store must support it: an S3 bucket with Object Lock)
     */
    public static Repository init(
            Store store, int chunkSize, int compressionLevel, char[] password, RepositoryConfig.ObjectLock objectLock)
            throws IOException {
        RepositoryConfig.validateChunkSize(chunkSize);
        return init(store, chunkSize, compressionLevel, password, Chunker.Params.forAverage(chunkSize), objectLock);
    }

    /**
     * Creates a repository in an empty store.
     * @param chunker the content-defined chunker of a version 2 repository, or null for a version 1
     *     repository (fixed chunks of {@code chunkSize})
     * @param password null for an unencrypted repository
     */
    public static Repository init(
            Store store, int chunkSize, int compressionLevel, char[] password, Chunker.Params chunker)
            throws IOException {
        return init(store, chunkSize, compressionLevel, password, chunker, null);
    }

    /**
     * Creates a repository in an empty store: the general form.
     * @param chunker the content-defined chunker of a version 2 repository, or null for version 1
     * @param objectLock null for none (the store must support it: an S3 bucket with Object Lock)
     */
    public static Repository init(
            Store store,
            int chunkSize,
            int compressionLevel,
            char[] password,
            Chunker.Params chunker,
            RepositoryConfig.ObjectLock objectLock)
            throws IOException {
        RepositoryConfig.validateChunkSize(chunkSize);
        if (compressionLevel < 0 || compressionLevel > 19) {
            throw new IllegalArgumentException("zstd compression level must be 0 (off) to 19, not " + compressionLevel);
        }
        if (store.stat(FormatConstants.KEY_CONFIG).isPresent()) {
            throw new RepositoryException(store.describe() + " is already a cairn repository");
        }
        String now = Instant.now().toString();
        DataKeys keys = null;
        byte[] material = null;
        if (password != null) {
            if (password.length == 0) {
                throw new IllegalArgumentException("the password is empty");
            }
            material = new byte[64];
            new SecureRandom().nextBytes(material);
            keys = new DataKeys(material);
            KeyFile kf = KeyFile.wrap(material, password, now, LockManager.hostName());
            java.util.Arrays.fill(material, (byte) 0);
            store.put(newKeyFileKey(), Json.write(kf));
        }
        RepositoryConfig config = new RepositoryConfig(
                FormatConstants.CONFIG_FORMAT,
                chunker == null ? FormatConstants.REPOSITORY_VERSION_1 : FormatConstants.REPOSITORY_VERSION,
                UUID.randomUUID().toString(),
                now,
                chunkSize,
                new RepositoryConfig.Compression(
                        compressionLevel == 0
                                ? FormatConstants.CONFIG_COMPRESSION_NONE
                                : FormatConstants.CONFIG_COMPRESSION_ZSTD,
                        compressionLevel),
                chunker == null
                        ? null
                        : new RepositoryConfig.ChunkerConfig(
                                FormatConstants.CHUNKER_ALGORITHM,
                                chunker.align(),
                                chunker.min(),
                                chunker.avg(),
                                chunker.max()),
                password == null
                        ? FormatConstants.CONFIG_ENCRYPTION_NONE
                        : FormatConstants.CONFIG_ENCRYPTION_AES256_GCM,
                null,
                objectLock);
        byte[] configBytes = Json.write(config);
        if (keys != null) {
            configBytes = withMac(configBytes, keys);
            config = Json.read(configBytes, RepositoryConfig.class);
        }
        writeReserve(store);
        // config last: a store with keys but no config is an interrupted init, not a repository.
        store.put(FormatConstants.KEY_CONFIG, configBytes);
        store.sync();
        return new Repository(store, config, keys);
    }

    static String newKeyFileKey() {
        byte[] id = new byte[8];
        new SecureRandom().nextBytes(id);
        return FormatConstants.DIR_KEYS + "/" + HexFormat.of().formatHex(id);
    }

    /**
     * The canonical bytes the config's mac covers: the document without {@code mac}, every object's
     * fields sorted by name, no whitespace. Fields a later version adds are covered too.
     */
    static byte[] canonical(byte[] configJson) throws IOException {
        com.fasterxml.jackson.databind.JsonNode tree = Json.mapper().readTree(configJson);
        if (!(tree instanceof com.fasterxml.jackson.databind.node.ObjectNode o)) {
            throw new CorruptObjectException(FormatConstants.KEY_CONFIG, "not a JSON object");
        }
        o.remove("mac");
        Object plain = Json.mapper().convertValue(o, Object.class);
        return Json.mapper()
                .writer()
                .without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
                .with(com.fasterxml.jackson.databind.SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
                .writeValueAsBytes(plain);
    }

    private static byte[] withMac(byte[] configJson, DataKeys keys) throws IOException {
        com.fasterxml.jackson.databind.node.ObjectNode o =
                (com.fasterxml.jackson.databind.node.ObjectNode) Json.mapper().readTree(configJson);
        o.put("mac", HexFormat.of().formatHex(keys.configMac(canonical(configJson))));
        return Json.mapper().writeValueAsBytes(o);
    }

    /** Opens a repository; asks {@code passwords} only when it is encrypted. */
    public static Repository open(Store store, PasswordSource passwords) throws IOException {
        byte[] raw;
        try {
            raw = store.get(FormatConstants.KEY_CONFIG);
        } catch (ObjectNotFoundException e) {
            throw new NotARepositoryException(
                    store.describe() + " is not a cairn repository (it has no 'config' file)");
        }
        RepositoryConfig config;
        try {
            config = Json.read(raw, RepositoryConfig.class);
        } catch (IOException e) {
            throw new NotARepositoryException(
                    store.describe() + " is not a cairn repository ('config' is not a cairn configuration)");
        }
        if (!FormatConstants.CONFIG_FORMAT.equals(config.format())) {
            throw new NotARepositoryException(
                    store.describe() + " is not a cairn repository ('config' format is '" + config.format() + "')");
        }
        if (config.version() > FormatConstants.REPOSITORY_VERSION || config.version() < 1) {
            throw new NotARepositoryException("repository " + store.describe() + " has format version "
                    + config.version() + "; this cairn reads versions 1 to " + FormatConstants.REPOSITORY_VERSION);
        }
        checkChunker(config);
        try {
            RepositoryConfig.validateChunkSize(config.chunkSize());
        } catch (IllegalArgumentException e) {
            throw new CorruptObjectException(FormatConstants.KEY_CONFIG, e.getMessage());
        }
        if (config.compression() == null) {
            throw new CorruptObjectException(FormatConstants.KEY_CONFIG, "no compression setting");
        }
        DataKeys keys = null;
        List<ObjectInfo> keyFiles = new ArrayList<>();
        store.list(FormatConstants.DIR_KEYS + "/", keyFiles::add);
        // A repository with key files is encrypted whatever its config says: whoever can write the
        // storage must not be able to make new backups plaintext by editing one field.
        if (config.encrypted() || !keyFiles.isEmpty()) {
            char[] password = passwords.password();
            Unlocked u = unlock(store, password);
            keys = u.keys();
            authenticate(store, raw, config, u, password);
        } else if (!FormatConstants.CONFIG_ENCRYPTION_NONE.equals(config.encryption())) {
            throw new NotARepositoryException(
                    "repository " + store.describe() + " uses unknown encryption '" + config.encryption() + "'");
        } else if (passwords.offered()) {
            throw new RepositoryException("repository " + store.describe()
                    + " is not encrypted, yet a password was given: refusing, so that nobody takes its"
                    + " backups for encrypted ones (give no password for a plaintext repository)");
        }
        return new Repository(store, config, keys);
    }

    /** Version 2 needs a valid chunker this cairn knows; version 1 has none. */
    private static void checkChunker(RepositoryConfig config) throws IOException {
        RepositoryConfig.ChunkerConfig c = config.chunker();
        if (config.version() == FormatConstants.REPOSITORY_VERSION_1) {
            if (c != null) {
                throw new CorruptObjectException(FormatConstants.KEY_CONFIG, "a version 1 config has no chunker");
            }
            return;
        }
        if (c == null) {
            throw new CorruptObjectException(
                    FormatConstants.KEY_CONFIG, "version " + config.version() + " needs a chunker setting");
        }
        if (!FormatConstants.CHUNKER_ALGORITHM.equals(c.algorithm())) {
            throw new NotARepositoryException("repository uses the chunker '" + c.algorithm()
                    + "', which this cairn does not know (it knows " + FormatConstants.CHUNKER_ALGORITHM + ")");
        }
        try {
            new Chunker.Params(c.align(), c.min(), c.avg(), c.max());
        } catch (IllegalArgumentException e) {
            throw new CorruptObjectException(FormatConstants.KEY_CONFIG, e.getMessage());
        }
    }

    private record Unlocked(DataKeys keys, KeyFile file, String key) {}

    /**
     * Checks the config's mac with the unlocked id key. A version 2 key file requires one; a
     * version 1 repository (older cairn) has none: it is given one, and its key file is rewrapped as
     * version 2, so from then on the config cannot be altered or stripped of its mac unnoticed.
     */
    private static void authenticate(Store store, byte[] raw, RepositoryConfig config, Unlocked u, char[] password)
            throws IOException {
        if (config.mac() != null) {
            byte[] expected = u.keys().configMac(canonical(raw));
            byte[] found;
            try {
                found = HexFormat.of().parseHex(config.mac());
            } catch (IllegalArgumentException e) {
                found = new byte[0];
            }
            if (!DataKeys.same(expected, found)) {
                throw new CorruptObjectException(
                        FormatConstants.KEY_CONFIG,
                        "it was altered (its authentication code does not match the repository's key);"
                                + " refusing to use it");
            }
        } else if (u.file().authenticatesConfig()) {
            throw new CorruptObjectException(
                    FormatConstants.KEY_CONFIG,
                    "its authentication code was removed (the repository's key requires one); refusing to use it");
        }
        if (!config.encrypted()) {
            throw new CorruptObjectException(
                    FormatConstants.KEY_CONFIG,
                    "it says encryption '" + config.encryption() + "' but the repository has key files;"
                            + " it was altered: refusing to write unencrypted backups");
        }
        if (!u.file().authenticatesConfig()) {
            upgradeKeyFile(store, raw, config, u, password);
        }
    }

    /** Best effort: the repository stays readable as it was when the store cannot be written. */
    private static void upgradeKeyFile(Store store, byte[] raw, RepositoryConfig config, Unlocked u, char[] password) {
        try {
            if (config.mac() == null) {
                store.put(FormatConstants.KEY_CONFIG, withMac(raw, u.keys()));
            }
            byte[] material = u.file().unwrap(password);
            try {
                KeyFile v2 = KeyFile.wrap(
                        material, password, u.file().created(), u.file().host());
                store.put(newKeyFileKey(), Json.write(v2));
            } finally {
                java.util.Arrays.fill(material, (byte) 0);
            }
            store.sync();
            store.delete(u.key());
            store.sync();
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            // read-only or full storage: it is upgraded on a later open
        }
    }

    private static Unlocked unlock(Store store, char[] password) throws IOException {
        if (password == null || password.length == 0) {
            throw new RepositoryException("repository " + store.describe() + " is encrypted: a password is needed");
        }
        List<ObjectInfo> files = new ArrayList<>();
        store.list(FormatConstants.DIR_KEYS + "/", files::add);
        if (files.isEmpty()) {
            throw new CorruptObjectException(
                    FormatConstants.DIR_KEYS, "the repository is encrypted but has no key file");
        }
        for (ObjectInfo f : files) {
            KeyFile kf;
            try {
                kf = Json.read(store.get(f.key()), KeyFile.class);
            } catch (IOException e) {
                continue; // a damaged key file: another may still open
            }
            try {
                byte[] material = kf.unwrap(password);
                try {
                    return new Unlocked(new DataKeys(material), kf, f.key());
                } finally {
                    java.util.Arrays.fill(material, (byte) 0);
                }
            } catch (AEADBadTagException | IllegalArgumentException e) {
                // wrong password for this key file: try the next
            }
        }
        throw new WrongPasswordException(store.describe());
    }

    /**
     * Writes the reserve: space gc can give up to take its lock when the filesystem is full (see
     * docs/repository-format.md, "reserve"). Random bytes, so a compressing filesystem stores it whole.
     */
    public static void writeReserve(Store store) throws IOException {
        byte[] b = new byte[FormatConstants.RESERVE_SIZE];
        new SecureRandom().nextBytes(b);
        store.put(FormatConstants.KEY_RESERVE, b);
    }

    public Store store() {
        return store;
    }

    public RepositoryConfig config() {
        return config;
    }

    public ChunkStore chunks() {
        return chunks;
    }

    public LockManager locks() {
        return locks;
    }

    /**
     * How backups cut disks: the content-defined chunker of a version 2 repository, or null for a
     * version 1 repository (fixed chunks of {@code config().chunkSize()}).
     */
    public Chunker chunker() {
        return chunker;
    }

    /** The index file name suffix new backups write ({@code .vidx} in version 2, {@code .fidx} in 1). */
    public String indexSuffix() {
        return chunker == null ? FormatConstants.INDEX_SUFFIX : FormatConstants.VIDX_SUFFIX;
    }

    public String describe() {
        return store.describe();
    }

    // ---- manifests ----

    /** Encodes and stores a manifest: the commit point of a backup. */
    public void writeManifest(BackupRef ref, Manifest m) throws IOException {
        String key = ref.manifestKey();
        byte[] json = Json.write(m);
        store.put(
                key,
                codec.encode(
                        FormatConstants.BLOB_TYPE_MANIFEST,
                        key.getBytes(StandardCharsets.UTF_8),
                        json,
                        0,
                        json.length));
        store.sync();
    }

    public Manifest readManifest(BackupRef ref) throws IOException {
        String key = ref.manifestKey();
        byte[] json = codec.decode(
                FormatConstants.BLOB_TYPE_MANIFEST, key.getBytes(StandardCharsets.UTF_8), key, store.get(key));
        Manifest m;
        try {
            m = Json.read(json, Manifest.class);
        } catch (IOException e) {
            throw new CorruptObjectException(key, "manifest is not valid JSON: " + e.getMessage());
        }
        if (m.version() > FormatConstants.MANIFEST_VERSION || m.version() < 1) {
            throw new CorruptObjectException(
                    key, "manifest version " + m.version() + " is not supported by this cairn");
        }
        if (!ref.id().equals(m.id()) || m.vm() == null || m.time() == null) {
            throw new CorruptObjectException(key, "manifest does not describe backup " + ref.id());
        }
        return m;
    }

    /**
     * Reads a disk's index and checks it against the SHA-256 its manifest recorded, and its kind and
     * chunk sizes against the repository's format version.
     */
    public DiskIndex readIndex(BackupRef ref, Manifest.DiskEntry disk) throws IOException {
        String key = ref.fileKey(disk.index());
        byte[] bytes = store.get(key);
        if (!sha256Hex(bytes).equals(disk.indexSha256())) {
            throw new CorruptObjectException(key, "index checksum does not match the manifest");
        }
        DiskIndex idx = DiskIndex.parse(bytes, key);
        if (idx.capacity() != disk.capacity()) {
            throw new CorruptObjectException(
                    key, "index describes " + idx.capacity() + " bytes, the manifest " + disk.capacity());
        }
        if (chunker == null
                ? !(idx instanceof FixedIndex f && f.chunkSize() == config.chunkSize())
                : !(idx instanceof VariableIndex v
                        && v.maxLength() == chunker.params().max())) {
            throw new CorruptObjectException(
                    key,
                    "is a " + (idx instanceof FixedIndex ? "fixed" : "variable") + " index of chunks up to "
                            + idx.maxLength() + " bytes, which a version " + config.version()
                            + " repository of this configuration does not write");
        }
        return idx;
    }

    /** A committed backup, or one whose manifest could not be read. */
    public record Listed(BackupRef ref, Manifest manifest, IOException error) {}

    /** What {@link #scan()} found under {@code backups/}. */
    public record Scan(List<Listed> backups, List<String> incompleteDirs) {
        public List<Listed> readable() {
            return backups.stream().filter(l -> l.manifest != null).toList();
        }

        public List<Listed> unreadable() {
            return backups.stream().filter(l -> l.manifest == null).toList();
        }
    }

    /**
     * Every backup directory: committed ones (manifest present; sorted oldest first) and incomplete
     * ones (files but no manifest: an interrupted backup or prune).
     */
    public Scan scan() throws IOException {
        Map<String, Boolean> dirs = new TreeMap<>();
        store.list(FormatConstants.DIR_BACKUPS + "/", info -> {
            String[] parts = info.key().split("/");
            if (parts.length == 4) {
                String dir = parts[1] + "/" + parts[2];
                dirs.merge(dir, parts[3].equals(FormatConstants.MANIFEST_NAME), Boolean::logicalOr);
            }
        });
        List<Listed> backups = new ArrayList<>();
        List<String> incomplete = new ArrayList<>();
        for (Map.Entry<String, Boolean> e : dirs.entrySet()) {
            String[] p = e.getKey().split("/");
            BackupRef ref = new BackupRef(p[0], p[1]);
            if (!e.getValue()) {
                incomplete.add(ref.dir());
                continue;
            }
            try {
                backups.add(new Listed(ref, readManifest(ref), null));
            } catch (ObjectNotFoundException gone) {
                // pruned while we listed
            } catch (IOException err) {
                backups.add(new Listed(ref, null, err));
            }
        }
        // By instant, not by string: Instant.toString() prints 0 to 9 fraction digits.
        backups.sort(Comparator.comparing((Listed l) -> l.manifest == null ? Instant.EPOCH : l.manifest.instant())
                .thenComparing(l -> l.ref.id()));
        return new Scan(backups, incomplete);
    }

    /** Committed, readable backups, oldest first. */
    public List<Listed> backups() throws IOException {
        return scan().readable();
    }

    /**
     * Finds a backup by id, unique id prefix (at least 4 digits), {@code VMNAME@latest} or
     * {@code VMNAME@<id prefix>}.
     */
    public Listed resolve(String spec) throws IOException {
        List<Listed> all = backups();
        int at = spec.lastIndexOf('@');
        if (at > 0) {
            String vm = spec.substring(0, at);
            String which = spec.substring(at + 1);
            List<Listed> ofVm =
                    all.stream().filter(l -> vm.equals(l.manifest.vm().name())).toList();
            if (ofVm.isEmpty()) {
                throw new BackupNotFoundException("no backup of a VM named '" + vm + "' in " + describe());
            }
            if (which.equals("latest")) {
                Listed latest = ofVm.get(ofVm.size() - 1);
                refuseIfUnreadable(latest.ref.vmKey(), "'" + spec + "' may not be the newest backup");
                return latest;
            }
            return byPrefix(ofVm, which, spec);
        }
        return byPrefix(all, spec, spec);
    }

    private Listed byPrefix(List<Listed> candidates, String prefix, String spec) throws BackupNotFoundException {
        if (prefix.length() < 4 || !prefix.matches("[0-9a-f]+")) {
            throw new BackupNotFoundException(
                    "'" + spec + "' is not a backup id (4 to 16 hex digits) nor VMNAME@latest");
        }
        List<Listed> hits =
                candidates.stream().filter(l -> l.ref.id().startsWith(prefix)).toList();
        if (hits.isEmpty()) {
            throw new BackupNotFoundException("no backup '" + spec + "' in " + describe());
        }
        if (hits.size() > 1) {
            throw new BackupNotFoundException("'" + spec + "' matches " + hits.size() + " backups; give more digits");
        }
        return hits.get(0);
    }

    /**
     * Deletes a backup: manifest first (the backup disappears at once), then its other files. Files
     * the store still retains (S3 Object Lock) stay behind as an incomplete backup directory that gc
     * removes once their retention has passed.
     *
     * @throws ObjectLockedException when the manifest itself is retained: nothing was deleted
     */
    public void deleteBackup(BackupRef ref) throws IOException {
        store.delete(ref.manifestKey());
        store.sync();
        List<String> rest = new ArrayList<>();
        store.list(ref.dir(), info -> rest.add(info.key()));
        for (String k : rest) {
            try {
                store.delete(k);
            } catch (ObjectLockedException retained) {
                // the backup is gone (no manifest); gc takes this file once the store lets it
            }
        }
    }

    /**
     * The newest backup of a VM identity, or null if it has none. Refuses when any backup of that VM
     * cannot be read: the unreadable one may be the newest, and an incremental built on an older base
     * would be silently wrong.
     */
    public Listed latestOf(String identity) throws IOException {
        refuseIfUnreadable(BackupRef.vmKeyOf(identity), "its newest backup cannot be determined");
        Listed last = null;
        for (Listed l : backups()) {
            if (identity.equals(l.manifest.vm().identity())) {
                last = l;
            }
        }
        return last;
    }

    private void refuseIfUnreadable(String vmKey, String consequence) throws IOException {
        for (Listed u : scan().unreadable()) {
            if (u.ref.vmKey().equals(vmKey)) {
                throw new RepositoryException(
                        "backup " + u.ref.id() + " of this VM cannot be read (" + u.error.getMessage() + "), so "
                                + consequence + "; run 'cairn check', or name a backup by id");
            }
        }
    }

    public static String sha256Hex(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
