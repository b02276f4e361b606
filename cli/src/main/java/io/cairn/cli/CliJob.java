package io.cairn.cli;

import io.cairn.operations.job.Job;
import java.util.function.Consumer;

/**
 * A job of one command: progress drawn on the terminal, and its log lines (never the "started"
 * event or the final result: the command prints that itself) where the command wants them.
 */
final class CliJob {
    private CliJob() {}

    /** A started job whose warnings (log lines starting with {@code warning:}) go to standard error. */
    static Job start(String kind, String target) {
        return start(kind, target, line -> {
            if (line.startsWith("warning: ")) {
                System.err.println(line);
            }
        });
    }

    /** A started job that hands every line of its log to {@code lines}. */
    static Job start(String kind, String target, Consumer<String> lines) {
        Job job = Job.create(kind, target);
        job.addListener(TerminalProgress.forTerminal());
        job.addListener(e -> {
            boolean last = e.state() == Job.State.SUCCEEDED
                    || e.state() == Job.State.FAILED
                    || e.state() == Job.State.CANCELLED;
            if (e.message() != null && !last && !e.message().equals("started")) {
                lines.accept(e.message());
            }
        });
        job.start();
        return job;
    }
}
