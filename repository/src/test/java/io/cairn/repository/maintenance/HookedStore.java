package io.cairn.repository.maintenance;

import io.cairn.repository.store.MemoryStore;
import io.cairn.repository.store.ObjectInfo;
import io.cairn.repository.store.Store;
import java.io.IOException;
import java.time.Instant;
import java.util.Optional;

/**
 * A memory store that runs an action once, right after a listing of a prefix: how a test puts a
 * concurrent writer between gc's mark-and-list and its deletions.
 */
final class HookedStore implements Store {
    interface Action {
        void run() throws IOException;
    }

    final MemoryStore inner = new MemoryStore();
    private String prefix;
    private Action action;

    void afterListing(String prefix, Action action) {
        this.prefix = prefix;
        this.action = action;
    }

    @Override
    public void list(String p, Visitor visitor) throws IOException {
        inner.list(p, visitor);
        if (action != null && p.equals(prefix)) {
            Action a = action;
            action = null;
            a.run();
        }
    }

    @Override
    public String describe() {
        return "hooked memory";
    }

    @Override
    public void put(String key, byte[] data, int offset, int length) throws IOException {
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
