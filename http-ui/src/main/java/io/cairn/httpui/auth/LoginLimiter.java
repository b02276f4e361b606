package io.cairn.httpui.auth;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Failed logins per user name and client address in a sliding window: once {@code max} failures
 * are in the window, further attempts are refused (429) until the oldest ages out. A successful
 * login forgets that pair's failures.
 *
 * <p>Memory is bounded ({@code maxKeys} pairs) without ever lifting a lockout: when full, pairs
 * whose failures all aged out go first, then pairs below the limit. A flood of failures under
 * made-up names therefore costs the attacker its own entries, never someone else's lockout.
 */
public final class LoginLimiter {
    static final int MAX_KEYS = 100_000;

    private final int max;
    private final long windowNanos;
    private final int maxKeys;
    private final Map<String, Deque<Long>> failures = new ConcurrentHashMap<>();

    public LoginLimiter(int max, java.time.Duration window) {
        this(max, window, MAX_KEYS);
    }

    LoginLimiter(int max, java.time.Duration window, int maxKeys) {
        this.max = max;
        this.windowNanos = window.toNanos();
        this.maxKeys = maxKeys;
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

    /** A successful login: the pair starts again from no failures. */
    public void succeeded(String user, String ip) {
        failures.remove(key(user, ip));
    }

    public void failed(String user, String ip) {
        if (failures.size() >= maxKeys) {
            shrink(System.nanoTime());
        }
        Deque<Long> d = failures.computeIfAbsent(key(user, ip), k -> new ArrayDeque<>());
        synchronized (d) {
            long now = System.nanoTime();
            prune(d, now);
            d.addLast(now);
        }
    }

    /** Makes room: pairs whose failures aged out, then (if still full) pairs not locked out. */
    private void shrink(long now) {
        failures.entrySet().removeIf(e -> {
            synchronized (e.getValue()) {
                prune(e.getValue(), now);
                return e.getValue().isEmpty();
            }
        });
        if (failures.size() >= maxKeys) {
            failures.entrySet().removeIf(e -> {
                synchronized (e.getValue()) {
                    return e.getValue().size() < max;
                }
            });
        }
    }

    /** How many pairs are tracked (for tests). */
    int tracked() {
        return failures.size();
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
