package io.cairn.httpui.web;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How many job event streams are open, per user and in all. Each open stream holds one of the web
 * server's threads for as long as its job runs, so both are capped: a browser (or a script with a
 * stolen cookie) cannot take the threads every other request needs. Per user, not per session: one
 * user may log in many times over.
 */
final class EventStreams {
    private final int perUser;
    private final int total;
    private final Map<String, Integer> open = new ConcurrentHashMap<>();
    private int all;

    EventStreams(int perUser, int total) {
        this.perUser = perUser;
        this.total = total;
    }

    /** Takes a place for a stream of {@code user}, or answers why there is none (null: taken). */
    synchronized String tryOpen(String user) {
        int mine = open.getOrDefault(user, 0);
        if (mine >= perUser) {
            return user + " follows " + mine + " jobs already (at most " + perUser
                    + "); close another job's page first";
        }
        if (all >= total) {
            return "the server follows " + all + " jobs for browsers already (at most " + total
                    + "); try again shortly";
        }
        open.put(user, mine + 1);
        all++;
        return null;
    }

    /** Gives back a place taken by {@link #tryOpen}. */
    synchronized void close(String user) {
        open.computeIfPresent(user, (k, n) -> n <= 1 ? null : n - 1);
        all--;
    }

    /** Streams open now (for tests). */
    synchronized int open() {
        return all;
    }
}
