package io.cairn.operations.job;

import java.util.Locale;

/** Byte counts as jobs and their summaries show them: {@code 512 B}, {@code 64.0 MiB}, {@code 1.5 TiB}. */
public final class Bytes {
    private Bytes() {}

    /** Binary units with one decimal above 1 KiB. */
    public static String human(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
