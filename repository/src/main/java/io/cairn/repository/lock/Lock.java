package io.cairn.repository.lock;

import io.cairn.repository.error.RepositoryException;
import io.cairn.repository.format.Json;
import io.cairn.repository.store.Store;
import java.io.IOException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A held lock. Its file is rewritten every {@link LockManager#REFRESH}, so that the store stamps it
 * with its own clock and other hosts can tell it is alive. If the file disappears (another process
 * judged it stale), the lock is lost for good and {@link #checkHeld()} fails: a writer must not
 * commit without its lock.
 */
public final class Lock implements AutoCloseable {
    private final Store store;
    private final String key;
    private final LockInfo info;
    private final ScheduledExecutorService refresher;
    private volatile boolean lost;
    private volatile boolean released;

    Lock(Store store, String key, LockInfo info) {
        this.store = store;
        this.key = key;
        this.info = info;
        if (key == null) {
            this.refresher = null;
            return;
        }
        this.refresher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "cairn-lock-refresh");
            t.setDaemon(true);
            return t;
        });
        long period = LockManager.REFRESH.toMillis();
        refresher.scheduleAtFixedRate(this::refresh, period, period, TimeUnit.MILLISECONDS);
    }

    private void refresh() {
        if (lost || released) {
            return;
        }
        try {
            // touch first: it fails on a removed file, where a rewrite would bring it back
            if (!store.touch(key)) {
                lost = true;
                return;
            }
            // a whole rewrite is timestamped by the store's clock (a touch may carry ours)
            store.put(key, Json.write(info));
        } catch (IOException e) {
            // A transient failure: the next refresh tries again; staleness takes 10 minutes.
        }
    }

    /** A lock that could not be written (see {@link LockManager#acquireForReading}). */
    static Lock unrecorded(Store store, LockInfo info) {
        return new Lock(store, null, info);
    }

    /** False when no lock file could be written: the operation runs unprotected from gc. */
    public boolean recorded() {
        return key != null;
    }

    public LockInfo info() {
        return info;
    }

    public String key() {
        return key;
    }

    /** @throws RepositoryException if the lock file was removed under us */
    public void checkHeld() throws IOException {
        if (key == null) {
            throw new RepositoryException("no repository lock could be written; nothing was committed");
        }
        if (lost || released || store.stat(key).isEmpty()) {
            lost = true;
            throw new RepositoryException("lost the repository lock " + key
                    + " (another process removed it as stale); nothing was committed");
        }
    }

    @Override
    public void close() throws IOException {
        if (released) {
            return;
        }
        released = true;
        if (key != null) {
            refresher.shutdownNow();
            store.delete(key);
        }
    }
}
