package io.cairn.httpui.web;

import io.cairn.operations.job.Job;

/**
 * A job as the API shows it ({@code GET /jobs}, {@code /jobs/{id}}, the dashboard's last jobs).
 *
 * @param bytesPerSecond the rate of the latest event, 0 before the first
 * @param started and {@code finished}: ISO-8601, null until then
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
        String result) {
    static JobView of(Job j, Job.Event last) {
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
                j.result());
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
