package io.cairn.repository;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.repository.error.BackupNotFoundException;
import io.cairn.repository.error.NotARepositoryException;
import io.cairn.repository.error.RepositoryException;
import io.cairn.repository.error.WrongPasswordException;
import io.cairn.repository.format.FormatConstants;
import io.cairn.repository.format.Json;
import io.cairn.repository.lock.HostIdentity;
import io.cairn.repository.lock.Lock;
import io.cairn.repository.lock.LockInfo;
import io.cairn.repository.store.MemoryStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RepositoryTest {
    final MemoryStore store = new MemoryStore();

    @Test
    @DisplayName("a store without config is not a repository, and a foreign config is named as such")
    void notARepository() throws IOException {
        NotARepositoryException e =
                assertThrows(NotARepositoryException.class, () -> Repository.open(store, () -> null));
        assertTrue(e.getMessage().contains("no 'config'"));
        store.put(FormatConstants.KEY_CONFIG, "{\"hello\": 1}".getBytes(StandardCharsets.UTF_8));
        assertThrows(NotARepositoryException.class, () -> Repository.open(store, () -> null));
        store.put(FormatConstants.KEY_CONFIG, "not json".getBytes(StandardCharsets.UTF_8));
        assertThrows(NotARepositoryException.class, () -> Repository.open(store, () -> null));
    }

    @Test
    @DisplayName("a newer format version is refused with both versions named")
    void newerVersion() throws IOException {
        TestRepos.initV2(store);
        String cfg =
                new String(store.get("config"), StandardCharsets.UTF_8).replace("\"version\" : 2", "\"version\" : 3");
        store.put("config", cfg.getBytes(StandardCharsets.UTF_8));
        NotARepositoryException e =
                assertThrows(NotARepositoryException.class, () -> Repository.open(store, () -> null));
        assertTrue(e.getMessage().contains("version 3"), e.getMessage());
        assertTrue(e.getMessage().contains("versions 1 to 2"), e.getMessage());
    }

    @Test
    @DisplayName("a wrong password is reported as such, a missing one asked for, the right one opens")
    void passwords() throws IOException {
        Repository.init(store, TestRepos.CHUNK, 3, "right".toCharArray());
        assertThrows(WrongPasswordException.class, () -> Repository.open(store, () -> "wrong".toCharArray()));
        RepositoryException e = assertThrows(RepositoryException.class, () -> Repository.open(store, () -> null));
        assertTrue(e.getMessage().contains("password is needed"));
        assertTrue(Repository.open(store, () -> "right".toCharArray()).config().encrypted());
        // An unencrypted repository never asks.
        MemoryStore plain = new MemoryStore();
        TestRepos.init(plain);
        Repository.open(plain, () -> {
            throw new AssertionError("asked for a password");
        });
    }

    @Test
    @DisplayName("init refuses a store that already holds a repository, and bad chunk sizes")
    void initRules() throws IOException {
        TestRepos.init(store);
        assertThrows(RepositoryException.class, () -> TestRepos.init(store));
        assertThrows(IllegalArgumentException.class, () -> Repository.init(new MemoryStore(), 3 << 20, 3, null));
        assertThrows(IllegalArgumentException.class, () -> Repository.init(new MemoryStore(), 128 << 10, 3, null));
        assertThrows(IllegalArgumentException.class, () -> Repository.init(new MemoryStore(), 16 << 20, 3, null));
    }

    @Test
    @DisplayName("backups resolve by id prefix and VMNAME@latest; ambiguity and absence are clear errors")
    void resolve() throws IOException {
        Repository repo = TestRepos.init(store);
        var a = TestRepos.backup(repo, "web", TestRepos.disk(TestRepos.CHUNK, 1));
        var b = TestRepos.backup(repo, "web", TestRepos.disk(TestRepos.CHUNK, 2));
        assertEquals(b.ref(), repo.resolve("web@latest").ref());
        assertEquals(a.ref(), repo.resolve(a.ref().id().substring(0, 8)).ref());
        assertEquals(a.ref(), repo.resolve("web@" + a.ref().id()).ref());
        assertThrows(BackupNotFoundException.class, () -> repo.resolve("db@latest"));
        assertThrows(BackupNotFoundException.class, () -> repo.resolve("abc"));
        assertThrows(BackupNotFoundException.class, () -> repo.resolve("zzzzzzzz"));
    }

    @Test
    @DisplayName("a lock of a dead process is stale and removed; a live one blocks exclusive locks")
    void staleLocks() throws IOException {
        Repository repo = TestRepos.init(store);
        HostIdentity me = HostIdentity.local();
        LockInfo dead = new LockInfo(
                2,
                false,
                "backup",
                me.hostName(),
                Integer.MAX_VALUE - 7,
                null,
                "2026-01-01T00:00:00Z",
                me.machineId(),
                me.bootId(),
                1L,
                null);
        store.put("locks/deadbeefdeadbeef", Json.write(dead));
        try (Lock gc = repo.locks().acquire(true, "gc", Duration.ZERO)) {
            assertTrue(store.stat("locks/deadbeefdeadbeef").isEmpty(), "stale lock removed");
            assertTrue(gc.info().exclusive());
        }
        LockInfo otherHost = LockInfo.v1(false, "backup", "elsewhere", 1, "", "2026-01-01T00:00:00Z");
        store.put("locks/0000000000000001", Json.write(otherHost));
        assertThrows(
                io.cairn.repository.lock.LockConflictException.class,
                () -> repo.locks().acquire(true, "gc", Duration.ZERO));
        store.setModified("locks/0000000000000001", java.time.Instant.now().minus(Duration.ofMinutes(11)));
        repo.locks().acquire(true, "gc", Duration.ZERO).close();
    }

    @Test
    @DisplayName("a writer whose lock was removed cannot commit")
    void lostLock() throws IOException {
        Repository repo = TestRepos.init(store);
        Lock l = repo.locks().acquire(false, "backup", Duration.ZERO);
        store.delete(l.key());
        assertThrows(RepositoryException.class, l::checkHeld);
        l.close();
    }
}
