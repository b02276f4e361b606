package io.cairn.operations.maintenance;

import io.cairn.operations.job.Bytes;
import io.cairn.operations.job.Job;
import io.cairn.repository.Repository;
import io.cairn.repository.maintenance.GarbageCollector;
import java.io.IOException;
import java.time.Duration;

/**
 * Deletes the chunks no backup uses (mark and sweep under the exclusive lock;
 * {@link GarbageCollector}), as {@code cairn gc} and the web UI's maintenance do.
 */
public final class Gc {

    /** What gc did. */
    public record Result(GarbageCollector.Report report) {
        /**
         * {@code gc: 12 backups reference 3456 chunks; deleted 78 unused chunks (77.0 MiB)}, and what
         * else it kept or removed.
         */
        public String summary() {
            GarbageCollector.Report rep = report;
            return "gc: " + rep.backups() + " backups reference " + rep.marked() + " chunks; deleted "
                    + rep.chunksDeleted() + " unused chunks (" + Bytes.human(rep.bytesFreed()) + ")"
                    + (rep.chunksTooNew() > 0
                            ? ", kept " + rep.chunksTooNew() + " unused but newer than the safety margin"
                            : "")
                    + (rep.incompleteRemoved() > 0
                            ? ", removed " + rep.incompleteRemoved() + " incomplete backup directories"
                            : "")
                    + (rep.temporariesRemoved() > 0
                            ? ", removed " + rep.temporariesRemoved() + " unfinished temporary files"
                            : "")
                    + (rep.staleLocksRemoved() > 0 ? ", removed " + rep.staleLocksRemoved() + " stale locks" : "")
                    + (rep.chunksLocked() > 0
                            ? ", kept " + rep.chunksLocked() + " unused chunks the store still retains (Object Lock)"
                            : "");
        }
    }

    private final Repository repo;
    private final Duration lockWait;

    public Gc(Repository repo, Duration lockWait) {
        this.repo = repo;
        this.lockWait = lockWait;
    }

    /**
     * @param safetyMargin chunks written or reused more recently than this are never deleted
     */
    public Result run(Duration safetyMargin, Job job) throws IOException {
        job.phase("gc", 0);
        return new Result(new GarbageCollector(repo, safetyMargin, lockWait).run());
    }
}
