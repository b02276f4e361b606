package io.cairn.repository.store;

import io.cairn.repository.error.RepositoryException;
import java.io.IOException;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * Wraps a store and fails writes on purpose: after a byte budget ("disk full") or for keys a
 * predicate picks. A failed write writes nothing, as a real atomic put would.
 */
public final class FaultyStore implements Store {
    private final Store inner;
    private final AtomicLong budget = new AtomicLong(Long.MAX_VALUE);
    private volatile Predicate<String> failPut = k -> false;

    public FaultyStore(Store inner) {
        this.inner = inner;
    }

    /** After {@code bytes} more bytes, every put fails with "No space left on device". */
    public void diskFullAfter(long bytes) {
        budget.set(bytes);
    }

    public void failPutsWhere(Predicate<String> p) {
        failPut = p;
    }

    @Override
    public String describe() {
        return "faulty:" + inner.describe();
    }

    @Override
    public void put(String key, byte[] data, int offset, int length) throws IOException {
        if (failPut.test(key)) {
            throw new RepositoryException("writing " + key + " in " + describe() + " failed: injected fault");
        }
        if (budget.addAndGet(-length) < 0) {
            throw new RepositoryException("writing " + key + " in " + describe() + " failed: No space left on device");
        }
        inner.put(key, data, offset, length);
    }

    @Override
    public byte[] get(String key) throws IOException {
        return inner.get(key);
    }

    @Override
    public byte[] getPrefix(String key, int length) throws IOException {
        return inner.getPrefix(key, length);
    }

    @Override
    public Optional<ObjectInfo> stat(String key) throws IOException {
        return inner.stat(key);
    }

    @Override
    public boolean touch(String key) throws IOException {
        return inner.touch(key);
    }

    @Override
    public void delete(String key) throws IOException {
        inner.delete(key);
    }

    @Override
    public void list(String prefix, Visitor visitor) throws IOException {
        inner.list(prefix, visitor);
    }

    @Override
    public void sync() throws IOException {
        inner.sync();
    }

    @Override
    public int removeAbandonedWrites(Instant before) throws IOException {
        return inner.removeAbandonedWrites(before);
    }

    @Override
    public int countAbandonedWrites() throws IOException {
        return inner.countAbandonedWrites();
    }
}
