package io.cairn.httpui.web;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How many job event streams are open, per session and in all. Each open stream holds one of the
 * web server's threads for as long as its job runs, so both are capped: a browser (or a script with
 * a stolen cookie) cannot take the threads every other request needs.
 */
final class EventStreams {
    private final int perSession;
    private final int total;
    private final Map<String, Integer> open = new ConcurrentHashMap<>();
    private int all;

    EventStreams(int perSession, int total) {
        this.perSession = perSession;
        this.total = total;
    }

    /** Takes a place for a stream of {@code sessionId}, or answers why there is none (null: taken). */
    synchronized String tryOpen(String sessionId) {
        int mine = open.getOrDefault(sessionId, 0);
        if (mine >= perSession) {
            return "this session follows " + mine + " jobs already (at most " + perSession
                    + "); close another job's page first";
        }
        if (all >= total) {
            return "the server follows " + all + " jobs for browsers already (at most " + total
                    + "); try again shortly";
        }
        open.put(sessionId, mine + 1);
        all++;
        return null;
    }

    /** Gives back a place taken by {@link #tryOpen}. */
    synchronized void close(String sessionId) {
        open.computeIfPresent(sessionId, (k, n) -> n <= 1 ? null : n - 1);
        all--;
    }

    /** Streams open now (for tests). */
    synchronized int open() {
        return all;
    }
}
