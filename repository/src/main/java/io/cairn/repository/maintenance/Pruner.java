package io.cairn.repository.maintenance;

import io.cairn.repository.Repository;
import io.cairn.repository.lock.Lock;
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
 * the whole backup or an invisible remainder for gc.
 */
public final class Pruner {
    private final Repository repo;
    private final Duration lockWait;

    public Pruner(Repository repo, Duration lockWait) {
        this.repo = repo;
        this.lockWait = lockWait;
    }

    /** One backup's fate; {@code reasons} is empty for a backup that goes. */
    public record Decision(Repository.Listed backup, boolean keep, List<String> reasons) {}

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
                for (Decision d : decisions) {
                    if (!d.keep()) {
                        lock.checkHeld();
                        repo.deleteBackup(d.backup().ref());
                    }
                }
            }
            return decisions;
        }
    }
}
