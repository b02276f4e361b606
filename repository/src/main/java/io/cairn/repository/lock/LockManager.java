package io.cairn.repository.lock;

import io.cairn.repository.error.RepositoryException;
import io.cairn.repository.format.FormatConstants;
import io.cairn.repository.format.Json;
import io.cairn.repository.store.ObjectInfo;
import io.cairn.repository.store.Store;
import io.cairn.repository.store.StoreFullException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Shared and exclusive repository locks, as files under {@code locks/} (protocol in
 * docs/repository-format.md, "Locks"). Backups, restores, checks and prunes share; gc is exclusive.
 *
 * <p>Liveness is judged without trusting any wall clock against another: a holder of this very boot
 * of this machine (same machine id and boot id) is alive exactly while {@code /proc} shows its pid
 * with its start ticks and not as a zombie; any other holder (another host, a clone, an earlier
 * boot, a version 1 lock) is alive while the store's own clock — read from a probe object the store
 * timestamps itself — says its lock was renewed within {@link #STALE_AFTER}.
 */
public final class LockManager {
    static final Duration REFRESH = Duration.ofSeconds(60);
    /** A lock not provably of this boot, not renewed for this long by the store's clock, is stale. */
    public static final Duration STALE_AFTER = Duration.ofMinutes(10);

    private static final Duration RETRY = Duration.ofSeconds(2);

    private final Store store;
    private final HostIdentity host;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    /** Store times at which holders that were removed only for their silence had started. */
    private final List<Instant> silentRemoved = new CopyOnWriteArrayList<>();

    public LockManager(Store store) {
        this(store, HostIdentity.local(), Clock.systemUTC());
    }

    /** With the machine and the local clock given (tests step the clock and play other hosts). */
    public LockManager(Store store, HostIdentity host, Clock clock) {
        this.store = store;
        this.host = host;
        this.clock = clock;
    }

    /** How a lock's holder is judged. */
    public enum Liveness {
        /** The holder is (or may be) at work. */
        LIVE,
        /** The holder is certainly gone: a process of this boot that exited, or was replaced. */
        DEAD,
        /** A holder not of this boot whose lock the store saw renewed too long ago. */
        SILENT
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
        } catch (StoreFullException e) {
            Optional<LockInfo> conflict = findConflict("", false);
            if (conflict.isPresent()) {
                throw new LockConflictException("repository " + store.describe() + " is locked by "
                        + conflict.get().describe() + " and has no space for a lock file");
            }
            return Lock.unrecorded(store, info(false, operation));
        }
    }

    private LockInfo info(boolean exclusive, String operation) {
        long pid = host.pid();
        return new LockInfo(
                FormatConstants.LOCK_VERSION,
                exclusive,
                operation,
                host.hostName(),
                pid,
                null,
                clock.instant().toString(),
                host.machineId(),
                host.bootId(),
                host.process(pid).map(HostIdentity.ProcessState::startTicks).orElse(null),
                null);
    }

    /**
     * Takes a lock, waiting up to {@code wait} for conflicting locks to go away.
     *
     * @throws LockConflictException naming the holder when the wait runs out
     */
    public Lock acquire(boolean exclusive, String operation, Duration wait) throws IOException {
        long deadline = System.nanoTime() + wait.toNanos(); // monotonic: a stepped clock moves no deadline
        while (true) {
            LockInfo info = info(exclusive, operation);
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
                // Record the store's own time of taking it, for a gc that may one day judge this
                // holder silent (and must then keep what it may have written).
                Optional<ObjectInfo> mine = store.stat(key);
                if (mine.isPresent()) {
                    info = info.withStoreStart(mine.get().modified().toString());
                    store.put(key, Json.write(info));
                }
                return new Lock(store, key, info);
            }
            store.delete(key);
            if (System.nanoTime() - deadline >= 0) {
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
        StoreTime now = new StoreTime();
        for (Held h : list()) {
            if (h.key.equals(ownKey)) {
                continue;
            }
            if (h.info == null) {
                store.delete(h.key); // unreadable leftovers of a crash
                continue;
            }
            Liveness l = judge(h, now);
            if (l != Liveness.LIVE) {
                remove(h, l);
                continue;
            }
            if (exclusive || h.info.exclusive()) {
                return Optional.of(h.info);
            }
        }
        return Optional.empty();
    }

    private void remove(Held h, Liveness l) throws IOException {
        if (l == Liveness.SILENT && !h.info.exclusive()) {
            silentRemoved.add(startOf(h));
        }
        store.delete(h.key);
    }

    /** The store time a holder started: recorded in its lock, else its lock's time (never renewed). */
    private static Instant startOf(Held h) {
        if (h.info.storeStart() != null) {
            try {
                Instant s = Instant.parse(h.info.storeStart());
                return s.isBefore(h.modified) ? s : h.modified;
            } catch (RuntimeException ignored) {
                // a damaged field: the lock's own time is the best we have
            }
        }
        return h.modified;
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

    /** Judges one lock now (reads the store's clock when the holder is not of this boot). */
    public Liveness judge(Held h) throws IOException {
        return judge(h, new StoreTime());
    }

    private Liveness judge(Held h, StoreTime now) throws IOException {
        LockInfo i = h.info;
        if (i.version() >= 2
                && i.bootId() != null
                && !i.bootId().isEmpty()
                && i.bootId().equals(host.bootId())
                && String.valueOf(i.machineId()).equals(host.machineId())) {
            Optional<HostIdentity.ProcessState> p = host.process(i.pid());
            if (p.isEmpty() || p.get().exited()) {
                return Liveness.DEAD;
            }
            if (i.startTicks() != null && p.get().startTicks() >= 0 && p.get().startTicks() != i.startTicks()) {
                return Liveness.DEAD; // the pid was reused by another process
            }
            return Liveness.LIVE;
        }
        return h.modified.isBefore(now.get().minus(STALE_AFTER)) ? Liveness.SILENT : Liveness.LIVE;
    }

    /** Removes stale locks (dead or silent holders). @return how many */
    public int removeStale() throws IOException {
        StoreTime now = new StoreTime();
        int n = 0;
        for (Held h : list()) {
            if (h.info == null) {
                store.delete(h.key);
                n++;
                continue;
            }
            Liveness l = judge(h, now);
            if (l != Liveness.LIVE) {
                remove(h, l);
                n++;
            }
        }
        return n;
    }

    /** How many locks this manager has removed for silence so far: a mark for {@link #earliestSilentWriterStart}. */
    public int silentRemovals() {
        return silentRemoved.size();
    }

    /**
     * The earliest store time at which a writer started whose lock this manager removed for silence
     * alone since {@code mark} (a {@link #silentRemovals()} taken before). Such a writer may still be
     * alive (a paused VM, a partition) and reference chunks it wrote or renewed since then, so gc
     * keeps every chunk at least that young.
     */
    public Optional<Instant> earliestSilentWriterStart(int mark) {
        List<Instant> all = List.copyOf(silentRemoved);
        return all.subList(Math.min(mark, all.size()), all.size()).stream().min(Instant::compareTo);
    }

    /**
     * The store's current time by its own clock: a probe object is written, its modification time
     * read and the probe deleted. Chunk and lock times are compared with this, never with the local
     * clock, which may be stepped or belong to another machine.
     */
    public Instant storeNow() throws IOException {
        byte[] id = new byte[8];
        random.nextBytes(id);
        String key = FormatConstants.DIR_CLOCK + "/" + HexFormat.of().formatHex(id);
        store.put(key, new byte[0]);
        try {
            return store.stat(key)
                    .orElseThrow(() -> new RepositoryException(
                            "the clock probe " + key + " vanished from " + store.describe() + " as it was written"))
                    .modified();
        } finally {
            store.delete(key);
        }
    }

    /** The store's time, read once and only when needed. */
    private final class StoreTime {
        private Instant now;

        Instant get() throws IOException {
            if (now == null) {
                try {
                    now = storeNow();
                } catch (StoreFullException full) {
                    // No room for even an empty probe: on a full local disk the store's clock is
                    // this machine's, the only case where writing a probe fails for lack of space.
                    now = clock.instant();
                }
            }
            return now;
        }
    }

    /** This machine's name as locks and key files record it (for people, not for liveness). */
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
