package io.cairn.cli;

import io.cairn.operations.job.Bytes;
import java.time.Duration;
import java.util.Locale;

/** Sizes and durations as administrators type them: 1M, 256K; 30s, 10m, 2h, 1d. */
final class Durations {
    private Durations() {}

    static Duration parse(String s, String option) {
        String v = s.trim().toLowerCase(Locale.ROOT);
        try {
            if (v.equals("0")) {
                return Duration.ZERO;
            }
            long n = Long.parseLong(v.substring(0, v.length() - 1));
            switch (v.charAt(v.length() - 1)) {
                case 's':
                    return Duration.ofSeconds(n);
                case 'm':
                    return Duration.ofMinutes(n);
                case 'h':
                    return Duration.ofHours(n);
                case 'd':
                    return Duration.ofDays(n);
                default:
                    break;
            }
        } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
            // fall through to the message
        }
        throw new IllegalArgumentException(option + " takes a duration such as 30s, 10m, 2h or 1d, not '" + s + "'");
    }

    static long parseSize(String s, String option) {
        String v = s.trim().toUpperCase(Locale.ROOT);
        long unit = 1;
        if (v.endsWith("B")) {
            v = v.substring(0, v.length() - 1);
        }
        if (v.endsWith("K")) {
            unit = 1024;
        } else if (v.endsWith("M")) {
            unit = 1024 * 1024;
        } else if (v.endsWith("G")) {
            unit = 1024L * 1024 * 1024;
        }
        if (unit != 1) {
            v = v.substring(0, v.length() - 1);
        }
        try {
            return Math.multiplyExact(Long.parseLong(v), unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException(option + " takes a size such as 256K, 1M or 8M, not '" + s + "'");
        }
    }

    static String bytes(long n) {
        return Bytes.human(n);
    }
}
