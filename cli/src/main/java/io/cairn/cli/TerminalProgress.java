package io.cairn.cli;

import io.cairn.operations.job.Job;
import java.io.PrintStream;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Draws a job's phase, bytes, rate and ETA on one terminal line as its events come (at most four a
 * second: the job's own pace); draws nothing when standard error is not a terminal (scripts and
 * logs get only the final summary).
 */
final class TerminalProgress implements Consumer<Job.Event> {
    private final PrintStream out;
    private String phase;
    private boolean drawn;

    private TerminalProgress(PrintStream out) {
        this.out = out;
    }

    /** A listener for a job: drawing on a terminal, silent otherwise. */
    static Consumer<Job.Event> forTerminal() {
        return System.console() != null ? new TerminalProgress(System.err) : e -> {};
    }

    @Override
    public synchronized void accept(Job.Event e) {
        boolean last =
                e.state() == Job.State.SUCCEEDED || e.state() == Job.State.FAILED || e.state() == Job.State.CANCELLED;
        if (last || !Objects.equals(e.phase(), phase)) {
            if (drawn) {
                out.println();
                drawn = false;
            }
            phase = e.phase();
        }
        if (!last && e.total() > 0) {
            draw(e);
        }
    }

    private void draw(Job.Event e) {
        double rate = e.bytesPerSecond();
        long left = e.total() - e.done();
        String eta = rate > 0 ? clock((long) (left / rate)) : "--:--";
        out.printf(
                Locale.ROOT,
                "\r%s  %s / %s %3d%%  %s/s  ETA %s   ",
                e.phase(),
                Durations.bytes(e.done()),
                Durations.bytes(e.total()),
                e.done() * 100 / e.total(),
                Durations.bytes((long) rate),
                eta);
        out.flush();
        drawn = true;
    }

    private static String clock(long s) {
        return s >= 3600
                ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
