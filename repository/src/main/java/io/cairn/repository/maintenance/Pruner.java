package io.cairn.repository.maintenance;

import io.cairn.repository.Repository;
import io.cairn.repository.lock.Lock;
import io.cairn.repository.store.ObjectLockedException;
import java.io.IOException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Removes backups that a {@link RetentionPolicy} does not keep, VM by VM. Only manifests and indexes
 * go; their chunks are freed by gc. Each backup's manifest is deleted first, so a crash leaves either
 * the whole backup or an invisible remainder for gc. A backup whose manifest the store refuses to
 * delete (S3 Object Lock retention) stays, and its decision says until when.
 */
public final class Pruner {
    private final Repository repo;
    private final Duration lockWait;

    public Pruner(Repository repo, Duration lockWait) {
        this.repo = repo;
        this.lockWait = lockWait;
    }

    /**
     * One backup's fate; {@code reasons} is empty for a backup that goes. A backup the rules drop but
     * the store keeps under retention is kept, {@code locked}, with the reason saying until when.
     */
    public record Decision(Repository.Listed backup, boolean keep, List<String> reasons, boolean locked) {
        public Decision(Repository.Listed backup, boolean keep, List<String> reasons) {
            this(backup, keep, reasons, false);
        }
    }

    public List<Decision> run(RetentionPolicy policy, ZoneId zone, boolean dryRun) throws IOException {
        if (policy.keepsNothing()) {
            throw new IllegalArgumentException(
                    "a policy that keeps nothing would delete every backup; give at least one --keep-* option");
        }
        try (Lock lock = repo.locks().acquire(false, "prune", lockWait)) {
            Map<String, List<Repository.Listed>> byVm = new LinkedHashMap<>();
            for (Repository.Listed l : repo.backups()) {
                byVm.computeIfAbsent(l.manifest().vm().identity(), k -> new ArrayList<>())
                        .add(l);
            }
            List<Decision> decisions = new ArrayList<>();
            for (List<Repository.Listed> group : byVm.values()) {
                List<RetentionPolicy.Item> items = group.stream()
                        .map(l -> new RetentionPolicy.Item(
                                l.ref().id(), l.manifest().instant()))
                        .toList();
                Map<String, List<String>> kept = policy.apply(items, zone);
                for (Repository.Listed l : group) {
                    List<String> why = kept.get(l.ref().id());
                    decisions.add(new Decision(l, why != null, why == null ? List.of() : why));
                }
            }
            if (!dryRun) {
                for (int i = 0; i < decisions.size(); i++) {
                    Decision d = decisions.get(i);
                    if (!d.keep()) {
                        lock.checkHeld();
                        try {
                            repo.deleteBackup(d.backup().ref());
                        } catch (ObjectLockedException locked) {
                            decisions.set(i, new Decision(d.backup(), true, List.of(lockedReason(locked)), true));
                        }
                    }
                }
            }
            return decisions;
        }
    }

    /** {@code locked by the store until 2027-01-06T00:00:00Z (retention)}. */
    public static String lockedReason(ObjectLockedException e) {
        return "locked by the store" + (e.retainUntil() != null ? " until " + e.retainUntil() : "") + " (retention)";
    }
}
