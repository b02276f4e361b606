package io.cairn.operations.maintenance;

import io.cairn.operations.job.Job;
import io.cairn.repository.Repository;
import io.cairn.repository.lock.Lock;
import io.cairn.repository.maintenance.Pruner;
import io.cairn.repository.maintenance.RetentionPolicy;
import io.cairn.repository.store.ObjectLockedException;
import java.io.IOException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Removes backups the retention rules do not keep: VM by VM over the whole repository
 * ({@link #run}: {@code cairn prune}, the web UI's maintenance), or over one VM after its backup
 * ({@link #vm}: a schedule's retention). Only manifests go; gc frees their chunks. Each decision is
 * logged to the job.
 */
public final class Prune {

    /**
     * @param policy the rules (keeping something: a policy that keeps nothing is refused)
     * @param dryRun only decide, remove nothing
     */
    public record Request(RetentionPolicy policy, boolean dryRun) {
        public Request {
            Objects.requireNonNull(policy, "policy");
            if (policy.keepsNothing()) {
                throw new IllegalArgumentException("a retention policy that keeps nothing would delete every backup");
            }
        }
    }

    /** Each backup's fate, and whether it was only a dry run. */
    public record Result(List<Pruner.Decision> decisions, boolean dryRun) {
        public Result {
            decisions = List.copyOf(decisions);
        }

        public int removed() {
            return (int) decisions.stream().filter(d -> !d.keep()).count();
        }

        /** Backups the rules drop but the store still retains (S3 Object Lock). */
        public int locked() {
            return (int) decisions.stream().filter(Pruner.Decision::locked).count();
        }

        public int kept() {
            return decisions.size() - removed();
        }

        /** {@code 5 kept, 2 removed} (or {@code would be removed}); gc frees the space of removed ones. */
        public String summary() {
            return kept() + " kept, " + removed() + (dryRun ? " would be removed" : " removed")
                    + (locked() > 0 ? " (" + locked() + " of those kept are retained by the store's Object Lock)" : "");
        }

        /** Whether gc now has something to free. */
        public boolean gcWorthwhile() {
            return !dryRun && removed() > 0;
        }
    }

    /** What the retention after one VM's backup did. */
    public record VmResult(String vm, int kept, int removed) {
        /** {@code retention kept 7, removed 1 (gc frees their space)}. */
        public String summary() {
            return "retention kept " + kept + ", removed " + removed + (removed > 0 ? " (gc frees their space)" : "");
        }
    }

    private final Repository repo;
    private final Duration lockWait;
    private final ZoneId zone;

    public Prune(Repository repo, Duration lockWait, ZoneId zone) {
        this.repo = repo;
        this.lockWait = lockWait;
        this.zone = zone;
    }

    /** Every VM's backups; the decisions go to the job's log. */
    public Result run(Request r, Job job) throws IOException {
        List<Pruner.Decision> ds = new Pruner(repo, lockWait).run(r.policy(), zone, r.dryRun());
        for (Pruner.Decision d : ds) {
            var m = d.backup().manifest();
            job.log((d.keep() ? "keep " : r.dryRun() ? "would remove " : "remove ") + m.id() + " " + m.time() + " "
                    + m.vm().name() + (d.keep() ? " (" + String.join(", ", d.reasons()) + ")" : ""));
        }
        return new Result(ds, r.dryRun());
    }

    /** The rules over one VM's backups only, under the lock the Pruner takes. */
    public VmResult vm(String identity, String vmName, RetentionPolicy policy, Job job) throws IOException {
        new Request(policy, false);
        job.phase("retention for " + vmName, 0);
        try (Lock lock = repo.locks().acquire(false, "prune (schedule)", lockWait)) {
            List<Repository.Listed> mine = new ArrayList<>();
            for (Repository.Listed l : repo.backups()) {
                if (l.manifest().vm().identity().equals(identity)) {
                    mine.add(l);
                }
            }
            Map<String, List<String>> kept = policy.apply(
                    mine.stream()
                            .map(l -> new RetentionPolicy.Item(
                                    l.ref().id(), l.manifest().instant()))
                            .toList(),
                    zone);
            int removed = 0;
            for (Repository.Listed l : mine) {
                List<String> why = kept.get(l.ref().id());
                if (why == null) {
                    lock.checkHeld();
                    try {
                        repo.deleteBackup(l.ref());
                    } catch (ObjectLockedException retained) {
                        job.log("retention: keep backup " + l.ref().id() + " of "
                                + l.manifest().time() + " (" + Pruner.lockedReason(retained) + ")");
                        continue;
                    }
                    removed++;
                    job.log("retention: removed backup " + l.ref().id() + " of "
                            + l.manifest().time());
                } else {
                    job.log("retention: keep backup " + l.ref().id() + " of "
                            + l.manifest().time() + " (" + String.join(", ", why) + ")");
                }
            }
            return new VmResult(vmName, mine.size() - removed, removed);
        }
    }
}
