package io.cairn.repository.format;

/**
 * Every constant that is persisted in a repository, in one place.
 *
 * <p><b>Never change a value here and never reuse a retired one.</b> A repository written today must
 * be readable by every later cairn. A new format is a new version number and a new constant beside
 * the old one. {@code FormatConstantsTest} pins each value; see {@code docs/repository-format.md}.
 */
public final class FormatConstants {
    private FormatConstants() {}

    // ---- repository ----
    /** The {@code format} field of the {@code config} document. */
    public static final String CONFIG_FORMAT = "cairn-repository";
    /** Repository format version {@code init} writes and the newest this code reads: content-defined chunks. */
    public static final int REPOSITORY_VERSION = 2;
    /** The first repository format: fixed-size chunks, no {@code chunker} in {@code config}; still read and written. */
    public static final int REPOSITORY_VERSION_1 = 1;

    public static final int MIN_CHUNK_SIZE = 256 * 1024;
    public static final int MAX_CHUNK_SIZE = 8 * 1024 * 1024;
    public static final int DEFAULT_CHUNK_SIZE = 1024 * 1024;

    /** {@code config} {@code compression.algorithm} when the level is 0: chunks are stored as they are. */
    public static final String CONFIG_COMPRESSION_NONE = "none";
    /** {@code config} {@code compression.algorithm} otherwise. */
    public static final String CONFIG_COMPRESSION_ZSTD = "zstd";
    /** {@code config} {@code encryption} of an unencrypted repository. */
    public static final String CONFIG_ENCRYPTION_NONE = "none";
    /** {@code config} {@code encryption} of an encrypted one: key files under {@code keys/}, blobs in AES-256-GCM. */
    public static final String CONFIG_ENCRYPTION_AES256_GCM = "aes-256-gcm";

    // ---- blob (chunks, manifests) ----
    /** 0x89 'C' 'R' 'N': the high first byte makes a blob never look like text. */
    public static final byte[] BLOB_MAGIC = {(byte) 0x89, 'C', 'R', 'N'};

    public static final int BLOB_VERSION = 1;
    public static final int BLOB_HEADER_SIZE = 16;
    /** Largest plaintext one blob may hold; chunks are at most {@link #MAX_CHUNK_SIZE}. */
    public static final int BLOB_MAX_PLAINTEXT = 64 * 1024 * 1024;

    public static final int BLOB_TYPE_CHUNK = 1;
    public static final int BLOB_TYPE_MANIFEST = 2;

    public static final int COMPRESSION_NONE = 0;
    public static final int COMPRESSION_ZSTD = 1;

    public static final int ENCRYPTION_NONE = 0;
    public static final int ENCRYPTION_AES256_GCM_SEGMENTED = 1;

    /** Plaintext bytes per AES-GCM segment: the JDK's GCM is ~50x slower for one call over ~256 KiB. */
    public static final int GCM_SEGMENT_SIZE = 64 * 1024;

    public static final int GCM_NONCE_SIZE = 12;
    public static final int GCM_TAG_SIZE = 16;

    // ---- fixed index ----
    /** 0x89 'C' 'F' 'I' 'X' CR LF SUB, in the manner of PNG's signature. */
    public static final byte[] FIDX_MAGIC = {(byte) 0x89, 'C', 'F', 'I', 'X', 0x0D, 0x0A, 0x1A};

    public static final int FIDX_VERSION = 1;
    public static final int FIDX_HEADER_SIZE = 64;
    public static final int FIDX_FLAG_KEYED_IDS = 1;

    // ---- variable index (repository version 2) ----
    /** 0x89 'C' 'V' 'I' 'X' CR LF SUB: a variable index, told from a fixed one by its magic. */
    public static final byte[] VIDX_MAGIC = {(byte) 0x89, 'C', 'V', 'I', 'X', 0x0D, 0x0A, 0x1A};

    public static final int VIDX_VERSION = 1;
    public static final int VIDX_HEADER_SIZE = 64;
    /** End offset (u64) and chunk id per entry. */
    public static final int VIDX_ENTRY_SIZE = 40;

    public static final int VIDX_FLAG_KEYED_IDS = 1;
    public static final String VIDX_SUFFIX = ".vidx";

    // ---- content-defined chunker (repository version 2) ----
    /** {@code config} {@code chunker.algorithm}: the boundary function and cut rule of the format document. */
    public static final String CHUNKER_ALGORITHM = "aligned-cdc-1";
    /** Boundaries fall on multiples of this (guest filesystems' 4 KiB clusters). */
    public static final int CHUNKER_ALIGN = 4096;
    /** Bytes before a candidate boundary that decide it. */
    public static final int CHUNKER_WINDOW = 64;
    /** Largest {@code chunker.max} a config may ask for (bounds every buffer a reader sizes from it). */
    public static final int CHUNKER_MAX_LIMIT = 32 * 1024 * 1024;
    /** The boundary function's word multiplier (2^64 / golden ratio). */
    public static final long CHUNKER_MUL1 = 0x9E3779B97F4A7C15L;
    /** The boundary function's finalizer multiplier (SplitMix64's). */
    public static final long CHUNKER_MUL2 = 0xBF58476D1CE4E5B9L;
    /** Message of the encrypted repositories' chunker seed: HMAC-SHA-256 under the data key. */
    public static final String CHUNKER_SEED_DOMAIN = "cairn chunker seed v1";

    /** Chunk id length (SHA-256 / HMAC-SHA-256). */
    public static final int ID_SIZE = 32;

    // ---- manifest ----
    public static final int MANIFEST_VERSION = 1;
    /** A disk's {@code key} in its manifest and the name of its index: {@code disk<N>}, N from 0. */
    public static final String DISK_KEY_PREFIX = "disk";

    /** {@code files[].role}: the VM's {@code .vmx}. */
    public static final String FILE_ROLE_VMX = "vmx";
    /** {@code files[].role}: the verbatim {@code vim.vm.ConfigInfo} XML of a vSphere VM. */
    public static final String FILE_ROLE_CONFIG_INFO = "config-info";
    /** {@code files[].role}: the VM's NVRAM file. */
    public static final String FILE_ROLE_NVRAM = "nvram";
    /** {@code files[].role}: the encryption bundle of an encrypted vSphere VM. */
    public static final String FILE_ROLE_ENCRYPTION_BUNDLE = "encryption-bundle";
    /** {@code files[].role}: any other configuration document. */
    public static final String FILE_ROLE_OTHER = "other";

    /**
     * The name-based UUID namespace of a VM without a UUID of its own (a raw image file): its identity
     * is {@code UUID.nameUUIDFromBytes(UTF-8 of FILE_VM_IDENTITY_PREFIX + name)}, so the next backup of
     * the same name finds its predecessor. See {@code Manifest.VmIdentity#ofFile}.
     */
    public static final String FILE_VM_IDENTITY_PREFIX = "cairn:file-vm:";

    // ---- keys ----
    /**
     * Version 2 key files wrap the same key material under the associated data
     * {@link #KEY_FILE_AAD_V2}, which says "this repository's config carries a {@code mac}": whoever
     * lacks the password cannot turn one back into a version 1 file to strip that authentication.
     */
    public static final int KEY_FILE_VERSION = 2;
    /** Version 1 key files (no config authentication); still read. */
    public static final int KEY_FILE_VERSION_1 = 1;

    public static final String KDF_SCRYPT = "scrypt";
    /** scrypt cost of new key files: 2^16 (64 MiB, about 0.2 s here; restic calibrates to ~0.5 s). */
    public static final int SCRYPT_N = 65536;
    /** Largest scrypt parameters a key file may ask for: a hostile file must not cost minutes or GiBs. */
    public static final int SCRYPT_MAX_N = 1 << 20;

    public static final int SCRYPT_MAX_R = 32;
    public static final int SCRYPT_MAX_P = 16;
    public static final int SCRYPT_R = 8;
    public static final int SCRYPT_P = 1;
    public static final int SALT_SIZE = 32;
    /** Associated data of the key-file envelope. */
    public static final String KEY_FILE_AAD = "cairn key v1";
    /** Associated data of a version 2 key file's envelope. */
    public static final String KEY_FILE_AAD_V2 = "cairn key v2";
    /** Domain prefix of the config's authentication code (HMAC-SHA-256 under the id key). */
    public static final String CONFIG_MAC_DOMAIN = "cairn config mac v1";

    // ---- locks ----
    /** Version 2: holder by machine id, boot id, pid and start ticks; the store's start time. */
    public static final int LOCK_VERSION = 2;
    /** The version 1 lock (host name, pid, JDK start instant); still read. */
    public static final int LOCK_VERSION_1 = 1;

    // ---- key space ----
    public static final String KEY_CONFIG = "config";
    /** Ballast that gc deletes to take its lock on a full filesystem, then writes again. */
    public static final String KEY_RESERVE = "reserve";

    public static final int RESERVE_SIZE = 1024 * 1024;
    public static final String DIR_KEYS = "keys";
    public static final String DIR_CHUNKS = "chunks";
    public static final String DIR_BACKUPS = "backups";
    public static final String DIR_LOCKS = "locks";
    /** Probe objects written and deleted at once to read the store's clock (never kept). */
    public static final String DIR_CLOCK = "clock";
    /** Chunks {@code check --read-data} found damaged, renamed aside: {@code quarantine/<64 hex>}. */
    public static final String DIR_QUARANTINE = "quarantine";

    /** config {@code objectLock.mode}: S3 Object Lock GOVERNANCE (a privileged user may lift it). */
    public static final String OBJECT_LOCK_GOVERNANCE = "governance";
    /** config {@code objectLock.mode}: S3 Object Lock COMPLIANCE (nobody can lift it). */
    public static final String OBJECT_LOCK_COMPLIANCE = "compliance";

    public static final String MANIFEST_NAME = "manifest";
    public static final String INDEX_SUFFIX = ".fidx";
}
