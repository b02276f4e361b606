package io.cairn.repository.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store contract on a real directory, and what only a local directory has (temporaries, escapes). */
@DisplayName("LocalStore keeps the store contract")
class LocalStoreContractTest extends StoreContractTest {
    @TempDir
    Path dir;

    private int stores;

    @Override
    protected Store newStore() {
        return new LocalStore(dir.resolve("store-" + stores++));
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
