package io.cairn.repository.maintenance;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.IsoFields;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which backups of one VM to keep, the way restic and Proxmox count: the newest N overall; the newest
 * backup of each of the last N days (weeks, months) that have a backup. A backup kept by several
 * rules is kept once; reasons name each rule.
 */
public record RetentionPolicy(int keepLast, int keepDaily, int keepWeekly, int keepMonthly) {

    public RetentionPolicy {
        if (keepLast < 0 || keepDaily < 0 || keepWeekly < 0 || keepMonthly < 0) {
            throw new IllegalArgumentException("keep counts cannot be negative");
        }
    }

    public boolean keepsNothing() {
        return keepLast + keepDaily + keepWeekly + keepMonthly == 0;
    }

    /**
     * The Object Lock retention, in days, that covers every backup this policy keeps for as long as
     * it keeps it: {@code keep-daily N} keeps a backup up to N days, {@code keep-weekly N} up to 7N,
     * {@code keep-monthly N} up to 31N; the longest wins (a monthly backup must stay immutable for
     * months, even if the daily ones then stay a little longer than the rules keep them: prune
     * reports those as retained by the store and removes them once it lets go). {@code keep-last}
     * says nothing about time: 0 when it is the only rule.
     */
    public int lockDays() {
        return Math.max(keepDaily, Math.max(7 * keepWeekly, 31 * keepMonthly));
    }

    /** A backup's time and an opaque key (its id). */
    public record Item(String id, Instant time) {}

    /** @return for each kept id, why (in the items' newest-first order); ids not in the map go */
    public Map<String, List<String>> apply(List<Item> items, ZoneId zone) {
        List<Item> newest = new ArrayList<>(items);
        newest.sort(Comparator.comparing(Item::time).reversed().thenComparing(Item::id));
        Map<String, List<String>> kept = new LinkedHashMap<>();
        rule(newest, kept, keepLast, "last", i -> i.id());
        rule(newest, kept, keepDaily, "daily", i -> at(i, zone).toLocalDate().toString());
        rule(newest, kept, keepWeekly, "weekly", i -> {
            ZonedDateTime t = at(i, zone);
            return t.get(IsoFields.WEEK_BASED_YEAR) + "-W" + t.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR);
        });
        rule(
                newest,
                kept,
                keepMonthly,
                "monthly",
                i -> at(i, zone).getYear() + "-" + at(i, zone).getMonthValue());
        return kept;
    }

    private static ZonedDateTime at(Item i, ZoneId zone) {
        return i.time().atZone(zone);
    }

    private interface Bucket {
        String of(Item i);
    }

    private static void rule(List<Item> newest, Map<String, List<String>> kept, int count, String name, Bucket bucket) {
        String last = null;
        int left = count;
        for (Item i : newest) {
            if (left == 0) {
                return;
            }
            String b = bucket.of(i);
            if (!b.equals(last)) {
                kept.computeIfAbsent(i.id(), k -> new ArrayList<>()).add(name + " " + b);
                last = b;
                left--;
            }
        }
    }
}
