package io.cairn.httpui.schedule;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.zone.ZoneOffsetTransition;
import java.util.List;

/**
 * A five-field cron expression, {@code minute hour day-of-month month day-of-week}, as in
 * <a href="https://man7.org/linux/man-pages/man5/crontab.5.html">crontab(5)</a>, numbers only: each
 * field is {@code *} or a comma list of {@code N}, {@code A-B}, with an optional {@code /STEP} after
 * {@code *} or a range. Day of week 0 and 7 are Sunday. When both day fields are restricted, a day
 * matches if either does (as in Vixie cron).
 *
 * <p>Daylight saving time, in the zone of the time given to {@link #next}: a local time that does not
 * exist (the hour skipped in spring) runs once, at the moment the clock jumps; a local time that
 * happens twice (the hour repeated in autumn) runs once, at its first occurrence.
 */
public final class Cron {
    private static final String[] NAMES = {"minute", "hour", "day of month", "month", "day of week"};
    private static final int[] MIN = {0, 0, 1, 1, 0};
    private static final int[] MAX = {59, 23, 31, 12, 7};
    private static final int[] MONTH_DAYS = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    /** Feb 29 with a weekday can be 28 years away; nothing further can match at all. */
    private static final int SEARCH_DAYS = 29 * 366;

    private final String expression;
    private final long minutes;
    private final long hours;
    private final long days;
    private final long months;
    private final long weekdays; // bit 0 = Sunday … bit 6 = Saturday
    private final boolean anyDay;
    private final boolean anyWeekday;

    private Cron(String expression, long[] bits, boolean anyDay, boolean anyWeekday) {
        this.expression = expression;
        this.minutes = bits[0];
        this.hours = bits[1];
        this.days = bits[2];
        this.months = bits[3];
        long w = bits[4];
        if ((w & (1L << 7)) != 0) {
            w = (w | 1L) & ~(1L << 7);
        }
        this.weekdays = w;
        this.anyDay = anyDay;
        this.anyWeekday = anyWeekday;
    }

    /**
     * Parses an expression.
     *
     * @throws IllegalArgumentException with a message naming the bad field, fit to show to a user
     */
    public static Cron parse(String expression) {
        if (expression == null || expression.isBlank()) {
            throw new IllegalArgumentException(
                    "the cron expression is empty; it needs 5 fields: minute hour day-of-month month day-of-week");
        }
        String[] f = expression.trim().split("\\s+");
        if (f.length != 5) {
            throw new IllegalArgumentException(
                    "the cron expression '" + expression.trim() + "' has " + f.length + " field"
                            + (f.length == 1 ? "" : "s") + "; it needs 5: minute hour day-of-month month day-of-week");
        }
        long[] bits = new long[5];
        for (int i = 0; i < 5; i++) {
            bits[i] = field(f[i], i);
        }
        boolean anyDay = f[2].equals("*");
        boolean anyWeekday = f[4].equals("*");
        if (anyWeekday && !anyDay) {
            boolean possible = false;
            int firstDay = Long.numberOfTrailingZeros(bits[2]);
            for (int m = 1; m <= 12; m++) {
                if ((bits[3] & (1L << m)) != 0 && firstDay <= MONTH_DAYS[m - 1]) {
                    possible = true;
                }
            }
            if (!possible) {
                throw new IllegalArgumentException("the cron expression '" + expression.trim()
                        + "' never runs: none of its months has that day of month");
            }
        }
        return new Cron(String.join(" ", f), bits, anyDay, anyWeekday);
    }

    private static long field(String text, int i) {
        long bits = 0;
        for (String part : text.split(",", -1)) {
            bits |= part(part, i, text);
        }
        return bits;
    }

    private static long part(String part, int i, String text) {
        String where = "cron field " + (i + 1) + " (" + NAMES[i] + ") '" + text + "'";
        if (part.isEmpty()) {
            throw new IllegalArgumentException(where + " has an empty list element");
        }
        int step = 1;
        String range = part;
        int slash = part.indexOf('/');
        if (slash >= 0) {
            step = number(part.substring(slash + 1), where);
            int span = (i == 4 ? 6 : MAX[i]) - MIN[i] + 1;
            if (step < 1 || step > span) {
                throw new IllegalArgumentException(where + ": the step after '/' must be 1 to " + span);
            }
            range = part.substring(0, slash);
        }
        int lo;
        int hi;
        if (range.equals("*")) {
            lo = MIN[i];
            hi = i == 4 ? 6 : MAX[i];
        } else {
            int dash = range.indexOf('-');
            if (dash >= 0) {
                lo = number(range.substring(0, dash), where);
                hi = number(range.substring(dash + 1), where);
            } else {
                lo = number(range, where);
                hi = slash >= 0 ? (i == 4 ? 6 : MAX[i]) : lo; // "5/15" means 5-max/15
            }
            if (lo < MIN[i] || hi > MAX[i] || lo < 0) {
                throw new IllegalArgumentException(where + ": values must be " + MIN[i] + " to " + MAX[i]);
            }
            if (lo > hi) {
                throw new IllegalArgumentException(where + ": the range " + lo + "-" + hi + " goes backwards");
            }
        }
        long bits = 0;
        for (int v = lo; v <= hi; v += step) {
            bits |= 1L << v;
        }
        return bits;
    }

    private static int number(String s, String where) {
        if (s.isEmpty() || s.length() > 4 || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException(
                    where + ": '" + s + "' is not a number (use digits, *, lists a,b, ranges a-b, steps /n)");
        }
        return Integer.parseInt(s);
    }

    /** The expression, normalized to single spaces. */
    public String expression() {
        return expression;
    }

    @Override
    public String toString() {
        return expression;
    }

    /** Whether a local date (month and day fields) matches. */
    private boolean matches(LocalDate d) {
        if ((months & (1L << d.getMonthValue())) == 0) {
            return false;
        }
        boolean dom = (days & (1L << d.getDayOfMonth())) != 0;
        boolean dow = (weekdays & (1L << (d.getDayOfWeek().getValue() % 7))) != 0;
        if (anyDay && anyWeekday) {
            return true;
        }
        if (anyDay) {
            return dow;
        }
        if (anyWeekday) {
            return dom;
        }
        return dom || dow;
    }

    /** Whether the minute of this local time matches (seconds ignored). */
    public boolean matches(LocalDateTime t) {
        return matches(t.toLocalDate()) && (hours & (1L << t.getHour())) != 0 && (minutes & (1L << t.getMinute())) != 0;
    }

    /**
     * The first run strictly after {@code after}, in its zone.
     *
     * @throws IllegalStateException if nothing matches within 29 years (cannot happen for a parsed expression)
     */
    public ZonedDateTime next(ZonedDateTime after) {
        ZoneId zone = after.getZone();
        LocalDate day = after.toLocalDate().minusDays(1);
        for (int n = 0; n < SEARCH_DAYS; n++, day = day.plusDays(1)) {
            if (!matches(day)) {
                continue;
            }
            for (int h = 0; h < 24; h++) {
                if ((hours & (1L << h)) == 0) {
                    continue;
                }
                for (int m = 0; m < 60; m++) {
                    if ((minutes & (1L << m)) == 0) {
                        continue;
                    }
                    ZonedDateTime t = resolve(LocalDateTime.of(day, LocalTime.of(h, m)), zone);
                    if (t.isAfter(after)) {
                        return t;
                    }
                }
            }
        }
        throw new IllegalStateException("the cron expression '" + expression + "' never runs");
    }

    /** The next {@code n} runs after {@code after}. */
    public List<ZonedDateTime> next(ZonedDateTime after, int n) {
        java.util.ArrayList<ZonedDateTime> out = new java.util.ArrayList<>();
        ZonedDateTime t = after;
        for (int i = 0; i < n; i++) {
            t = next(t);
            out.add(t);
        }
        return out;
    }

    /** A local time as an instant: the end of a DST gap for a skipped time, the earlier offset for a repeated one. */
    private static ZonedDateTime resolve(LocalDateTime local, ZoneId zone) {
        if (zone.getRules().getValidOffsets(local).isEmpty()) {
            ZoneOffsetTransition gap = zone.getRules().getTransition(local);
            return gap.getDateTimeAfter().atZone(zone);
        }
        return ZonedDateTime.of(local, zone).withEarlierOffsetAtOverlap();
    }
}
