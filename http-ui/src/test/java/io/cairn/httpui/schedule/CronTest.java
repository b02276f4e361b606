package io.cairn.httpui.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CronTest {
    private static final ZoneId UTC = ZoneId.of("UTC");
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    private static ZonedDateTime at(String local, ZoneId zone) {
        return LocalDateTime.parse(local).atZone(zone);
    }

    private static List<String> runs(String cron, String after, ZoneId zone, int n) {
        return Cron.parse(cron).next(at(after, zone), n).stream()
                .map(t -> t.toOffsetDateTime().toString())
                .toList();
    }

    @Nested
    @DisplayName("fields")
    class Fields {
        @Test
        @DisplayName("every minute runs at the next whole minute, strictly after the given time")
        void everyMinute() {
            assertEquals(
                    List.of("2026-01-01T10:01Z", "2026-01-01T10:02Z"),
                    runs("* * * * *", "2026-01-01T10:00:00", UTC, 2));
            assertEquals(List.of("2026-01-01T10:01Z"), runs("* * * * *", "2026-01-01T10:00:59", UTC, 1));
        }

        @Test
        @DisplayName("*/15 runs at :00, :15, :30 and :45")
        void quarterHours() {
            assertEquals(
                    List.of("2026-01-01T10:15Z", "2026-01-01T10:30Z", "2026-01-01T10:45Z", "2026-01-01T11:00Z"),
                    runs("*/15 * * * *", "2026-01-01T10:07", UTC, 4));
        }

        @Test
        @DisplayName("lists, ranges and stepped ranges combine")
        void listsAndRanges() {
            assertEquals(
                    List.of(
                            "2026-01-01T08:05Z",
                            "2026-01-01T08:30Z",
                            "2026-01-01T10:05Z",
                            "2026-01-01T10:30Z",
                            "2026-01-01T12:05Z"),
                    runs("5,30 8-12/2 * * *", "2026-01-01T07:00", UTC, 5));
            // Monday to Friday at 23:00; 2026-01-02 is a Friday
            assertEquals(
                    List.of("2026-01-02T23:00Z", "2026-01-05T23:00Z"),
                    runs("0 23 * * 1-5", "2026-01-02T12:00", UTC, 2));
        }

        @Test
        @DisplayName("day of week 0 and 7 are both Sunday")
        void sunday() {
            assertEquals(runs("0 0 * * 0", "2026-01-01T00:00", UTC, 3), runs("0 0 * * 7", "2026-01-01T00:00", UTC, 3));
            assertEquals(
                    "2026-01-04T00:00Z",
                    runs("0 0 * * 7", "2026-01-01T00:00", UTC, 1).get(0));
        }

        @Test
        @DisplayName("with both day fields restricted, either one matching is enough (Vixie cron)")
        void dayOr() {
            // the 13th, or any Friday: 2026-02-06 is a Friday, 2026-02-13 both
            assertEquals(
                    List.of("2026-02-06T00:00Z", "2026-02-13T00:00Z", "2026-02-20T00:00Z"),
                    runs("0 0 13 * 5", "2026-02-01T00:00", UTC, 3));
        }

        @Test
        @DisplayName("Feb 29 runs only in leap years")
        void leapDay() {
            assertEquals(
                    List.of("2028-02-29T12:00Z", "2032-02-29T12:00Z"), runs("0 12 29 2 *", "2026-03-01T00:00", UTC, 2));
        }

        @Test
        @DisplayName("the 31st skips months that do not have one")
        void thirtyFirst() {
            assertEquals(
                    List.of("2026-01-31T00:00Z", "2026-03-31T00:00Z", "2026-05-31T00:00Z"),
                    runs("0 0 31 * *", "2026-01-15T00:00", UTC, 3));
        }
    }

    @Nested
    @DisplayName("daylight saving time (Europe/Berlin)")
    class Dst {
        @Test
        @DisplayName("a time in the skipped hour runs once, when the clock jumps to 03:00")
        void gap() {
            // 2026-03-29: 02:00 CET becomes 03:00 CEST
            assertEquals(
                    List.of("2026-03-28T02:30+01:00", "2026-03-29T03:00+02:00", "2026-03-30T02:30+02:00"),
                    runs("30 2 * * *", "2026-03-28T00:00", BERLIN, 3));
        }

        @Test
        @DisplayName("every quarter hour across the gap: no run twice, none lost but the skipped hour's")
        void gapQuarterHours() {
            assertEquals(
                    List.of("2026-03-29T01:45+01:00", "2026-03-29T03:00+02:00", "2026-03-29T03:15+02:00"),
                    runs("*/15 * * * *", "2026-03-29T01:30", BERLIN, 3));
        }

        @Test
        @DisplayName("a time in the repeated hour runs once, at its first occurrence")
        void overlap() {
            // 2026-10-25: 03:00 CEST becomes 02:00 CET, so 02:30 happens twice
            assertEquals(
                    List.of("2026-10-24T02:30+02:00", "2026-10-25T02:30+02:00", "2026-10-26T02:30+01:00"),
                    runs("30 2 * * *", "2026-10-24T00:00", BERLIN, 3));
        }

        @Test
        @DisplayName("after the first pass of the repeated hour, its times do not run again")
        void overlapSecondPass() {
            ZonedDateTime secondPass = ZonedDateTime.ofLocal(
                    LocalDateTime.parse("2026-10-25T02:10"), BERLIN, java.time.ZoneOffset.ofHours(1));
            assertEquals(
                    "2026-10-25T03:00+01:00",
                    Cron.parse("0 * * * *").next(secondPass).toOffsetDateTime().toString());
            assertEquals(
                    "2026-10-26T02:30+01:00",
                    Cron.parse("30 2 * * *").next(secondPass).toOffsetDateTime().toString());
        }
    }

    @Nested
    @DisplayName("invalid expressions")
    class Invalid {
        @ParameterizedTest(name = "''{0}'' → {1}")
        @CsvSource(
                delimiter = '|',
                value = {
                    "''|empty",
                    "* * * *|has 4 fields; it needs 5",
                    "* * * * * *|has 6 fields",
                    "60 * * * *|cron field 1 (minute) '60': values must be 0 to 59",
                    "* 24 * * *|cron field 2 (hour) '24': values must be 0 to 23",
                    "* * 0 * *|cron field 3 (day of month) '0': values must be 1 to 31",
                    "* * * 13 *|cron field 4 (month) '13'",
                    "* * * * 8|cron field 5 (day of week) '8': values must be 0 to 7",
                    "*/0 * * * *|the step after '/' must be 1 to 60",
                    "*/61 * * * *|the step after '/' must be 1 to 60",
                    "0 */25 * * *|the step after '/' must be 1 to 24",
                    "5-1 * * * *|the range 5-1 goes backwards",
                    "a * * * *|'a' is not a number",
                    "1,,2 * * * *|empty list element",
                    "-1 * * * *|'' is not a number",
                    "* * * JAN *|'JAN' is not a number",
                    "0 0 30 2 *|never runs",
                })
        void rejected(String expr, String message) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Cron.parse(expr));
            assertTrue(e.getMessage().contains(message), e.getMessage());
        }
    }
}
