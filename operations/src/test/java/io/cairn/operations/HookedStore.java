package io.cairn.operations;

import io.cairn.repository.store.ObjectInfo;
import io.cairn.repository.store.Store;
import java.io.IOException;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * A real store with one hook: an action that runs once, the first time a key matching a predicate
 * is read or a prefix matching it is listed, just before or just after that read or listing. How a
 * test puts a concurrent prune or gc exactly between two steps of a use case.
 */
public final class HookedStore implements Store {
    /** What runs at the hook. */
    @FunctionalInterface
    public interface Action {
        void run() throws IOException;
    }

    private final Store inner;
    private Predicate<String> when;
    private Action action;
    private boolean afterwards;

    public HookedStore(Store inner) {
        this.inner = inner;
    }

    /** Runs {@code action} once, before the first read of a key (or listing of a prefix) {@code when} accepts. */
    public synchronized void before(Predicate<String> when, Action action) {
        this.when = when;
        this.action = action;
        this.afterwards = false;
    }

    /** Runs {@code action} once, after the first read of a key (or listing of a prefix) {@code when} accepts. */
    public synchronized void after(Predicate<String> when, Action action) {
        before(when, action);
        this.afterwards = true;
    }

    private void hook(String key, boolean done) throws IOException {
        Action a;
        synchronized (this) {
            if (action == null || afterwards != done || !when.test(key)) {
                return;
            }
            a = action;
            action = null;
        }
        a.run();
    }

    @Override
    public String describe() {
        return inner.describe();
    }

    @Override
    public void put(String key, byte[] data, int offset, int length) throws IOException {
        inner.put(key, data, offset, length);
    }

    @Override
    public byte[] get(String key) throws IOException {
        hook(key, false);
        byte[] b = inner.get(key);
        hook(key, true);
        return b;
    }

    @Override
    public byte[] getPrefix(String key, int length) throws IOException {
        hook(key, false);
        byte[] b = inner.getPrefix(key, length);
        hook(key, true);
        return b;
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
        hook(prefix, false);
        inner.list(prefix, visitor);
        hook(prefix, true);
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
