package io.cairn.httpui.web;

import io.cairn.operations.job.Job;
import java.util.List;

/**
 * A job as the API shows it ({@code GET /jobs}, {@code /jobs/{id}}, the dashboard's last jobs): in
 * full to its owner and to administrators, else as a {@link #summary} (see {@link JobController}).
 *
 * @param target what it works on; null in a summary
 * @param phase null in a summary
 * @param bytesPerSecond the rate of the latest event, 0 before the first
 * @param started and {@code finished}: ISO-8601, null until then
 * @param result null in a summary
 * @param owner the user who started it, null for the scheduler and in a summary
 * @param details whether this is the full view (else a summary)
 * @param canCancel whether the asking user may cancel it (while it runs)
 */
record JobView(
        String id,
        String kind,
        String target,
        String state,
        String phase,
        long done,
        long total,
        long jobDone,
        long jobTotal,
        double bytesPerSecond,
        String created,
        String started,
        String finished,
        String result,
        String owner,
        boolean details,
        boolean canCancel) {
    /** The summary others see: kind, state, times and bytes, nothing of what it works on or how it ended. */
    JobView summary() {
        return new JobView(
                id,
                kind,
                null,
                state,
                null,
                done,
                total,
                jobDone,
                jobTotal,
                bytesPerSecond,
                created,
                started,
                finished,
                null,
                null,
                false,
                false);
    }

    /** The full view, with whether the asking user may cancel it. */
    JobView cancellable(boolean may) {
        return new JobView(
                id,
                kind,
                target,
                state,
                phase,
                done,
                total,
                jobDone,
                jobTotal,
                bytesPerSecond,
                created,
                started,
                finished,
                result,
                owner,
                true,
                may && !List.of("SUCCEEDED", "FAILED", "CANCELLED").contains(state));
    }

    static JobView of(Job j, Job.Event last, String owner) {
        return new JobView(
                j.id(),
                j.kind(),
                j.target(),
                j.state().name(),
                j.phase(),
                j.done(),
                j.total(),
                j.jobDone(),
                j.jobTotal(),
                last == null ? 0.0 : last.bytesPerSecond(),
                j.created().toString(),
                j.started() == null ? null : j.started().toString(),
                j.finished() == null ? null : j.finished().toString(),
                j.result(),
                owner,
                true,
                false);
    }

    /** One progress event of the event stream ({@code GET /jobs/{id}/events}). */
    record Event(
            String jobId,
            long seq,
            String time,
            String state,
            String phase,
            long done,
            long total,
            long jobDone,
            long jobTotal,
            double bytesPerSecond,
            String message) {
        static Event of(Job.Event e) {
            return new Event(
                    e.jobId(),
                    e.seq(),
                    e.time().toString(),
                    e.state().name(),
                    e.phase(),
                    e.done(),
                    e.total(),
                    e.jobDone(),
                    e.jobTotal(),
                    e.bytesPerSecond(),
                    e.message());
        }
    }
}
