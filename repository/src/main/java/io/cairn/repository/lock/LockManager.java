package io.cairn.repository.lock;

import io.cairn.repository.error.RepositoryException;
import io.cairn.repository.format.FormatConstants;
import io.cairn.repository.format.Json;
import io.cairn.repository.store.ObjectInfo;
import io.cairn.repository.store.Store;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Shared and exclusive repository locks, as files under {@code locks/} (protocol in
 * docs/repository-format.md, "Locks"). Backups, restores, checks and prunes share; gc is exclusive.
 */
public final class LockManager {
    static final Duration REFRESH = Duration.ofSeconds(60);
    /** A lock from another host not refreshed for this long is stale. */
    static final Duration STALE_AFTER = Duration.ofMinutes(10);

    private static final Duration RETRY = Duration.ofSeconds(2);

    private final Store store;
    private final String host;
    private final SecureRandom random = new SecureRandom();

    public LockManager(Store store) {
        this.store = store;
        this.host = hostName();
    }

    /**
     * A shared lock for an operation that only reads (restore, check). When the store is full and no
     * lock file can be written, the read goes ahead unrecorded ({@link Lock#recorded()} is false):
     * every chunk it reads is verified, so a concurrent gc could only make it fail, never return
     * wrong bytes, and restoring from a full repository is exactly when a restore is needed.
     */
    public Lock acquireForReading(String operation, Duration wait) throws IOException {
        try {
            return acquire(false, operation, wait);
        } catch (io.cairn.repository.store.StoreFullException e) {
            Optional<LockInfo> conflict = findConflict("", false);
            if (conflict.isPresent()) {
                throw new LockConflictException("repository " + store.describe() + " is locked by "
                        + conflict.get().describe() + " and has no space for a lock file");
            }
            return Lock.unrecorded(store, operation);
        }
    }

    /**
     * Takes a lock, waiting up to {@code wait} for conflicting locks to go away.
     * @throws LockConflictException naming the holder when the wait runs out
     */
    public Lock acquire(boolean exclusive, String operation, Duration wait) throws IOException {
        Instant deadline = Instant.now().plus(wait);
        while (true) {
            ProcessHandle self = ProcessHandle.current();
            LockInfo info = new LockInfo(
                    FormatConstants.LOCK_VERSION,
                    exclusive,
                    operation,
                    host,
                    self.pid(),
                    self.info().startInstant().map(Instant::toString).orElse(""),
                    Instant.now().toString());
            byte[] id = new byte[8];
            random.nextBytes(id);
            String key = FormatConstants.DIR_LOCKS + "/" + HexFormat.of().formatHex(id);
            // Write first, then look: two racing processes each see the other's lock.
            try {
                store.put(key, Json.write(info));
                store.sync();
            } catch (IOException e) {
                store.delete(key);
                throw e;
            }
            Optional<LockInfo> conflict = findConflict(key, exclusive);
            if (conflict.isEmpty()) {
                return new Lock(store, key, info);
            }
            store.delete(key);
            if (!Instant.now().isBefore(deadline)) {
                throw new LockConflictException("repository " + store.describe() + " is locked by "
                        + conflict.get().describe() + "; " + operation + " needs "
                        + (exclusive ? "it to itself" : "no exclusive lock") + " - try again when it has finished");
            }
            try {
                Thread.sleep(RETRY.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RepositoryException("interrupted while waiting for the repository lock");
            }
        }
    }

    private Optional<LockInfo> findConflict(String ownKey, boolean exclusive) throws IOException {
        for (Held h : list()) {
            if (h.key.equals(ownKey)) {
                continue;
            }
            if (h.info == null || isStale(h)) {
                store.delete(h.key); // unreadable leftovers of a crash, or a dead holder
                continue;
            }
            if (exclusive || h.info.exclusive()) {
                return Optional.of(h.info);
            }
        }
        return Optional.empty();
    }

    /** A lock file as found: {@code info} is null when the file could not be parsed. */
    public record Held(String key, LockInfo info, Instant modified) {}

    public List<Held> list() throws IOException {
        List<ObjectInfo> files = new ArrayList<>();
        store.list(FormatConstants.DIR_LOCKS + "/", files::add);
        List<Held> out = new ArrayList<>();
        for (ObjectInfo f : files) {
            LockInfo info;
            try {
                info = Json.read(store.get(f.key()), LockInfo.class);
            } catch (IOException e) {
                if (store.stat(f.key()).isEmpty()) {
                    continue; // released while we looked
                }
                info = null;
            }
            out.add(new Held(f.key(), info, f.modified()));
        }
        return out;
    }

    /** True when the holder is certainly gone (same host) or silent too long (another host). */
    public boolean isStale(Held h) {
        if (host.equals(h.info.host())) {
            Optional<ProcessHandle> p = ProcessHandle.of(h.info.pid());
            if (p.isEmpty() || !p.get().isAlive()) {
                return true;
            }
            String start = p.get().info().startInstant().map(Instant::toString).orElse("");
            return !h.info.pidStart().isEmpty() && !start.isEmpty() && !start.equals(h.info.pidStart());
        }
        return h.modified.isBefore(Instant.now().minus(STALE_AFTER));
    }

    /** Removes stale locks. @return how many */
    public int removeStale() throws IOException {
        int n = 0;
        for (Held h : list()) {
            if (h.info == null || isStale(h)) {
                store.delete(h.key);
                n++;
            }
        }
        return n;
    }

    /** This machine's name as locks and key files record it. */
    public static String hostName() {
        // /etc/hostname first: HOSTNAME is a shell variable that is not always exported.
        String h;
        try {
            h = Files.readString(Path.of("/etc/hostname")).trim();
        } catch (IOException | RuntimeException e) {
            h = "";
        }
        if (h.isBlank()) {
            h = System.getenv("HOSTNAME");
        }
        return h == null || h.isBlank() ? "localhost" : h;
    }
}
