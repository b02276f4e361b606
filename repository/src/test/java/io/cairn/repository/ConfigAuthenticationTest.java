package io.cairn.repository;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cairn.repository.backup.BackupWriter;
import io.cairn.repository.crypto.KeyFile;
import io.cairn.repository.error.CorruptObjectException;
import io.cairn.repository.error.RepositoryException;
import io.cairn.repository.format.FormatConstants;
import io.cairn.repository.format.Json;
import io.cairn.repository.index.DiskIndex;
import io.cairn.repository.store.MemoryStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Whoever can write the storage cannot switch encryption off (issue 12, finding 5). */
class ConfigAuthenticationTest {
    static final char[] PW = "correct horse".toCharArray();
    final MemoryStore store = new MemoryStore();

    Repository encrypted() throws IOException {
        return Repository.init(store, TestRepos.CHUNK, 3, PW);
    }

    void editConfig(String field, String value) throws IOException {
        ObjectNode o = (ObjectNode) Json.mapper().readTree(store.get("config"));
        o.put(field, value);
        store.put("config", Json.mapper().writeValueAsBytes(o));
    }

    void editConfig(String field, int value) throws IOException {
        ObjectNode o = (ObjectNode) Json.mapper().readTree(store.get("config"));
        o.put(field, value);
        store.put("config", Json.mapper().writeValueAsBytes(o));
    }

    static Repository.PasswordSource offered(char[] pw) {
        return new Repository.PasswordSource() {
            @Override
            public char[] password() {
                return pw.clone();
            }

            @Override
            public boolean offered() {
                return true;
            }
        };
    }

    @Test
    @DisplayName(
            "'encryption: none' written into an encrypted repository's config is refused, and nothing plaintext is written")
    void encryptionSwitchedOff() throws IOException {
        encrypted();
        editConfig("encryption", "none");
        CorruptObjectException e = assertThrows(CorruptObjectException.class, () -> Repository.open(store, PW::clone));
        assertTrue(e.getMessage().contains("altered"), e.getMessage());

        // even with the mac removed as well: the key files say the repository is encrypted
        ObjectNode o = (ObjectNode) Json.mapper().readTree(store.get("config"));
        o.remove("mac");
        store.put("config", Json.mapper().writeValueAsBytes(o));
        assertThrows(CorruptObjectException.class, () -> Repository.open(store, PW::clone));
    }

    @Test
    @DisplayName("any other field changed (chunk size) fails the config's authentication")
    void chunkSizeChanged() throws IOException {
        encrypted();
        editConfig("chunkSize", 2 * TestRepos.CHUNK);
        CorruptObjectException e = assertThrows(CorruptObjectException.class, () -> Repository.open(store, PW::clone));
        assertTrue(e.getMessage().contains("authentication code"), e.getMessage());
    }

    @Test
    @DisplayName("an untouched encrypted repository opens, and its chunks are encrypted")
    void untouched() throws IOException {
        encrypted();
        Repository r = Repository.open(store, PW::clone);
        BackupWriter.Result b = TestRepos.backup(r, "vm1", TestRepos.disk(4 * TestRepos.CHUNK, 5));
        DiskIndex idx = r.readIndex(b.ref(), b.manifest().disks().get(0));
        byte[] blob = store.get(idx.id(0).key());
        assertEquals(
                FormatConstants.ENCRYPTION_AES256_GCM_SEGMENTED,
                io.cairn.repository.chunk.BlobCodec.Header.parse(blob, "chunk").encryption());
    }

    @Test
    @DisplayName("a password given to a plaintext repository is an error, not a silent plaintext backup")
    void passwordForPlaintext() throws IOException {
        TestRepos.init(store);
        RepositoryException e = assertThrows(RepositoryException.class, () -> Repository.open(store, offered(PW)));
        assertTrue(e.getMessage().contains("not encrypted"), e.getMessage());
        Repository.open(store, () -> null); // without one it opens
    }

    @Test
    @DisplayName("an older repository (version 1 key file, no mac) opens and is upgraded: mac and version 2 key file")
    void legacyUpgraded() throws Exception {
        encrypted();
        // make it look as older cairn wrote it: a version 1 key file and no mac
        List<String> keys = new ArrayList<>();
        store.list("keys/", i -> keys.add(i.key()));
        KeyFile v2 = Json.read(store.get(keys.get(0)), KeyFile.class);
        byte[] material = v2.unwrap(PW);
        KeyFile v1 = legacyWrap(material);
        store.delete(keys.get(0));
        store.put("keys/00000000000000aa", Json.write(v1));
        ObjectNode o = (ObjectNode) Json.mapper().readTree(store.get("config"));
        o.remove("mac");
        store.put("config", Json.mapper().writeValueAsBytes(o));

        Repository.open(store, PW::clone);
        RepositoryConfig c = Json.read(store.get("config"), RepositoryConfig.class);
        assertNotNull(c.mac());
        List<KeyFile> now = new ArrayList<>();
        store.list("keys/", i -> now.add(Json.read(store.get(i.key()), KeyFile.class)));
        assertEquals(1, now.size());
        assertTrue(now.get(0).authenticatesConfig());
        // and from now on the mac cannot be stripped
        o = (ObjectNode) Json.mapper().readTree(store.get("config"));
        o.remove("mac");
        store.put("config", Json.mapper().writeValueAsBytes(o));
        CorruptObjectException e = assertThrows(CorruptObjectException.class, () -> Repository.open(store, PW::clone));
        assertTrue(e.getMessage().contains("removed"), e.getMessage());
    }

    /** A version 1 key file, as cairn 0.1 wrote it (AES-GCM with the v1 associated data). */
    static KeyFile legacyWrap(byte[] material) {
        KeyFile fresh = KeyFile.wrap(material, PW, "2026-01-01T00:00:00Z", "old");
        // rewrap under the v1 associated data with the same derived key: reuse KeyFile's own code by
        // decrypting the fresh file's envelope is not possible without its key, so derive it here.
        try {
            byte[] salt = java.util.Base64.getDecoder().decode(fresh.kdf().salt());
            byte[] kek = io.cairn.repository.crypto.Scrypt.derive(
                    new String(PW).getBytes(StandardCharsets.UTF_8),
                    salt,
                    fresh.kdf().N(),
                    fresh.kdf().r(),
                    fresh.kdf().p(),
                    32);
            byte[] nonce = new byte[12];
            new java.security.SecureRandom().nextBytes(nonce);
            javax.crypto.Cipher c = javax.crypto.Cipher.getInstance("AES/GCM/NoPadding");
            c.init(
                    javax.crypto.Cipher.ENCRYPT_MODE,
                    new javax.crypto.spec.SecretKeySpec(kek, "AES"),
                    new javax.crypto.spec.GCMParameterSpec(128, nonce));
            c.updateAAD("cairn key v1".getBytes(StandardCharsets.US_ASCII));
            java.util.Base64.Encoder b64 = java.util.Base64.getEncoder();
            return new KeyFile(
                    1,
                    fresh.created(),
                    fresh.host(),
                    fresh.kdf(),
                    b64.encodeToString(nonce),
                    b64.encodeToString(c.doFinal(material)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
