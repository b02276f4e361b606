package io.cairn.repository.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What only the local directory store must get right: directories other processes remove, fsyncs. */
class LocalStoreTest {
    @TempDir
    Path root;

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    @DisplayName("a directory another process removed (its gc emptied it) is created again on the next write")
    void directoryRemovedByAnotherProcess() throws IOException {
        LocalStore server = new LocalStore(root);
        LocalStore gc = new LocalStore(root);
        server.put("chunks/ab12/first", bytes("1"));
        gc.delete("chunks/ab12/first"); // removes the emptied chunks/ab12/ too
        assertFalse(Files.exists(root.resolve("chunks/ab12")));
        server.put("chunks/ab12/second", bytes("2"));
        assertArrayEquals(bytes("2"), server.get("chunks/ab12/second"));
        server.put("backups/vm/1/manifest", bytes("m"));
        gc.delete("backups/vm/1/manifest");
        server.put("backups/vm/1/manifest", bytes("m2"));
        assertArrayEquals(bytes("m2"), gc.get("backups/vm/1/manifest"));
    }

    @Test
    @DisplayName("every directory level a write creates is fsynced in its parent by the next sync")
    void everyNewLevelSynced() throws IOException {
        LocalStore s = new LocalStore(root);
        s.put("backups/vm-one/0123456789abcdef/manifest", bytes("m"));
        Set<Path> pending = s.pendingDirectorySyncs();
        for (Path p : Set.of(
                root,
                root.resolve("backups"),
                root.resolve("backups/vm-one"),
                root.resolve("backups/vm-one/0123456789abcdef"))) {
            assertTrue(pending.contains(p), p + " in " + pending);
        }
        s.sync();
        assertTrue(s.pendingDirectorySyncs().isEmpty());
        // a second backup of the same VM creates only its own directory
        s.put("backups/vm-one/fedcba9876543210/manifest", bytes("m"));
        assertTrue(s.pendingDirectorySyncs().contains(root.resolve("backups/vm-one")));
        assertFalse(s.pendingDirectorySyncs().contains(root.resolve("backups")));
    }
}
