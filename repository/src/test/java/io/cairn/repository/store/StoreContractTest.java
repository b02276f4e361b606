package io.cairn.repository.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.repository.error.ObjectNotFoundException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The {@link Store} contract (after Kopia's {@code blobtesting.VerifyStorage}): what every store must
 * do, whatever keeps the bytes. An implementation's test extends this class and returns a new, empty
 * store from {@link #newStore()}; JUnit runs every test below against it. Published in the
 * repository's test-jar, so a store in another module (an object store) runs the same contract.
 *
 * <p>Implementations here: {@code LocalStoreContractTest}, {@code MemoryStoreContractTest},
 * {@code FaultyStoreContractTest}.
 */
public abstract class StoreContractTest {

    /** A new, empty store; called once per test. */
    protected abstract Store newStore() throws IOException;

    /**
     * The granularity of the store's modification times: a write this much later is guaranteed a
     * later time. A filesystem has nanoseconds; S3's {@code Last-Modified} has whole seconds.
     */
    protected Duration timeGranularity() {
        return Duration.ofMillis(20);
    }

    protected static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    @DisplayName("an object reads back as written, and a replaced object reads back as the replacement")
    public void putGet() throws IOException {
        Store s = newStore();
        s.put("locks/abcd", bytes("hello"));
        assertArrayEquals(bytes("hello"), s.get("locks/abcd"));
        s.put("locks/abcd", bytes("world!"));
        assertArrayEquals(bytes("world!"), s.get("locks/abcd"));
        assertEquals(6, s.stat("locks/abcd").orElseThrow().size());
        assertArrayEquals(bytes("wor"), s.getPrefix("locks/abcd", 3));
    }

    @Test
    @DisplayName("a write-once key written again with the same bytes (a retried write, a dedup race) succeeds")
    public void writeOnceAgain() throws IOException {
        Store s = newStore();
        for (String key : List.of("chunks/abcd/abcd01", "backups/vm/0123456789abcdef/disk0.fidx", "keys/0011")) {
            s.put(key, bytes("same"));
            s.put(key, bytes("same"));
            assertArrayEquals(bytes("same"), s.get(key), key);
            assertEquals(List.of(key), keys(s, key.substring(0, key.indexOf('/') + 1)));
        }
    }

    @Test
    @DisplayName("a batch's writes, many and in several directories, are all there once it finishes")
    public void batchedWrites() throws IOException {
        Store s = newStore();
        Store.Batch b = s.batch();
        byte[] big = new byte[300_000];
        new java.util.Random(7).nextBytes(big);
        for (int i = 0; i < 600; i++) {
            b.put(String.format("chunks/%04x/obj%d", i % 7, i), big, i, 1000 + i);
        }
        b.finish();
        s.sync();
        for (int i = 0; i < 600; i++) {
            assertArrayEquals(
                    java.util.Arrays.copyOfRange(big, i, i + 1000 + i),
                    s.get(String.format("chunks/%04x/obj%d", i % 7, i)),
                    "object " + i);
        }
        b.finish(); // finishing twice is harmless
        Store.Batch empty = s.batch();
        empty.finish();
    }

    @Test
    @DisplayName("put stores exactly the slice it is given, and an empty object is an object")
    public void slicesAndEmpty() throws IOException {
        Store s = newStore();
        s.put("chunks/abcd/slice", bytes("0123456789"), 2, 5);
        assertArrayEquals(bytes("23456"), s.get("chunks/abcd/slice"));
        s.put("keys/empty", new byte[0]);
        assertArrayEquals(new byte[0], s.get("keys/empty"));
        assertEquals(0, s.stat("keys/empty").orElseThrow().size());
        assertArrayEquals(new byte[0], s.getPrefix("keys/empty", 16));
    }

    @Test
    @DisplayName("the store keeps its own copy: changing the written or the returned array changes nothing stored")
    public void copies() throws IOException {
        Store s = newStore();
        byte[] data = bytes("original");
        s.put("config", data);
        data[0] = 'X';
        byte[] read = s.get("config");
        assertArrayEquals(bytes("original"), read);
        read[1] = 'Y';
        assertArrayEquals(bytes("original"), s.get("config"));
    }

    @Test
    @DisplayName("getPrefix returns the first bytes, or the whole object when it is shorter")
    public void prefixes() throws IOException {
        Store s = newStore();
        s.put("backups/vm/id/manifest", bytes("0123456789"));
        assertArrayEquals(bytes(""), s.getPrefix("backups/vm/id/manifest", 0));
        assertArrayEquals(bytes("0"), s.getPrefix("backups/vm/id/manifest", 1));
        assertArrayEquals(bytes("0123456789"), s.getPrefix("backups/vm/id/manifest", 10));
        assertArrayEquals(bytes("0123456789"), s.getPrefix("backups/vm/id/manifest", 4096));
    }

    @Test
    @DisplayName("a missing object is reported by name, and deleting it is not an error")
    public void missing() throws IOException {
        Store s = newStore();
        ObjectNotFoundException e = assertThrows(ObjectNotFoundException.class, () -> s.get("backups/a/b/manifest"));
        assertTrue(e.getMessage().contains("backups/a/b/manifest"), e.getMessage());
        ObjectNotFoundException p =
                assertThrows(ObjectNotFoundException.class, () -> s.getPrefix("backups/a/b/manifest", 16));
        assertTrue(p.getMessage().contains("backups/a/b/manifest"), p.getMessage());
        assertTrue(s.stat("backups/a/b/manifest").isEmpty());
        assertFalse(s.touch("backups/a/b/manifest"));
        s.delete("backups/a/b/manifest");
    }

    @Test
    @DisplayName("a deleted object is gone for get, stat and list")
    public void delete() throws IOException {
        Store s = newStore();
        s.put("chunks/abcd/gone", bytes("x"));
        s.put("chunks/abcd/kept", bytes("y"));
        s.delete("chunks/abcd/gone");
        assertThrows(ObjectNotFoundException.class, () -> s.get("chunks/abcd/gone"));
        assertTrue(s.stat("chunks/abcd/gone").isEmpty());
        assertEquals(List.of("chunks/abcd/kept"), keys(s, "chunks/"));
    }

    @Test
    @DisplayName("listing a prefix returns exactly the objects below it, with their sizes")
    public void list() throws IOException {
        Store s = newStore();
        s.put("backups/vm1/a/manifest", bytes("1"));
        s.put("backups/vm1/a/disk0.fidx", bytes("22"));
        s.put("backups/vm2/b/manifest", bytes("333"));
        s.put("chunks/0000/c", bytes("4444"));
        assertEquals(
                List.of("backups/vm1/a/disk0.fidx", "backups/vm1/a/manifest", "backups/vm2/b/manifest"),
                keys(s, "backups/"));
        Map<String, Long> sizes = new TreeMap<>();
        s.list("", i -> sizes.put(i.key(), i.size()));
        assertEquals(
                Map.of(
                        "backups/vm1/a/manifest", 1L,
                        "backups/vm1/a/disk0.fidx", 2L,
                        "backups/vm2/b/manifest", 3L,
                        "chunks/0000/c", 4L),
                sizes);
        assertEquals(List.of(), keys(s, "locks/"));
    }

    @Test
    @DisplayName("stat and list give a modification time near the write, and touch renews it")
    public void touch() throws IOException, InterruptedException {
        Store s = newStore();
        Instant start = Instant.now().minusSeconds(2); // filesystems may round times down
        s.put("locks/l", bytes("x"));
        Instant before = s.stat("locks/l").orElseThrow().modified();
        assertFalse(before.isBefore(start), before + " is before the write at " + start);
        assertFalse(before.isAfter(Instant.now().plusSeconds(2)), before + " is in the future");
        List<Instant> listed = new ArrayList<>();
        s.list("locks/", i -> listed.add(i.modified()));
        assertEquals(List.of(before), listed);
        Thread.sleep(timeGranularity().toMillis());
        assertTrue(s.touch("locks/l"));
        Instant after = s.stat("locks/l").orElseThrow().modified();
        if (s.touchResolution().isZero()) {
            assertTrue(after.isAfter(before), after + " is not after " + before);
        } else {
            // Renewed only when older than the resolution: never older than that after a touch.
            Instant floor = Instant.now().minus(s.touchResolution()).minusSeconds(2);
            assertFalse(after.isBefore(floor), after + " is older than the touch resolution allows");
        }
    }

    @Test
    @DisplayName("writers on several threads each find their own object afterwards")
    public void concurrentWriters() throws Exception {
        Store s = newStore();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 25; i++) {
                        s.put(String.format("chunks/%04d/%d-%d", i, thread, i), bytes(thread + ":" + i));
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
        }
        s.sync();
        assertEquals(100, keys(s, "chunks/").size());
        assertArrayEquals(bytes("3:24"), s.get("chunks/0024/3-24"));
    }

    @Test
    @DisplayName("sync succeeds on a store with and without writes, and removing abandoned writes is safe")
    public void syncAndAbandoned() throws IOException {
        Store s = newStore();
        s.sync();
        s.put("config", bytes("c"));
        s.sync();
        assertEquals(0, s.countAbandonedWrites());
        assertEquals(0, s.removeAbandonedWrites(Instant.now().plus(Duration.ofHours(1))));
        assertArrayEquals(bytes("c"), s.get("config"));
    }

    /** The keys below {@code prefix}, sorted. */
    protected static List<String> keys(Store s, String prefix) throws IOException {
        List<String> keys = new ArrayList<>();
        s.list(prefix, i -> keys.add(i.key()));
        keys.sort(null);
        return keys;
    }
}
