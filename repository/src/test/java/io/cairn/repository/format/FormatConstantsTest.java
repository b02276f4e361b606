package io.cairn.repository.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Pins every persisted constant: a failure here means the on-disk format changed. */
class FormatConstantsTest {

    @Test
    @DisplayName("repository, blob, index and key-file constants keep their version-1 values")
    void pinned() {
        assertEquals("cairn-repository", FormatConstants.CONFIG_FORMAT);
        assertEquals(1, FormatConstants.REPOSITORY_VERSION);
        assertEquals(262144, FormatConstants.MIN_CHUNK_SIZE);
        assertEquals(8388608, FormatConstants.MAX_CHUNK_SIZE);
        assertEquals(1048576, FormatConstants.DEFAULT_CHUNK_SIZE);

        assertArrayEquals(new byte[] {(byte) 0x89, 0x43, 0x52, 0x4E}, FormatConstants.BLOB_MAGIC);
        assertEquals(1, FormatConstants.BLOB_VERSION);
        assertEquals(16, FormatConstants.BLOB_HEADER_SIZE);
        assertEquals(64 * 1024 * 1024, FormatConstants.BLOB_MAX_PLAINTEXT);
        assertEquals(1, FormatConstants.BLOB_TYPE_CHUNK);
        assertEquals(2, FormatConstants.BLOB_TYPE_MANIFEST);
        assertEquals(0, FormatConstants.COMPRESSION_NONE);
        assertEquals(1, FormatConstants.COMPRESSION_ZSTD);
        assertEquals(0, FormatConstants.ENCRYPTION_NONE);
        assertEquals(1, FormatConstants.ENCRYPTION_AES256_GCM_SEGMENTED);
        assertEquals(65536, FormatConstants.GCM_SEGMENT_SIZE);
        assertEquals(12, FormatConstants.GCM_NONCE_SIZE);
        assertEquals(16, FormatConstants.GCM_TAG_SIZE);

        assertArrayEquals(
                new byte[] {(byte) 0x89, 0x43, 0x46, 0x49, 0x58, 0x0D, 0x0A, 0x1A}, FormatConstants.FIDX_MAGIC);
        assertEquals(1, FormatConstants.FIDX_VERSION);
        assertEquals(64, FormatConstants.FIDX_HEADER_SIZE);
        assertEquals(1, FormatConstants.FIDX_FLAG_KEYED_IDS);
        assertEquals(32, FormatConstants.ID_SIZE);

        assertEquals(1, FormatConstants.MANIFEST_VERSION);
        assertEquals(2, FormatConstants.KEY_FILE_VERSION);
        assertEquals(1, FormatConstants.KEY_FILE_VERSION_1);
        assertEquals("cairn key v2", FormatConstants.KEY_FILE_AAD_V2);
        assertEquals("cairn config mac v1", FormatConstants.CONFIG_MAC_DOMAIN);
        assertEquals("scrypt", FormatConstants.KDF_SCRYPT);
        assertEquals(32768, FormatConstants.SCRYPT_N);
        assertEquals(8, FormatConstants.SCRYPT_R);
        assertEquals(1, FormatConstants.SCRYPT_P);
        assertEquals(32, FormatConstants.SALT_SIZE);
        assertEquals("cairn key v1", FormatConstants.KEY_FILE_AAD);
        assertEquals(2, FormatConstants.LOCK_VERSION);
        assertEquals(1, FormatConstants.LOCK_VERSION_1);

        assertEquals("config", FormatConstants.KEY_CONFIG);
        assertEquals("reserve", FormatConstants.KEY_RESERVE);
        assertEquals(1048576, FormatConstants.RESERVE_SIZE);
        assertEquals("keys", FormatConstants.DIR_KEYS);
        assertEquals("chunks", FormatConstants.DIR_CHUNKS);
        assertEquals("backups", FormatConstants.DIR_BACKUPS);
        assertEquals("locks", FormatConstants.DIR_LOCKS);
        assertEquals("clock", FormatConstants.DIR_CLOCK);
        assertEquals("quarantine", FormatConstants.DIR_QUARANTINE);
        assertEquals("manifest", FormatConstants.MANIFEST_NAME);
        assertEquals(".fidx", FormatConstants.INDEX_SUFFIX);
    }
}
