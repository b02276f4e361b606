package io.cairn.cli;

import io.cairn.repository.backup.Progress;
import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Draws bytes, rate and ETA on one terminal line, at most four times a second; draws nothing when
 * standard error is not a terminal (scripts and logs get only the final summary).
 */
final class TerminalProgress implements Progress {
    private final PrintStream out;
    private final AtomicLong done = new AtomicLong();
    private volatile String phase = "";
    private volatile long total;
    private volatile long started;
    private volatile long lastDraw;

    private TerminalProgress(PrintStream out) {
        this.out = out;
    }

    static Progress forTerminal() {
        return System.console() != null ? new TerminalProgress(System.err) : Progress.NONE;
    }

    @Override
    public void begin(String phase, long totalBytes) {
        this.phase = phase;
        this.total = totalBytes;
        this.done.set(0);
        this.started = System.nanoTime();
        this.lastDraw = 0;
    }

    @Override
    public void advance(long bytes) {
        long d = done.addAndGet(bytes);
        long now = System.nanoTime();
        if (now - lastDraw > 250_000_000L) {
            lastDraw = now;
            draw(d, now);
        }
    }

    private synchronized void draw(long d, long now) {
        double secs = Math.max(1e-3, (now - started) / 1e9);
        double rate = d / secs;
        String eta = total > 0 && rate > 0 ? clock((long) ((total - d) / rate)) : "--:--";
        String pct = total > 0 ? String.format(Locale.ROOT, "%3d%%", d * 100 / total) : "";
        out.printf(
                Locale.ROOT,
                "\r%s  %s / %s %s  %s/s  ETA %s   ",
                phase,
                Durations.bytes(d),
                Durations.bytes(total),
                pct,
                Durations.bytes((long) rate),
                eta);
        out.flush();
    }

    @Override
    public void end() {
        draw(done.get(), System.nanoTime());
        out.println();
    }

    private static String clock(long s) {
        return s >= 3600
                ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
