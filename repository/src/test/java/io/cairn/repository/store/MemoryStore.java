package io.cairn.repository.store;

import io.cairn.repository.error.ObjectNotFoundException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;

/** An in-memory store for tests: the reference behaviour of the {@link Store} contract. */
public final class MemoryStore implements Store {
    private record Entry(byte[] data, Instant modified) {}

    private final Map<String, Entry> objects = new ConcurrentSkipListMap<>();

    @Override
    public String describe() {
        return "memory";
    }

    @Override
    public void put(String key, byte[] data, int offset, int length) {
        objects.put(key, new Entry(Arrays.copyOfRange(data, offset, offset + length), Instant.now()));
    }

    @Override
    public byte[] get(String key) throws ObjectNotFoundException {
        Entry e = objects.get(key);
        if (e == null) {
            throw new ObjectNotFoundException(key, describe());
        }
        return e.data.clone();
    }

    @Override
    public byte[] getPrefix(String key, int length) throws ObjectNotFoundException {
        byte[] d = get(key);
        return Arrays.copyOf(d, Math.min(length, d.length));
    }

    @Override
    public Optional<ObjectInfo> stat(String key) {
        Entry e = objects.get(key);
        return e == null ? Optional.empty() : Optional.of(new ObjectInfo(key, e.data.length, e.modified));
    }

    @Override
    public boolean touch(String key) {
        return objects.computeIfPresent(key, (k, e) -> new Entry(e.data, Instant.now())) != null;
    }

    @Override
    public void delete(String key) {
        objects.remove(key);
    }

    @Override
    public void list(String prefix, Visitor visitor) throws java.io.IOException {
        for (Map.Entry<String, Entry> e : objects.entrySet()) {
            if (e.getKey().startsWith(prefix)) {
                visitor.visit(new ObjectInfo(e.getKey(), e.getValue().data.length, e.getValue().modified));
            }
        }
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

    /** Test hook: sets an object's modification time (to age chunks past gc's safety margin). */
    public void setModified(String key, Instant t) {
        objects.computeIfPresent(key, (k, e) -> new Entry(e.data, t));
    }
}
