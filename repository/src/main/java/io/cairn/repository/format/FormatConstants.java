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
    /** Repository format version this code writes and the newest it reads. */
    public static final int REPOSITORY_VERSION = 1;

    public static final int MIN_CHUNK_SIZE = 256 * 1024;
    public static final int MAX_CHUNK_SIZE = 8 * 1024 * 1024;
    public static final int DEFAULT_CHUNK_SIZE = 1024 * 1024;

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

    /** Chunk id length (SHA-256 / HMAC-SHA-256). */
    public static final int ID_SIZE = 32;

    // ---- manifest ----
    public static final int MANIFEST_VERSION = 1;

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
    public static final int SCRYPT_N = 32768;
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

    public static final String MANIFEST_NAME = "manifest";
    public static final String INDEX_SUFFIX = ".fidx";
}
