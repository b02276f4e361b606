package io.cairn.repository.maintenance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RetentionPolicyTest {

    /** Backups at 01:00 and 13:00 every day of November 2026 (60 backups). */
    static List<RetentionPolicy.Item> twiceDaily() {
        List<RetentionPolicy.Item> items = new ArrayList<>();
        for (int day = 1; day <= 30; day++) {
            for (int hour : new int[] {1, 13}) {
                items.add(new RetentionPolicy.Item(
                        String.format("%02d-%02d", day, hour),
                        Instant.parse(String.format("2026-11-%02dT%02d:00:00Z", day, hour))));
            }
        }
        return items;
    }

    static TreeSet<String> kept(RetentionPolicy p, List<RetentionPolicy.Item> items, ZoneId zone) {
        return new TreeSet<>(p.apply(items, zone).keySet());
    }

    @Test
    @DisplayName("keep-last keeps the newest N")
    void last() {
        assertEquals(
                new TreeSet<>(List.of("30-13", "30-01", "29-13")),
                kept(new RetentionPolicy(3, 0, 0, 0), twiceDaily(), ZoneOffset.UTC));
    }

    @Test
    @DisplayName("keep-daily keeps the newest backup of each of the last N days")
    void daily() {
        assertEquals(
                new TreeSet<>(List.of("30-13", "29-13", "28-13")),
                kept(new RetentionPolicy(0, 3, 0, 0), twiceDaily(), ZoneOffset.UTC));
    }

    @Test
    @DisplayName("days follow the administrator's time zone")
    void zone() {
        // In UTC+12, 13:00Z is already the next day: the newest of 'Dec 1' is 30-13, of 'Nov 30' is 30-01.
        assertEquals(
                new TreeSet<>(List.of("30-13", "30-01")),
                kept(new RetentionPolicy(0, 2, 0, 0), twiceDaily(), ZoneOffset.ofHours(12)));
    }

    @Test
    @DisplayName("keep-weekly uses ISO weeks and keep-monthly calendar months")
    void weeklyMonthly() {
        // Nov 30 2026 is a Monday (week 49); Sunday Nov 29 ends week 48; Sunday Nov 22 ends week 47.
        assertEquals(
                new TreeSet<>(List.of("30-13", "29-13", "22-13")),
                kept(new RetentionPolicy(0, 0, 3, 0), twiceDaily(), ZoneOffset.UTC));
        List<RetentionPolicy.Item> items = twiceDaily();
        items.add(new RetentionPolicy.Item("oct", Instant.parse("2026-10-15T00:00:00Z")));
        items.add(new RetentionPolicy.Item("sep", Instant.parse("2026-09-15T00:00:00Z")));
        assertEquals(
                new TreeSet<>(List.of("30-13", "oct")), kept(new RetentionPolicy(0, 0, 0, 2), items, ZoneOffset.UTC));
    }

    @Test
    @DisplayName("rules combine, and a backup kept by two rules names both")
    void combined() {
        Map<String, List<String>> k = new RetentionPolicy(1, 2, 0, 0).apply(twiceDaily(), ZoneOffset.UTC);
        assertEquals(new TreeSet<>(List.of("30-13", "29-13")), new TreeSet<>(k.keySet()));
        assertEquals(2, k.get("30-13").size());
    }

    @org.junit.jupiter.api.Test
    @org.junit.jupiter.api.DisplayName(
            "the Object Lock days of a policy are those of its longest rule; keep-last alone has none")
    void lockDays() {
        assertEquals(186, new RetentionPolicy(3, 7, 4, 6).lockDays());
        assertEquals(28, new RetentionPolicy(0, 7, 4, 0).lockDays());
        assertEquals(14, new RetentionPolicy(0, 14, 1, 0).lockDays());
        assertEquals(0, new RetentionPolicy(10, 0, 0, 0).lockDays());
    }
}
