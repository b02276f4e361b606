package io.cairn.operations.disk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.operations.roots.SourceRoots;
import io.cairn.repository.backup.SourceChangedException;
import io.cairn.repository.error.RepositoryException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileDiskSourceTest {
    @TempDir
    Path dir;

    @Test
    @DisplayName("a missing file and a directory are refused with one clear line")
    void unreadable() {
        RepositoryException missing = assertThrows(
                RepositoryException.class,
                () -> FileDiskSource.open(dir.resolve("nope.img"), SourceRoots.unconfined()));
        assertTrue(missing.getMessage().endsWith("does not exist"), missing.getMessage());
        RepositoryException isDir =
                assertThrows(RepositoryException.class, () -> FileDiskSource.open(dir, SourceRoots.unconfined()));
        assertTrue(isDir.getMessage().contains("is a directory"), isDir.getMessage());
    }

    @Test
    @DisplayName("a file that shrinks under the backup fails the read; one that grows fails at the end")
    void changes() throws IOException {
        Path f = dir.resolve("d.img");
        Files.write(f, new byte[8192]);
        try (FileDiskSource s = FileDiskSource.open(f, SourceRoots.unconfined())) {
            byte[] buf = new byte[4096];
            s.read(4096, buf, 0, 4096);
            assertArrayEquals(new byte[4096], buf);
            Files.write(f, new byte[100]);
            SourceChangedException e = assertThrows(SourceChangedException.class, () -> s.read(4096, buf, 0, 4096));
            assertTrue(e.getMessage().contains("changed during the backup"), e.getMessage());
        }
        Files.write(f, new byte[8192]);
        try (FileDiskSource s = FileDiskSource.open(f, SourceRoots.unconfined())) {
            Files.write(f, new byte[16384]);
            assertThrows(SourceChangedException.class, s::finish);
        }
    }
}
