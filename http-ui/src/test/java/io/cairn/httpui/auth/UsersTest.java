package io.cairn.httpui.auth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cairn.repository.crypto.Scrypt;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every put and authenticate costs one real scrypt (32 MiB, N=2^15): these tests keep their number small. */
@DisplayName("Users")
class UsersTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path state;

    private Path file() {
        return state.resolve("users.json");
    }

    private static char[] pw(String s) {
        return s.toCharArray();
    }

    @Nested
    @DisplayName("passwords")
    class Passwords {
        @Test
        @DisplayName("the right password gives the user's role; a wrong one, an unknown or a null name give nothing")
        void authenticate() throws IOException {
            Users u = Users.load(state);
            assertTrue(u.isEmpty());
            u.put("alice", Role.OPERATOR, pw("correct horse"));
            assertFalse(u.isEmpty());
            assertEquals(Role.OPERATOR, u.authenticate("alice", pw("correct horse")));
            assertNull(u.authenticate("alice", pw("correct horsE")));
            assertNull(u.authenticate("alice", pw("correct horse ")));
            assertNull(u.authenticate("alice", pw("")));
            assertNull(u.authenticate("bob", pw("correct horse")));
            assertNull(u.authenticate("Alice", pw("correct horse")), "user names are case-sensitive");
            assertNull(u.authenticate(null, pw("correct horse")));
        }

        @Test
        @DisplayName("non-ASCII passwords are hashed as UTF-8 and must match exactly")
        void unicode() throws IOException {
            Users u = Users.load(state);
            u.put("joerg", Role.VIEWER, pw("pässwörd-ü€"));
            assertEquals(Role.VIEWER, u.authenticate("joerg", pw("pässwörd-ü€")));
            assertNull(u.authenticate("joerg", pw("passwort-u€")));
        }

        @Test
        @DisplayName("an unknown name costs a scrypt call like a known one (timing does not tell which names exist)")
        void unknownNameCostsTheSame() throws IOException {
            Users u = Users.load(state);
            u.put("alice", Role.ADMIN, pw("correct horse"));
            long known = Long.MAX_VALUE;
            long unknown = Long.MAX_VALUE;
            for (int i = 0; i < 3; i++) { // the fastest of 3 each, to keep other load on the machine out
                long t0 = System.nanoTime();
                assertNull(u.authenticate("alice", pw("wrong password")));
                long t1 = System.nanoTime();
                assertNull(u.authenticate("mallory", pw("wrong password")));
                long t2 = System.nanoTime();
                known = Math.min(known, t1 - t0);
                unknown = Math.min(unknown, t2 - t1);
            }
            // Without the dummy scrypt an unknown name answers in microseconds, a known one in ~100 ms.
            double ratio = (double) unknown / known;
            assertTrue(
                    ratio > 0.3 && ratio < 3.0,
                    "unknown " + unknown / 1_000_000 + " ms vs known " + known / 1_000_000 + " ms");
        }

        @Test
        @DisplayName("the same password gets a different salt and hash for each user, and is never stored as such")
        void saltedHashes() throws IOException {
            Users u = Users.load(state);
            u.put("alice", Role.ADMIN, pw("same password"));
            u.put("bob", Role.ADMIN, pw("same password"));
            String text = Files.readString(file(), StandardCharsets.UTF_8);
            assertFalse(text.contains("same password"), text);
            List<Users.User> list = u.list();
            assertEquals(2, list.size());
            Users.User a = list.get(0);
            Users.User b = list.get(1);
            assertNotEquals(a.salt(), b.salt());
            assertNotEquals(a.hash(), b.hash());
            assertEquals(16, Base64.getDecoder().decode(a.salt()).length);
            assertEquals(32, Base64.getDecoder().decode(a.hash()).length);
            assertEquals(List.of(1 << 15, 8, 1), List.of(a.n(), a.r(), a.p()));
        }

        @Test
        @DisplayName(
                "a stored hash is scrypt with the stored salt and parameters (an entry with other parameters still logs in)")
        void storedParametersAreUsed() throws IOException {
            byte[] salt = new byte[16];
            for (int i = 0; i < salt.length; i++) {
                salt[i] = (byte) i;
            }
            byte[] hash = Scrypt.derive("older password".getBytes(StandardCharsets.UTF_8), salt, 1024, 8, 1, 32);
            Base64.Encoder b64 = Base64.getEncoder();
            Files.writeString(
                    file(),
                    "{\"version\":1,\"users\":[{\"name\":\"old\",\"role\":\"viewer\",\"salt\":\""
                            + b64.encodeToString(salt) + "\",\"hash\":\"" + b64.encodeToString(hash)
                            + "\",\"n\":1024,\"r\":8,\"p\":1}]}");
            Users u = Users.load(state);
            assertEquals(Role.VIEWER, u.authenticate("old", pw("older password")));
            assertNull(u.authenticate("old", pw("older passwore")));
        }

        @Test
        @DisplayName("a password shorter than 8 characters is refused and nothing is written")
        void shortPassword() throws IOException {
            Users u = Users.load(state);
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> u.put("alice", Role.ADMIN, pw("1234567")));
            assertTrue(e.getMessage().contains("8"), e.getMessage());
            assertFalse(Files.exists(file()));
            assertTrue(u.isEmpty());
        }

        @Test
        @DisplayName("random passwords have the asked length, no look-alike characters, and differ")
        void randomPasswords() {
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < 200; i++) {
                String p = Users.randomPassword(20);
                assertEquals(20, p.length());
                assertTrue(p.matches("[a-zA-Z2-9]+"), p);
                assertFalse(p.matches(".*[01lIOo].*"), "look-alike character in " + p);
                assertTrue(seen.add(p), "repeated " + p);
            }
        }
    }

    @Nested
    @DisplayName("names and roles")
    class Names {
        @ParameterizedTest(name = "''{0}'' is refused")
        @ValueSource(strings = {"", "a b", "../etc", "a/b", "tab\t", "ä", "x\"y"})
        @DisplayName("a user name is 1 to 64 letters, digits or . _ @ -")
        void badNames(String name) throws IOException {
            Users u = Users.load(state);
            assertThrows(IllegalArgumentException.class, () -> u.put(name, Role.ADMIN, pw("long enough")));
            assertFalse(Files.exists(file()));
        }

        @Test
        @DisplayName("64 characters are allowed, 65 and null are not")
        void lengths() throws IOException {
            Users u = Users.load(state);
            assertThrows(IllegalArgumentException.class, () -> u.put("a".repeat(65), Role.ADMIN, pw("long enough")));
            assertThrows(IllegalArgumentException.class, () -> u.put(null, Role.ADMIN, pw("long enough")));
            u.put("a".repeat(64), Role.ADMIN, pw("long enough"));
            assertEquals(Role.ADMIN, Users.load(state).authenticate("a".repeat(64), pw("long enough")));
        }

        @Test
        @DisplayName(
                "adding an existing user replaces its role and password: one entry, the old password no longer works")
        void replace() throws IOException {
            Users u = Users.load(state);
            u.put("alice", Role.ADMIN, pw("first password"));
            u.put("bob", Role.VIEWER, pw("bobs password"));
            u.put("alice", Role.VIEWER, pw("second password"));
            assertEquals(
                    List.of("alice", "bob"),
                    u.list().stream().map(Users.User::name).toList());
            assertNull(u.authenticate("alice", pw("first password")));
            assertEquals(Role.VIEWER, u.authenticate("alice", pw("second password")));
            Users again = Users.load(state);
            assertEquals(2, again.list().size());
            assertEquals("viewer", again.list().get(0).role());
            assertEquals(Role.VIEWER, again.list().get(0).roleValue());
        }
    }

    @Nested
    @DisplayName("changing and removing")
    class Changing {
        @Test
        @DisplayName("changePassword keeps the role, the old password stops working, and the stamp changes")
        void changePassword() throws IOException {
            Users u = Users.load(state);
            u.put("alice", Role.OPERATOR, pw("first password"));
            String before = u.stamp("alice");
            u.changePassword("alice", pw("second password"));
            assertNull(u.authenticate("alice", pw("first password")));
            assertEquals(Role.OPERATOR, Users.load(state).authenticate("alice", pw("second password")));
            assertNotEquals(before, u.stamp("alice"), "sessions of the old password must end");
        }

        @Test
        @DisplayName("changePassword of an unknown user, or to a short password, is refused and writes nothing")
        void changePasswordRefused() throws IOException {
            Users u = Users.load(state);
            u.put("alice", Role.OPERATOR, pw("first password"));
            String before = Files.readString(file());
            assertThrows(IllegalArgumentException.class, () -> u.changePassword("bob", pw("long enough")));
            assertThrows(IllegalArgumentException.class, () -> u.changePassword("alice", pw("short")));
            assertEquals(before, Files.readString(file()));
        }

        @Test
        @DisplayName("a role change changes the stamp; a removed user has none and cannot log in")
        void roleAndRemove() throws IOException {
            Users u = Users.load(state);
            u.put("alice", Role.ADMIN, pw("first password"));
            u.put("bob", Role.VIEWER, pw("bobs password"));
            String admin = u.stamp("alice");
            u.put("alice", Role.VIEWER, pw("first password"));
            assertNotEquals(admin, u.stamp("alice"));
            assertTrue(u.remove("alice"));
            assertFalse(u.remove("alice"));
            assertNull(u.stamp("alice"));
            assertNull(Users.load(state).authenticate("alice", pw("first password")));
            assertEquals(
                    List.of("bob"),
                    Users.load(state).list().stream().map(Users.User::name).toList());
        }

        @Test
        @DisplayName("the stamp follows a change made by another process (cairn user while the server runs)")
        void stampSeesOtherWriters() throws IOException {
            Users server = Users.load(state);
            server.put("alice", Role.ADMIN, pw("first password"));
            String before = server.stamp("alice");
            Users.load(state).put("alice", Role.VIEWER, pw("first password"));
            assertNotEquals(before, server.stamp("alice"));
            assertTrue(server.stamp("alice").startsWith("viewer:"), server.stamp("alice"));
        }
    }

    @Nested
    @DisplayName("the first admin's password")
    class FirstAdmin {
        @Test
        @DisplayName("goes to initial-admin-password, 0600, and logs in as admin")
        void created() throws IOException {
            Users u = Users.load(state);
            Path f = u.createFirstAdmin();
            assertEquals(state.resolve(Users.INITIAL_PASSWORD_FILE), f);
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
            String pw = Files.readString(f).strip();
            assertEquals(20, pw.length());
            assertEquals(Role.ADMIN, Users.load(state).authenticate("admin", pw.toCharArray()));
            assertFalse(u.forgetStaleInitialPassword(), "a file that still opens stays");
            assertTrue(Files.exists(f));
        }

        @Test
        @DisplayName("is deleted once admin's password changes, by changePassword or put")
        void deletedOnChange() throws IOException {
            Users u = Users.load(state);
            Path f = u.createFirstAdmin();
            u.changePassword("admin", pw("the admin's own"));
            assertFalse(Files.exists(f));
            Path g = Users.load(dir()).createFirstAdmin();
            Users.load(dir()).put("admin", Role.ADMIN, pw("set by cairn user add"));
            assertFalse(Files.exists(g));
        }

        private Path dir() throws IOException {
            Path d = state.resolve("other");
            Files.createDirectories(d);
            return d;
        }

        @Test
        @DisplayName("another user's change leaves it; a stale one (users.json edited, admin removed) is forgotten")
        void stale() throws IOException {
            Users u = Users.load(state);
            Path f = u.createFirstAdmin();
            u.put("bob", Role.VIEWER, pw("bobs password"));
            assertTrue(Files.exists(f));
            Files.writeString(f, "not the password any more\n");
            assertTrue(u.forgetStaleInitialPassword());
            assertFalse(Files.exists(f));
            assertFalse(u.forgetStaleInitialPassword(), "no file, nothing to do");
        }
    }

    @Nested
    @DisplayName("the users file")
    class TheFile {
        @Test
        @DisplayName("does not exist until the first user, then survives a reload with every user and role")
        void persisted() throws IOException {
            Users u = Users.load(state);
            assertFalse(Files.exists(file()));
            u.put("alice", Role.ADMIN, pw("alices password"));
            u.put("bob", Role.OPERATOR, pw("bobs password"));
            Users again = Users.load(state);
            assertEquals(Role.ADMIN, again.authenticate("alice", pw("alices password")));
            assertEquals(Role.OPERATOR, again.authenticate("bob", pw("bobs password")));
            JsonNode f = JSON.readTree(file().toFile());
            assertEquals(1, f.get("version").asInt());
            assertEquals(2, f.get("users").size());
        }

        @Test
        @DisplayName("is mode 0600 and left without a temporary file, even when it was readable by others before")
        void mode() throws IOException {
            Users u = Users.load(state);
            u.put("alice", Role.ADMIN, pw("alices password"));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file())));
            Files.setPosixFilePermissions(file(), PosixFilePermissions.fromString("rw-r--r--"));
            u.put("bob", Role.VIEWER, pw("bobs password"));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file())));
            try (Stream<Path> s = Files.list(state)) {
                assertEquals(
                        List.of("users.json"),
                        s.map(p -> p.getFileName().toString()).toList());
            }
        }

        @Test
        @DisplayName("is created with its directory when the state directory does not exist yet")
        void createsDirectory() throws IOException {
            Path deeper = state.resolve("a/b");
            Users.load(deeper).put("alice", Role.ADMIN, pw("alices password"));
            assertEquals(Role.ADMIN, Users.load(deeper).authenticate("alice", pw("alices password")));
        }

        @Test
        @DisplayName("a save that fails leaves the old file whole and the users as they were")
        void failedSave() throws IOException {
            Users u = Users.load(state);
            u.put("alice", Role.ADMIN, pw("alices password"));
            byte[] before = Files.readAllBytes(file());
            // The temporary file's name taken by a non-empty directory: the write cannot even start.
            Path tmp = state.resolve(".users.json.tmp");
            Files.createDirectory(tmp);
            Files.writeString(tmp.resolve("x"), "x");
            assertThrows(IOException.class, () -> u.put("bob", Role.ADMIN, pw("bobs password")));
            assertArrayEquals(before, Files.readAllBytes(file()));
            assertNull(u.authenticate("bob", pw("bobs password")), "a user that was never saved can log in");
            assertEquals(
                    List.of("alice"), u.list().stream().map(Users.User::name).toList());
            assertEquals(Role.ADMIN, Users.load(state).authenticate("alice", pw("alices password")));
        }

        @Test
        @DisplayName("a user added by another process (cairn user add while the server runs) logs in at once;"
                + " a file damaged meanwhile keeps the users read before")
        void seesOtherWriters() throws IOException {
            Users server = Users.load(state);
            server.put("alice", Role.ADMIN, pw("alices password"));
            Users.load(state).put("carol", Role.OPERATOR, pw("carols password")); // the CLI, another instance
            assertEquals(Role.OPERATOR, server.authenticate("carol", pw("carols password")));
            server.put("dave", Role.VIEWER, pw("daves password"));
            assertEquals(
                    List.of("alice", "carol", "dave"),
                    Users.load(state).list().stream().map(Users.User::name).toList(),
                    "the server's put dropped a user the CLI had added");
            Users.writeAtomically(file(), "{ not json".getBytes(StandardCharsets.UTF_8));
            assertEquals(Role.ADMIN, server.authenticate("alice", pw("alices password")));
        }

        @Test
        @DisplayName("writeAtomically replaces a file's whole content and leaves no temporary file")
        void writeAtomically() throws IOException {
            Path f = state.resolve("x.json");
            Files.writeString(f, "a much longer old content that must not survive in part");
            Users.writeAtomically(f, "new".getBytes(StandardCharsets.UTF_8));
            assertEquals("new", Files.readString(f));
            assertFalse(Files.exists(state.resolve(".x.json.tmp")));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
        }
    }

    @Nested
    @DisplayName("a damaged users file")
    class Damaged {
        private void assertRefused(String content, String... mentions) throws IOException {
            Files.writeString(file(), content);
            IOException e = assertThrows(IOException.class, () -> Users.load(state));
            assertTrue(
                    e.getMessage().contains(file().toString()),
                    "the message does not name the file: " + e.getMessage());
            for (String m : mentions) {
                assertTrue(e.getMessage().contains(m), "the message does not say '" + m + "': " + e.getMessage());
            }
        }

        @Test
        @DisplayName("that is not JSON, or cut short, is refused naming the file")
        void notJson() throws IOException {
            assertRefused("{not json");
            assertRefused("{\"version\":1,\"users\":[{\"name\":\"alice\",\"role\":\"adm");
            assertRefused("");
        }

        @Test
        @DisplayName("of another format version is refused naming the file and the version")
        void otherVersion() throws IOException {
            assertRefused("{\"version\":2,\"users\":[]}", "version 2", "reads version 1");
            assertRefused("{\"users\":[]}", "version 0");
        }

        @Test
        @DisplayName("with an unknown role is refused naming the file, the user and the role")
        void unknownRole() throws IOException {
            assertRefused(
                    "{\"version\":1,\"users\":[{\"name\":\"alice\",\"role\":\"root\",\"salt\":\"AAAAAAAAAAAAAAAAAAAAAA==\","
                            + "\"hash\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\",\"n\":32768,\"r\":8,\"p\":1}]}",
                    "alice",
                    "root");
        }

        @Test
        @DisplayName("with a user missing its salt or hash, or with broken ones, is refused at load, not at login")
        void incompleteUser() throws IOException {
            assertRefused("{\"version\":1,\"users\":[{\"name\":\"alice\",\"role\":\"admin\"}]}", "alice");
            assertRefused(
                    "{\"version\":1,\"users\":[{\"name\":\"alice\",\"role\":\"admin\",\"salt\":\"***\","
                            + "\"hash\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\",\"n\":32768,\"r\":8,\"p\":1}]}",
                    "alice");
            assertRefused(
                    "{\"version\":1,\"users\":[{\"name\":\"alice\",\"role\":\"admin\",\"salt\":\"AAAAAAAAAAAAAAAAAAAAAA==\","
                            + "\"hash\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\",\"n\":0,\"r\":8,\"p\":1}]}",
                    "alice");
        }

        @Test
        @DisplayName("with a user without a name is refused")
        void noName() throws IOException {
            assertRefused("{\"version\":1,\"users\":[{\"role\":\"admin\",\"salt\":\"AAAAAAAAAAAAAAAAAAAAAA==\","
                    + "\"hash\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\",\"n\":32768,\"r\":8,\"p\":1}]}");
        }

        @Test
        @DisplayName("with the same user twice is refused (which password would count?)")
        void duplicate() throws IOException {
            String alice = "{\"name\":\"alice\",\"role\":\"admin\",\"salt\":\"AAAAAAAAAAAAAAAAAAAAAA==\","
                    + "\"hash\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\",\"n\":32768,\"r\":8,\"p\":1}";
            assertRefused("{\"version\":1,\"users\":[" + alice + "," + alice + "]}", "alice", "twice");
        }

        @Test
        @DisplayName("with no users at all is an empty list (the server then creates the first admin)")
        void empty() throws IOException {
            Files.writeString(file(), "{\"version\":1,\"users\":[]}");
            assertTrue(Users.load(state).isEmpty());
            Files.writeString(file(), "{\"version\":1}");
            assertTrue(Users.load(state).isEmpty());
        }
    }
}
