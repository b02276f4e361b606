package io.cairn.repository;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.repository.backup.BackupWriter;
import io.cairn.repository.error.RepositoryException;
import io.cairn.repository.error.WrongPasswordException;
import io.cairn.repository.store.MemoryStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Several passwords per repository; changing one never re-encrypts data. */
class KeyRingTest {
    static final char[] ONE = "first password".toCharArray();
    static final char[] TWO = "second password".toCharArray();
    static final char[] THREE = "third password".toCharArray();

    @TempDir
    Path tmp;

    final MemoryStore store = new MemoryStore();

    @Test
    @DisplayName("add, list, change and remove passwords; data stays readable under each")
    void lifecycle() throws IOException {
        Repository repo = Repository.init(store, TestRepos.CHUNK, 3, ONE);
        byte[] d = TestRepos.disk(4 * TestRepos.CHUNK, 9);
        BackupWriter.Result b = TestRepos.backup(repo, "vm1", d);
        KeyRing ring = new KeyRing(repo);

        String second = ring.add(ONE, TWO);
        List<KeyRing.Entry> listed = ring.list(TWO);
        assertEquals(2, listed.size());
        assertTrue(listed.stream().anyMatch(e -> e.id().equals(second) && e.opens()));
        assertEquals(1, listed.stream().filter(KeyRing.Entry::opens).count());

        Repository byTwo = Repository.open(store, TWO::clone);
        assertArrayEquals(d, TestRepos.restoreDisk(byTwo, byTwo.resolve(b.ref().id()), tmp));

        String third = ring.change(TWO, THREE);
        assertThrows(WrongPasswordException.class, () -> Repository.open(store, TWO::clone));
        Repository byThree = Repository.open(store, THREE::clone);
        assertArrayEquals(
                d, TestRepos.restoreDisk(byThree, byThree.resolve(b.ref().id()), tmp));

        String first = ring.list(ONE).stream()
                .filter(KeyRing.Entry::opens)
                .findFirst()
                .orElseThrow()
                .id();
        RepositoryException own = assertThrows(RepositoryException.class, () -> ring.remove(ONE, first));
        assertTrue(own.getMessage().contains("passwd"), own.getMessage());
        ring.remove(THREE, first);
        assertThrows(WrongPasswordException.class, () -> Repository.open(store, ONE::clone));
        RepositoryException last = assertThrows(RepositoryException.class, () -> ring.remove(THREE, third));
        assertTrue(last.getMessage().contains("passwd") || last.getMessage().contains("only key"), last.getMessage());
        assertThrows(WrongPasswordException.class, () -> ring.add(ONE, TWO));
        assertEquals(1, ring.list(THREE).size());
    }

    @Test
    @DisplayName("a plaintext repository has no passwords to manage")
    void plaintext() throws IOException {
        Repository repo = TestRepos.init(store);
        assertThrows(IllegalArgumentException.class, () -> new KeyRing(repo));
    }
}
