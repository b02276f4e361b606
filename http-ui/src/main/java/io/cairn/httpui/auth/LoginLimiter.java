package io.cairn.httpui.auth;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Failed logins per user name and client address in a sliding window: once {@code max} failures
 * are in the window, further attempts are refused (429) until the oldest ages out.
 */
public final class LoginLimiter {
    private final int max;
    private final long windowNanos;
    private final Map<String, Deque<Long>> failures = new ConcurrentHashMap<>();

    public LoginLimiter(int max, java.time.Duration window) {
        this.max = max;
        this.windowNanos = window.toNanos();
    }

    public boolean allowed(String user, String ip) {
        Deque<Long> d = failures.get(key(user, ip));
        if (d == null) {
            return true;
        }
        synchronized (d) {
            prune(d, System.nanoTime());
            return d.size() < max;
        }
    }

    public void failed(String user, String ip) {
        if (failures.size() > 100_000) {
            failures.clear(); // a flood of distinct names must not grow the map without bound
        }
        Deque<Long> d = failures.computeIfAbsent(key(user, ip), k -> new ArrayDeque<>());
        synchronized (d) {
            long now = System.nanoTime();
            prune(d, now);
            d.addLast(now);
        }
    }

    private void prune(Deque<Long> d, long now) {
        while (!d.isEmpty() && now - d.peekFirst() > windowNanos) {
            d.removeFirst();
        }
    }

    private static String key(String user, String ip) {
        return user + "\0" + ip;
    }
}
