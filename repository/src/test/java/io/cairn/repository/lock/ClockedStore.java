package io.cairn.repository.lock;

import io.cairn.repository.store.MemoryStore;
import io.cairn.repository.store.ObjectInfo;
import io.cairn.repository.store.Store;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * A store whose modification times come from its own clock, which the test moves: the server of an
 * object store or of an NFS export, whose time is not the appliance's.
 */
final class ClockedStore implements Store {
    private final MemoryStore inner = new MemoryStore();
    private Instant now;

    ClockedStore(Instant start) {
        this.now = start;
    }

    synchronized void advance(Duration d) {
        now = now.plus(d);
    }

    synchronized Instant now() {
        return now;
    }

    void setModified(String key, Instant t) {
        inner.setModified(key, t);
    }

    @Override
    public String describe() {
        return "clocked memory";
    }

    @Override
    public void put(String key, byte[] data, int offset, int length) throws IOException {
        inner.put(key, data, offset, length);
        inner.setModified(key, now());
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
        if (!inner.touch(key)) {
            return false;
        }
        inner.setModified(key, now());
        return true;
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
    public void sync() {}

    @Override
    public int removeAbandonedWrites(Instant before) {
        return 0;
    }

    @Override
    public int countAbandonedWrites() {
        return 0;
    }
}
