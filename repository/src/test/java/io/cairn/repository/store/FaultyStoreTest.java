package io.cairn.repository.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.repository.error.ObjectNotFoundException;
import io.cairn.repository.error.RepositoryException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Each fault does what it says, for the keys and calls it is configured for, and nothing else. */
class FaultyStoreTest {
    final MemoryStore inner = new MemoryStore();
    final FaultyStore store = new FaultyStore(inner);

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    @DisplayName("a byte budget makes the put that exceeds it fail with StoreFullException, writing nothing")
    void budget() throws IOException {
        store.diskFullAfter(10);
        store.put("chunks/a", bytes("123456"));
        StoreFullException e = assertThrows(StoreFullException.class, () -> store.put("chunks/b", bytes("123456")));
        assertEquals("writing chunks/b in faulty:memory failed: No space left on device", e.getMessage());
        assertTrue(inner.stat("chunks/b").isEmpty());
        store.put("chunks/c", bytes("1234")); // the failed put used none of the budget
        assertThrows(StoreFullException.class, () -> store.put("chunks/d", bytes("1")));
    }

    @Test
    @DisplayName("a full-disk fault fires for matching keys after the calls it lets through, as often as told")
    void fullAfterCalls() throws IOException {
        FaultyStore.Fault f = store.writes("chunks/.*").after(2).times(2).full();
        store.put("chunks/1", bytes("x"));
        store.put("chunks/2", bytes("x"));
        store.put("keys/k", bytes("x")); // another key: neither counted nor harmed
        assertThrows(StoreFullException.class, () -> store.put("chunks/3", bytes("x")));
        assertThrows(StoreFullException.class, () -> store.put("chunks/4", bytes("x")));
        store.put("chunks/5", bytes("x"));
        assertEquals(2, f.fired());
        assertEquals(List.of("chunks/1", "chunks/2", "chunks/5", "keys/k"), StoreContractTest.keys(inner, ""));
    }

    @Test
    @DisplayName("an injected write failure names the key and is not a full disk")
    void fail() {
        store.writes("backups/.*/manifest").fail();
        RepositoryException e =
                assertThrows(RepositoryException.class, () -> store.put("backups/v/i/manifest", bytes("m")));
        assertFalse(e instanceof StoreFullException);
        assertTrue(e.getMessage().contains("backups/v/i/manifest"), e.getMessage());
    }

    @Test
    @DisplayName("a corrupt read inverts one byte of what is returned and leaves the stored object intact")
    void corrupt() throws IOException {
        inner.put("chunks/x", bytes("abcdef"));
        FaultyStore.Fault last = store.reads("chunks/x").times(1).corrupt();
        byte[] got = store.get("chunks/x");
        assertArrayEquals(new byte[] {'a', 'b', 'c', 'd', 'e', (byte) ~'f'}, got);
        assertArrayEquals(bytes("abcdef"), store.get("chunks/x")); // times(1): the next read is clean
        store.reads("chunks/x").corrupt(1);
        assertArrayEquals(new byte[] {'a', (byte) ~'b', 'c'}, store.getPrefix("chunks/x", 3));
        assertArrayEquals(bytes("abcdef"), inner.get("chunks/x"));
        assertEquals(1, last.fired());
    }

    @Test
    @DisplayName("corrupting a byte past the end of an object is refused loudly, not skipped silently")
    void corruptPastTheEnd() throws IOException {
        inner.put("chunks/short", bytes("abc"));
        store.reads("chunks/short").corrupt(3);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> store.get("chunks/short"));
        assertTrue(e.getMessage().contains("chunks/short"), e.getMessage());
        assertArrayEquals(bytes("ab"), store.getPrefix("chunks/short", 2)); // the damage lies beyond the prefix
    }

    @Test
    @DisplayName("a missing object is missing for get, getPrefix, stat, touch and list alike")
    void missing() throws IOException {
        inner.put("chunks/aa/gone", bytes("x"));
        inner.put("chunks/aa/kept", bytes("y"));
        store.reads("chunks/aa/gone").missing();
        ObjectNotFoundException e = assertThrows(ObjectNotFoundException.class, () -> store.get("chunks/aa/gone"));
        assertTrue(e.getMessage().contains("chunks/aa/gone"), e.getMessage());
        assertThrows(ObjectNotFoundException.class, () -> store.getPrefix("chunks/aa/gone", 1));
        assertTrue(store.stat("chunks/aa/gone").isEmpty());
        assertFalse(store.touch("chunks/aa/gone"));
        assertEquals(List.of("chunks/aa/kept"), StoreContractTest.keys(store, "chunks/"));
        assertArrayEquals(bytes("y"), store.get("chunks/aa/kept"));
    }

    @Test
    @DisplayName("a slow read waits and then returns the right bytes")
    void slow() throws IOException {
        inner.put("chunks/s", bytes("slow"));
        FaultyStore.Fault f = store.reads("chunks/.*").slow(Duration.ofMillis(60));
        long t0 = System.nanoTime();
        assertArrayEquals(bytes("slow"), store.get("chunks/s"));
        assertTrue(System.nanoTime() - t0 >= 60_000_000L, "the read did not wait");
        assertEquals(1, f.fired());
    }

    @Test
    @DisplayName("a slow fault combines with a later one: the read waits, then fails")
    void slowThenMissing() {
        store.reads(".*").slow(Duration.ofMillis(1));
        FaultyStore.Fault gone = store.reads("chunks/.*").missing();
        assertThrows(ObjectNotFoundException.class, () -> store.get("chunks/nowhere"));
        assertEquals(1, gone.fired());
    }

    @Test
    @DisplayName("faults on other operations: a failing delete, list and sync each name what failed")
    void otherOperations() throws IOException {
        inner.put("locks/l", bytes("x"));
        store.on("locks/.*", EnumSet.of(FaultyStore.Op.DELETE, FaultyStore.Op.LIST))
                .fail();
        assertThrows(RepositoryException.class, () -> store.delete("locks/l"));
        List<String> seen = new ArrayList<>();
        assertThrows(RepositoryException.class, () -> store.list("locks/", i -> seen.add(i.key())));
        assertEquals(List.of(), seen);
        store.on(".*", EnumSet.of(FaultyStore.Op.SYNC)).times(1).fail();
        assertThrows(RepositoryException.class, store::sync);
        store.sync();
        assertTrue(inner.stat("locks/l").isPresent());
    }

    @Test
    @DisplayName("a fault is armed once: giving it a second behaviour is a mistake in the test")
    void armedOnce() {
        FaultyStore.Fault f = store.reads(".*").corrupt();
        assertThrows(IllegalStateException.class, f::missing);
    }
}
