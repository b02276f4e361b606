package io.cairn.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.repository.error.RepositoryException;
import io.cairn.repository.store.Store;
import io.cairn.repository.store.StoreContractTest;
import io.cairn.s3.testing.Rgw;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The store contract on a real Ceph RADOS Gateway, and what only an object store has. */
@DisplayName("S3Store keeps the store contract on a real RADOS Gateway")
class S3StoreContractIT extends StoreContractTest {
    private static Rgw rgw;
    private static String bucket;
    private final List<S3Store> opened = new ArrayList<>();
    private int stores;

    @BeforeAll
    static void cluster() throws Exception {
        rgw = Rgw.shared();
        bucket = rgw.newBucket("contract", false);
    }

    @AfterEach
    void close() {
        opened.forEach(S3Store::close);
    }

    @Override
    protected Store newStore() throws IOException {
        // A prefix of its own per store: also shows that neighbouring prefixes do not leak into listings.
        S3Store s = S3Store.connect(new S3Location(bucket, "t" + System.nanoTime() + "/r" + stores++), rgw.settings());
        opened.add(s);
        return s;
    }

    @Override
    protected Duration timeGranularity() {
        return Duration.ofMillis(1100); // Last-Modified has whole seconds
    }

    @Test
    @DisplayName("a write-once key keeps its first object: a second writer with other bytes changes nothing")
    void firstWriterWins() throws IOException {
        S3Store s = (S3Store) newStore();
        s.put("chunks/abcd/abcd02", bytes("first"));
        s.put("chunks/abcd/abcd02", bytes("second")); // a chunk: the same id means the same chunk
        assertArrayEquals(bytes("first"), s.get("chunks/abcd/abcd02"));
        s.put("backups/vm/0011223344556677/manifest", bytes("mine"));
        RepositoryException e = assertThrows(
                RepositoryException.class, () -> s.put("backups/vm/0011223344556677/manifest", bytes("theirs")));
        assertTrue(e.getMessage().contains("already exists with other content"), e.getMessage());
        assertArrayEquals(bytes("mine"), s.get("backups/vm/0011223344556677/manifest"));
    }

    @Test
    @DisplayName("16 writers racing for one manifest key through both gateways: exactly one wins, the rest are refused")
    void racingWriters() throws Exception {
        String prefix = "race" + System.nanoTime();
        S3Store one = S3Store.connect(new S3Location(bucket, prefix), rgw.settings(rgw.endpoint()));
        S3Store two = S3Store.connect(new S3Location(bucket, prefix), rgw.settings(rgw.endpoint2()));
        opened.add(one);
        opened.add(two);
        ExecutorService pool = Executors.newFixedThreadPool(16);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                S3Store s = i % 2 == 0 ? one : two;
                byte[] mine = bytes("writer " + i);
                results.add(pool.submit(() -> {
                    go.await();
                    try {
                        s.put("backups/vm/aaaaaaaaaaaaaaaa/manifest", mine);
                        return true;
                    } catch (RepositoryException e) {
                        return false;
                    }
                }));
            }
            go.countDown();
            int won = 0;
            for (Future<Boolean> f : results) {
                won += f.get() ? 1 : 0;
            }
            assertEquals(1, won);
            assertTrue(new String(two.get("backups/vm/aaaaaaaaaaaaaaaa/manifest")).startsWith("writer "));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    @DisplayName(
            "a touch of an object older than the renewal threshold copies it onto itself: its time moves, its bytes stay")
    void touchCopies() throws Exception {
        S3Store s = S3Store.connect(
                new S3Location(bucket, "touch" + System.nanoTime()),
                rgw.settings().withRenewAfter(Duration.ZERO));
        opened.add(s);
        s.put("chunks/abcd/abcd03", bytes("chunk"));
        Instant before = s.stat("chunks/abcd/abcd03").orElseThrow().modified();
        Thread.sleep(1100);
        assertTrue(s.touch("chunks/abcd/abcd03"));
        assertTrue(s.stat("chunks/abcd/abcd03").orElseThrow().modified().isAfter(before));
        assertArrayEquals(bytes("chunk"), s.get("chunks/abcd/abcd03"));
    }
}
