package io.cairn.httpui.vcenter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sealed vCenter passwords: bound to where they may be sent (id, URL, user, thumbprint,
 * insecure), version-1 files moved to version 2 once, and never read again after that.
 */
@DisplayName("VcenterStore: a sealed password opens only for the settings it was given for")
class VcenterStoreTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ID = "0011223344556677";
    private static final char[] PASSWORD = "s3cret-Vc!pw".toCharArray();

    @TempDir
    Path state;

    private static VcenterStore.Entry entry(String url, String user, String thumbprint, boolean insecure) {
        return new VcenterStore.Entry(ID, "lab", url, user, thumbprint, insecure, null, null);
    }

    private static final VcenterStore.Entry LAB =
            entry("https://vc.example/sdk", "backup@vsphere.local", "2C:11:ED:D7", false);

    private VcenterStore.Entry saved(VcenterStore store) throws IOException {
        VcenterStore.Entry e = LAB.withSealedPassword(store.seal(LAB, PASSWORD));
        store.put(e);
        return e;
    }

    @Nested
    @DisplayName("version 2")
    class Binding {
        @Test
        @DisplayName("opens with the settings it was sealed for, also after a rename")
        void opens() throws Exception {
            VcenterStore store = VcenterStore.open(state);
            VcenterStore.Entry e = saved(store);
            assertArrayEquals(PASSWORD, store.open(e));
            VcenterStore.Entry renamed = new VcenterStore.Entry(
                    e.id(), "renamed", e.url(), e.user(), e.thumbprint(), e.insecure(), e.sealedPassword(), null);
            assertArrayEquals(PASSWORD, store.open(renamed), "the name is not part of the binding");
            assertArrayEquals(PASSWORD, VcenterStore.open(state).open(e), "read back from the file");
        }

        @Test
        @DisplayName("does not open once the URL, user, thumbprint, insecure flag or id is changed by hand")
        void bound() throws Exception {
            VcenterStore store = VcenterStore.open(state);
            String sealed = saved(store).sealedPassword();
            List<VcenterStore.Entry> edited = List.of(
                    entry("https://evil.example/sdk", LAB.user(), LAB.thumbprint(), false),
                    entry(LAB.url(), "someone@else", LAB.thumbprint(), false),
                    entry(LAB.url(), LAB.user(), "AA:BB:CC:DD", false),
                    entry(LAB.url(), LAB.user(), null, true),
                    new VcenterStore.Entry(
                            "7766554433221100", "lab", LAB.url(), LAB.user(), LAB.thumbprint(), false, null, null));
            for (VcenterStore.Entry e : edited) {
                SealedPasswordException ex = assertThrows(
                        SealedPasswordException.class, () -> store.open(e.withSealedPassword(sealed)), e.toString());
                assertTrue(ex.getMessage().contains("enter the password again"), ex.getMessage());
            }
        }

        @Test
        @DisplayName("a hand edit of vcenters.json that redirects the URL leaves a password that does not open")
        void handEditedFile() throws Exception {
            saved(VcenterStore.open(state));
            Path file = state.resolve(VcenterStore.FILE);
            Files.writeString(
                    file, Files.readString(file).replace("https://vc.example/sdk", "https://evil.example/sdk"));
            VcenterStore again = VcenterStore.open(state);
            assertThrows(SealedPasswordException.class, () -> again.open(again.get(ID)));
        }

        @Test
        @DisplayName("a new store writes vcenters.json version 2 and a version-2 key file, both 0600")
        void fresh() throws Exception {
            saved(VcenterStore.open(state));
            assertEquals(
                    2,
                    JSON.readTree(state.resolve(VcenterStore.FILE).toFile())
                            .get("version")
                            .asInt());
            byte[] key = Files.readAllBytes(state.resolve(VcenterStore.KEY_FILE));
            assertEquals(VcenterStore.KEY_MAGIC.length + 32, key.length);
            assertArrayEquals(VcenterStore.KEY_MAGIC, Arrays.copyOf(key, VcenterStore.KEY_MAGIC.length));
            for (String f : List.of(VcenterStore.FILE, VcenterStore.KEY_FILE)) {
                assertEquals(
                        "rw-------",
                        java.nio.file.attribute.PosixFilePermissions.toString(
                                Files.getPosixFilePermissions(state.resolve(f))));
            }
        }

        @Test
        @DisplayName("the associated data tells apart fields that would run together")
        void unambiguous() {
            assertFalse(Arrays.equals(
                    VcenterStore.associatedData(entry("https://a/sdk", "bc", null, true)),
                    VcenterStore.associatedData(entry("https://a/sdkb", "c", null, true))));
            assertFalse(Arrays.equals(
                    VcenterStore.associatedData(entry("https://a/sdk", "u", null, true)),
                    VcenterStore.associatedData(entry("https://a/sdk", "u", "", true))));
        }
    }

    @Nested
    @DisplayName("version 1")
    class Migration {
        /** A version-1 state directory as an older cairn left it: a bare 32-byte key, the id as associated data. */
        private void writeVersion1(String url) throws Exception {
            byte[] key = new byte[32];
            new SecureRandom().nextBytes(key);
            Files.write(state.resolve(VcenterStore.KEY_FILE), key);
            byte[] nonce = new byte[12];
            new SecureRandom().nextBytes(nonce);
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
            c.updateAAD(ID.getBytes(StandardCharsets.UTF_8));
            byte[] ct = c.doFinal(new String(PASSWORD).getBytes(StandardCharsets.UTF_8));
            byte[] sealed = new byte[12 + ct.length];
            System.arraycopy(nonce, 0, sealed, 0, 12);
            System.arraycopy(ct, 0, sealed, 12, ct.length);
            ObjectNode e = JSON.createObjectNode()
                    .put("id", ID)
                    .put("name", "lab")
                    .put("url", url)
                    .put("user", LAB.user())
                    .put("thumbprint", LAB.thumbprint())
                    .put("insecure", false)
                    .put("sealedPassword", Base64.getEncoder().encodeToString(sealed));
            ObjectNode root = JSON.createObjectNode().put("version", 1);
            root.putArray("vcenters").add(e);
            Files.writeString(state.resolve(VcenterStore.FILE), JSON.writeValueAsString(root));
        }

        @Test
        @DisplayName("is read once, re-sealed as version 2 at open, and its key file moved to version 2")
        void migrated() throws Exception {
            writeVersion1(LAB.url());
            VcenterStore store = VcenterStore.open(state);
            assertArrayEquals(PASSWORD, store.open(store.get(ID)));
            JsonNode file = JSON.readTree(state.resolve(VcenterStore.FILE).toFile());
            assertEquals(2, file.get("version").asInt());
            assertEquals(VcenterStore.KEY_MAGIC.length + 32, Files.size(state.resolve(VcenterStore.KEY_FILE)));
            VcenterStore again = VcenterStore.open(state);
            assertArrayEquals(PASSWORD, again.open(again.get(ID)), "the migrated file opens again");
        }

        @Test
        @DisplayName("put back by hand after the move, it is refused in one line naming the versions")
        void refusedAfterMigration() throws Exception {
            writeVersion1(LAB.url());
            byte[] keyV1 = Files.readAllBytes(state.resolve(VcenterStore.KEY_FILE));
            VcenterStore.open(state);
            // the old file comes back, redirected to another server; the key file stays as the move left it
            byte[] keyV2 = Files.readAllBytes(state.resolve(VcenterStore.KEY_FILE));
            Files.write(state.resolve(VcenterStore.KEY_FILE), keyV1);
            writeVersion1("https://evil.example/sdk");
            Files.write(state.resolve(VcenterStore.KEY_FILE), keyV2);
            IOException e = assertThrows(IOException.class, () -> VcenterStore.open(state));
            assertTrue(e.getMessage().contains("version 1") && e.getMessage().contains("not trusted"), e.getMessage());
            assertEquals(1, e.getMessage().lines().count());
        }

        @Test
        @DisplayName("a version-1 password that does not open stays as it is and still asks for the password")
        void damagedStaysDamaged() throws Exception {
            writeVersion1(LAB.url());
            Path file = state.resolve(VcenterStore.FILE);
            JsonNode root = JSON.readTree(file.toFile());
            ((ObjectNode) root.get("vcenters").get(0)).put("sealedPassword", "AAAA");
            Files.writeString(file, JSON.writeValueAsString(root));
            VcenterStore store = VcenterStore.open(state);
            assertThrows(SealedPasswordException.class, () -> store.open(store.get(ID)));
            assertEquals("AAAA", store.get(ID).sealedPassword());
        }
    }

    @Nested
    @DisplayName("editing a connection")
    class Editing {
        /** A connection to a port nobody listens on: a login attempt fails with a VsphereException. */
        private VcenterConnections connections() throws Exception {
            VcenterStore store = VcenterStore.open(state);
            VcenterStore.Entry e = entry("https://127.0.0.1:1/sdk", "backup", "2C:11:ED:D7", false);
            store.put(e.withSealedPassword(store.seal(e, PASSWORD)));
            return VcenterConnections.open(state);
        }

        private static VcenterConnections.Settings settings(String url, String user, String tp, boolean insecure) {
            return new VcenterConnections.Settings("lab", URI.create(url), user, tp, insecure);
        }

        @Test
        @DisplayName("a new URL, user, thumbprint or insecure flag without the password is refused before any login")
        void needsPassword() throws Exception {
            VcenterConnections vc = connections();
            for (VcenterConnections.Settings s : List.of(
                    settings("https://evil.example/sdk", "backup", "2C:11:ED:D7", false),
                    settings("https://127.0.0.1:1/sdk", "root", "2C:11:ED:D7", false),
                    settings("https://127.0.0.1:1/sdk", "backup", "AA:BB", false),
                    settings("https://127.0.0.1:1/sdk", "backup", null, true))) {
                PasswordRequiredException e =
                        assertThrows(PasswordRequiredException.class, () -> vc.edit(ID, s, null), s.toString());
                assertTrue(e.getMessage().contains("needs its password again"), e.getMessage());
            }
            assertEquals("https://127.0.0.1:1/sdk", vc.get(ID).orElseThrow().url(), "nothing changed");
        }

        @Test
        @DisplayName("a rename alone needs no password (it logs in with the stored one)")
        void renameOnly() throws Exception {
            VcenterConnections vc = connections();
            VcenterConnections.Settings s = new VcenterConnections.Settings(
                    "new name", URI.create("https://127.0.0.1:1/sdk"), "backup", "2C:11:ED:D7", false);
            // the stored password opens and the login is attempted: the port is closed, so it fails there
            assertThrows(io.cairn.vsphere.connect.VsphereException.class, () -> vc.edit(ID, s, null));
            assertEquals(List.of("name"), vc.changes(ID, s));
        }
    }
}
