package io.cairn.repository.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cairn.repository.Repository;
import io.cairn.repository.RepositoryConfig;
import io.cairn.repository.manifest.Manifest;
import io.cairn.repository.store.LocalStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Pins every persisted constant: a failure here means the on-disk format changed. */
class FormatConstantsTest {

    @Test
    @DisplayName("repository, blob, index and key-file constants keep their version-1 values")
    void pinned() {
        assertEquals("cairn-repository", FormatConstants.CONFIG_FORMAT);
        assertEquals(2, FormatConstants.REPOSITORY_VERSION);
        assertEquals(1, FormatConstants.REPOSITORY_VERSION_1);
        assertEquals(262144, FormatConstants.MIN_CHUNK_SIZE);
        assertEquals(8388608, FormatConstants.MAX_CHUNK_SIZE);
        assertEquals(1048576, FormatConstants.DEFAULT_CHUNK_SIZE);
        assertEquals("none", FormatConstants.CONFIG_COMPRESSION_NONE);
        assertEquals("zstd", FormatConstants.CONFIG_COMPRESSION_ZSTD);
        assertEquals("none", FormatConstants.CONFIG_ENCRYPTION_NONE);
        assertEquals("aes-256-gcm", FormatConstants.CONFIG_ENCRYPTION_AES256_GCM);

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

        assertArrayEquals(
                new byte[] {(byte) 0x89, 0x43, 0x56, 0x49, 0x58, 0x0D, 0x0A, 0x1A}, FormatConstants.VIDX_MAGIC);
        assertEquals(1, FormatConstants.VIDX_VERSION);
        assertEquals(64, FormatConstants.VIDX_HEADER_SIZE);
        assertEquals(40, FormatConstants.VIDX_ENTRY_SIZE);
        assertEquals(1, FormatConstants.VIDX_FLAG_KEYED_IDS);
        assertEquals(".vidx", FormatConstants.VIDX_SUFFIX);
        assertEquals("aligned-cdc-1", FormatConstants.CHUNKER_ALGORITHM);
        assertEquals(4096, FormatConstants.CHUNKER_ALIGN);
        assertEquals(64, FormatConstants.CHUNKER_WINDOW);
        assertEquals(32 * 1024 * 1024, FormatConstants.CHUNKER_MAX_LIMIT);
        assertEquals(0x9E3779B97F4A7C15L, FormatConstants.CHUNKER_MUL1);
        assertEquals(0xBF58476D1CE4E5B9L, FormatConstants.CHUNKER_MUL2);
        assertEquals("cairn chunker seed v1", FormatConstants.CHUNKER_SEED_DOMAIN);

        assertEquals(1, FormatConstants.MANIFEST_VERSION);
        assertEquals("disk", FormatConstants.DISK_KEY_PREFIX);
        assertEquals("vmx", FormatConstants.FILE_ROLE_VMX);
        assertEquals("config-info", FormatConstants.FILE_ROLE_CONFIG_INFO);
        assertEquals("nvram", FormatConstants.FILE_ROLE_NVRAM);
        assertEquals("encryption-bundle", FormatConstants.FILE_ROLE_ENCRYPTION_BUNDLE);
        assertEquals("other", FormatConstants.FILE_ROLE_OTHER);
        assertEquals("cairn:file-vm:", FormatConstants.FILE_VM_IDENTITY_PREFIX);
        assertEquals(2, FormatConstants.KEY_FILE_VERSION);
        assertEquals(1, FormatConstants.KEY_FILE_VERSION_1);
        assertEquals("cairn key v2", FormatConstants.KEY_FILE_AAD_V2);
        assertEquals("cairn config mac v1", FormatConstants.CONFIG_MAC_DOMAIN);
        assertEquals("scrypt", FormatConstants.KDF_SCRYPT);
        assertEquals(65536, FormatConstants.SCRYPT_N);
        assertEquals(1 << 20, FormatConstants.SCRYPT_MAX_N);
        assertEquals(32, FormatConstants.SCRYPT_MAX_R);
        assertEquals(16, FormatConstants.SCRYPT_MAX_P);
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
        assertEquals("governance", FormatConstants.OBJECT_LOCK_GOVERNANCE);
        assertEquals("compliance", FormatConstants.OBJECT_LOCK_COMPLIANCE);
        assertEquals("manifest", FormatConstants.MANIFEST_NAME);
        assertEquals(".fidx", FormatConstants.INDEX_SUFFIX);
    }

    @Test
    @DisplayName("a file VM's identity is the same name-based UUID it always was (Python's uuid agrees)")
    void fileVmIdentity() {
        // uuid.UUID(bytes=md5(b"cairn:file-vm:web01") with version 3 and the RFC 4122 variant set)
        assertEquals("9f87c249-d1c8-3ace-a6a4-efb8c68bdd76", Manifest.VmIdentity.ofFile("web01"));
        assertEquals("97c3ff2e-5a25-32a0-ae46-d505ebf37a75", Manifest.VmIdentity.ofFile("Ünïcödé"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"v1-plain, none", "v1-encrypted, aes-256-gcm", "v2-plain, none", "v2-encrypted, aes-256-gcm"})
    @DisplayName("the golden repositories' config and manifest hold exactly the pinned strings")
    void goldenFilesUseThePinnedStrings(String name, String encryption, @TempDir Path tmp) throws Exception {
        RepositoryConfig config;
        try (InputStream in = FormatConstantsTest.class.getResourceAsStream("/golden/" + name + "/config")) {
            config = Json.read(in.readAllBytes(), RepositoryConfig.class);
        }
        assertEquals(FormatConstants.CONFIG_FORMAT, config.format());
        assertEquals(
                FormatConstants.CONFIG_COMPRESSION_ZSTD, config.compression().algorithm());
        assertEquals(encryption, config.encryption());
        boolean v2 = name.startsWith("v2");
        assertEquals(v2 ? FormatConstants.REPOSITORY_VERSION : FormatConstants.REPOSITORY_VERSION_1, config.version());
        assertEquals(v2, config.chunker() != null);
        if (v2) {
            assertEquals(FormatConstants.CHUNKER_ALGORITHM, config.chunker().algorithm());
            assertEquals(FormatConstants.CHUNKER_ALIGN, config.chunker().align());
        }

        Path copy = tmp.resolve(name); // opening writes nothing, but never risk the resource itself
        copyTree(golden(name), copy);
        Repository repo = Repository.open(new LocalStore(copy), "golden-password"::toCharArray);
        Manifest m = repo.backups().get(0).manifest();
        assertEquals(FormatConstants.DISK_KEY_PREFIX + "0", m.disks().get(0).key());
        assertEquals(
                FormatConstants.DISK_KEY_PREFIX + "0"
                        + (v2 ? FormatConstants.VIDX_SUFFIX : FormatConstants.INDEX_SUFFIX),
                m.disks().get(0).index());
        assertEquals(FormatConstants.FILE_ROLE_VMX, m.files().get(0).role());
    }

    private static Path golden(String name) throws Exception {
        return Path.of(FormatConstantsTest.class
                        .getResource("/golden/" + name + "/config")
                        .toURI())
                .getParent();
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s.sorted()::iterator) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
    }
}
