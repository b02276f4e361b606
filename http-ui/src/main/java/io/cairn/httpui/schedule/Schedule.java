package io.cairn.httpui.schedule;

import io.cairn.repository.maintenance.RetentionPolicy;
import java.time.Instant;

/**
 * A backup schedule as stored in {@code schedules.json}.
 *
 * @param source what to back up: a raw disk image or the VMs of a spec on a saved vCenter connection
 * @param retention applied to that VM's backups after each successful run, or null to keep all
 * @param updated when it was created or last edited (a run due before that was not missed)
 * @param lastRun when it last started a backup, or null
 * @param lastOutcome how its last finished run ended, or null (kept across restarts, unlike the job list)
 */
public record Schedule(
        String id,
        String name,
        String cron,
        Source source,
        RetentionPolicy retention,
        boolean enabled,
        Instant updated,
        Instant lastRun,
        Outcome lastOutcome) {

    /**
     * How a run ended: the job's final state (SUCCEEDED, FAILED, CANCELLED), when, its one-line
     * result, and each VM whose backup failed in it (VM name to the reason; empty when none did).
     */
    public record Outcome(String state, Instant finished, String summary, java.util.Map<String, String> failedVms) {
        public Outcome {
            failedVms = failedVms == null ? java.util.Map.of() : java.util.Map.copyOf(failedVms);
        }
    }

    Schedule withLastRun(Instant t) {
        return new Schedule(id, name, cron, source, retention, enabled, updated, t, lastOutcome);
    }

    public Schedule withOutcome(Outcome o) {
        return new Schedule(id, name, cron, source, retention, enabled, updated, lastRun, o);
    }
}
