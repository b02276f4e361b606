package io.cairn.repository.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.repository.error.ObjectNotFoundException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@link Store} contract, run against every implementation. */
class StoreContractTest {

    abstract static class Contract {
        abstract Store store() throws IOException;

        @Test
        @DisplayName("an object reads back as written, and a replaced object reads back as the replacement")
        void putGet() throws IOException {
            Store s = store();
            s.put("chunks/abcd/x", bytes("hello"));
            assertArrayEquals(bytes("hello"), s.get("chunks/abcd/x"));
            s.put("chunks/abcd/x", bytes("world!"));
            assertArrayEquals(bytes("world!"), s.get("chunks/abcd/x"));
            assertEquals(6, s.stat("chunks/abcd/x").orElseThrow().size());
            assertArrayEquals(bytes("wor"), s.getPrefix("chunks/abcd/x", 3));
        }

        @Test
        @DisplayName("a missing object is reported by name, and deleting it is not an error")
        void missing() throws IOException {
            Store s = store();
            ObjectNotFoundException e =
                    assertThrows(ObjectNotFoundException.class, () -> s.get("backups/a/b/manifest"));
            assertTrue(e.getMessage().contains("backups/a/b/manifest"));
            assertTrue(s.stat("backups/a/b/manifest").isEmpty());
            assertFalse(s.touch("backups/a/b/manifest"));
            s.delete("backups/a/b/manifest");
        }

        @Test
        @DisplayName("listing a prefix returns exactly the objects below it")
        void list() throws IOException {
            Store s = store();
            s.put("backups/vm1/a/manifest", bytes("1"));
            s.put("backups/vm1/a/disk0.fidx", bytes("2"));
            s.put("backups/vm2/b/manifest", bytes("3"));
            s.put("chunks/0000/c", bytes("4"));
            List<String> keys = new ArrayList<>();
            s.list("backups/", i -> keys.add(i.key()));
            keys.sort(null);
            assertEquals(List.of("backups/vm1/a/disk0.fidx", "backups/vm1/a/manifest", "backups/vm2/b/manifest"), keys);
            List<String> all = new ArrayList<>();
            s.list("", i -> all.add(i.key()));
            assertEquals(4, all.size());
        }

        @Test
        @DisplayName("touch renews the modification time")
        void touch() throws IOException, InterruptedException {
            Store s = store();
            s.put("locks/l", bytes("x"));
            Instant before = s.stat("locks/l").orElseThrow().modified();
            Thread.sleep(20);
            assertTrue(s.touch("locks/l"));
            assertTrue(s.stat("locks/l").orElseThrow().modified().isAfter(before));
        }
    }

    @Nested
    @DisplayName("LocalStore")
    class Local extends Contract {
        @TempDir
        Path dir;

        @Override
        Store store() {
            return new LocalStore(dir);
        }

        @Test
        @DisplayName("a write that fails leaves neither the object nor a temporary file")
        void failedWrite(@TempDir Path other) throws IOException {
            LocalStore s = new LocalStore(other);
            // A directory where the object should go makes the final rename fail.
            Files.createDirectories(other.resolve("chunks/abcd/x/inner"));
            assertThrows(IOException.class, () -> s.put("chunks/abcd/x", bytes("data")));
            assertEquals(0, s.countAbandonedWrites());
        }

        @Test
        @DisplayName("keys cannot escape the repository directory")
        void escapes() {
            LocalStore s = new LocalStore(dir);
            assertThrows(IllegalArgumentException.class, () -> s.put("../x", bytes("x")));
            assertThrows(IllegalArgumentException.class, () -> s.put("/etc/x", bytes("x")));
            assertThrows(IllegalArgumentException.class, () -> s.put("tmp/x", bytes("x")));
        }

        @Test
        @DisplayName("abandoned temporaries are counted, and removed only when older than the cutoff")
        void abandoned() throws IOException {
            LocalStore s = new LocalStore(dir);
            Files.createDirectories(dir.resolve("tmp"));
            Files.write(dir.resolve("tmp/leftover"), bytes("partial"));
            assertEquals(1, s.countAbandonedWrites());
            assertEquals(0, s.removeAbandonedWrites(Instant.now().minusSeconds(3600)));
            assertEquals(1, s.removeAbandonedWrites(Instant.now().plusSeconds(1)));
            assertEquals(0, s.countAbandonedWrites());
        }

        @Test
        @DisplayName("deleting the last file of a backup directory removes the directory")
        void emptyDirs() throws IOException {
            LocalStore s = new LocalStore(dir);
            s.put("backups/vm/id/manifest", bytes("m"));
            s.delete("backups/vm/id/manifest");
            assertFalse(Files.exists(dir.resolve("backups/vm/id")));
            assertFalse(Files.exists(dir.resolve("backups/vm")));
            assertTrue(Files.exists(dir.resolve("backups")));
        }
    }

    @Nested
    @DisplayName("MemoryStore")
    class Memory extends Contract {
        @Override
        Store store() {
            return new MemoryStore();
        }
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
