package io.cairn.repository.maintenance;

import io.cairn.repository.Repository;
import io.cairn.repository.chunk.ChunkId;
import io.cairn.repository.error.RepositoryException;
import io.cairn.repository.format.FormatConstants;
import io.cairn.repository.lock.Lock;
import io.cairn.repository.store.ObjectInfo;
import io.cairn.repository.store.ObjectLockedException;
import io.cairn.repository.store.StoreFullException;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Mark and sweep, under the exclusive lock: mark the chunks every committed backup references, then
 * delete unmarked chunks older than the cutoff, backup directories without a manifest, and abandoned
 * temporaries. Refuses to delete anything when any manifest or index cannot be read.
 *
 * <p>The cutoff is the earlier of the store's time minus the safety margin and the start (in store
 * time) of any writer whose lock was removed for silence alone — such a writer may be alive and
 * about to reference what it wrote or renewed (Proxmox Backup Server keeps chunks newer than its
 * oldest writer the same way). Times are the store's own, never the local clock. During the sweep
 * the lock is checked before every batch, and every chunk is looked at again just before it is
 * deleted: a backup that found it (a dedup hit renews a chunk's time) keeps it.
 *
 * <p>On a store whose {@link io.cairn.repository.store.Store#touchResolution() touch} renews only
 * times older than some resolution (an object store), the cutoff moves back by that much, so the
 * margin still counts from a chunk's last use. Chunks the store refuses to delete because they are
 * under retention (S3 Object Lock) are skipped and counted: a later gc takes them.
 */
public final class GarbageCollector {
    public static final Duration DEFAULT_MARGIN = Duration.ofHours(1);
    /** Deletions between two checks that the exclusive lock is still held. */
    static final int BATCH = 256;

    private final Repository repo;
    private final Duration margin;
    private final Duration lockWait;

    public GarbageCollector(Repository repo, Duration margin, Duration lockWait) {
        this.repo = repo;
        this.margin = margin;
        this.lockWait = lockWait;
    }

    public record Report(
            int backups,
            long marked,
            long chunksDeleted,
            long bytesFreed,
            long chunksKept,
            long chunksTooNew,
            long chunksRenewedMeanwhile,
            int incompleteRemoved,
            int temporariesRemoved,
            int staleLocksRemoved,
            long chunksLocked) {}

    public Report run() throws IOException {
        int silentMark = repo.locks().silentRemovals();
        int stale = repo.locks().removeStale();
        Lock taken;
        try {
            taken = repo.locks().acquire(true, "gc", lockWait);
        } catch (StoreFullException full) {
            // The filesystem is full and gc is what frees it: give up the reserve to write the lock.
            if (repo.store().stat(FormatConstants.KEY_RESERVE).isEmpty()) {
                throw new StoreFullException(
                        full.getMessage() + "; the repository has no reserve left: free some"
                                + " space on its filesystem and run gc again",
                        full);
            }
            repo.store().delete(FormatConstants.KEY_RESERVE);
            taken = repo.locks().acquire(true, "gc", lockWait);
        }
        try (Lock lock = taken) {
            Instant byMargin = repo.locks().storeNow().minus(margin);
            Optional<Instant> silent = repo.locks().earliestSilentWriterStart(silentMark);
            Instant cutoff = (silent.isPresent() && silent.get().isBefore(byMargin) ? silent.get() : byMargin)
                    .minus(repo.store().touchResolution());
            Repository.Scan scan = repo.scan();
            if (!scan.unreadable().isEmpty()) {
                Repository.Listed l = scan.unreadable().get(0);
                throw new RepositoryException("gc refuses to delete anything: backup "
                        + l.ref().dir() + " cannot be read (" + l.error().getMessage() + "); run 'cairn check'");
            }
            LongSet marked = new LongSet();
            for (Repository.Listed b : scan.readable()) {
                References.walk(repo, b, (bk, where, off, len, id) -> marked.add(id.prefix()), (bk, disk, e) -> {
                    throw new RepositoryException("gc refuses to delete anything: the index of backup "
                            + bk.ref().id() + " " + disk.name() + " cannot be read (" + e.getMessage()
                            + "); run 'cairn check'");
                });
            }
            lock.checkHeld();
            List<ObjectInfo> garbage = new ArrayList<>();
            long[] kept = {0, 0};
            repo.store().list(FormatConstants.DIR_CHUNKS + "/", info -> {
                ChunkId id = References.idOfKey(info.key());
                if (id == null || marked.contains(id.prefix())) {
                    kept[0]++;
                } else if (info.modified().isBefore(cutoff)) {
                    garbage.add(info);
                } else {
                    kept[1]++;
                }
            });
            long freed = 0;
            long deleted = 0;
            long renewed = 0;
            long locked = 0;
            for (int i = 0; i < garbage.size(); i++) {
                if (i % BATCH == 0) {
                    lock.checkHeld();
                }
                ObjectInfo g = garbage.get(i);
                // Looked at again just before deleting: gone already, or renewed by a writer's
                // dedup hit since the listing, it stays.
                Optional<ObjectInfo> now = repo.store().stat(g.key());
                if (now.isEmpty()) {
                    continue;
                }
                if (!now.get().modified().isBefore(cutoff)) {
                    renewed++;
                    continue;
                }
                try {
                    repo.store().delete(g.key());
                } catch (ObjectLockedException retained) {
                    locked++;
                    continue;
                }
                freed += g.size();
                deleted++;
            }
            lock.checkHeld();
            int incomplete = 0;
            for (String dir : scan.incompleteDirs()) {
                List<ObjectInfo> files = new ArrayList<>();
                repo.store().list(dir, files::add);
                if (files.stream().allMatch(f -> f.modified().isBefore(cutoff))) {
                    boolean all = true;
                    for (ObjectInfo f : files) {
                        try {
                            repo.store().delete(f.key());
                        } catch (ObjectLockedException retained) {
                            all = false; // a later gc, once the store lets it
                        }
                    }
                    if (all) {
                        incomplete++;
                    }
                }
            }
            int temps = repo.store().removeAbandonedWrites(cutoff);
            if (repo.store().stat(FormatConstants.KEY_RESERVE).isEmpty()) {
                try {
                    Repository.writeReserve(repo.store());
                } catch (StoreFullException stillFull) {
                    // gc freed too little to restore the reserve; the next gc tries again
                }
            }
            repo.store().sync();
            return new Report(
                    scan.readable().size(),
                    marked.size(),
                    deleted,
                    freed,
                    kept[0],
                    kept[1],
                    renewed,
                    incomplete,
                    temps,
                    stale,
                    locked);
        }
    }
}
