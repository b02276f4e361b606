package io.cairn.httpui.auth;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Failed logins in a sliding window, counted twice: per user name and client address (a guessed
 * password for one account), and per client address whatever the name (a flood under made-up
 * names, which the first count never sees). Once either count holds its maximum, further attempts
 * from there are refused (429) until the oldest failure ages out. A successful login forgets that
 * pair's failures, not the address's: one known account does not buy an address more guesses.
 *
 * <p>Memory is bounded ({@code maxKeys} entries per count) without ever lifting a lockout: when full,
 * entries whose failures all aged out go first, then entries below the limit. A flood of failures
 * under made-up names therefore costs the attacker its own entries, never someone else's lockout.
 */
public final class LoginLimiter {
    static final int MAX_KEYS = 100_000;

    /** Why an attempt is refused. */
    public enum Refusal {
        /** Too many failures for this user name from this address. */
        USER,
        /** Too many failures from this address, whatever the names. */
        ADDRESS
    }

    private final Window pairs;
    private final Window addresses;

    /** Per user name and address only (no budget per address): tests of that count alone. */
    public LoginLimiter(int max, Duration window) {
        this(max, Integer.MAX_VALUE, window, MAX_KEYS);
    }

    LoginLimiter(int max, Duration window, int maxKeys) {
        this(max, Integer.MAX_VALUE, window, maxKeys);
    }

    /**
     * @param perUser failures per user name and address within {@code window} before 429
     * @param perAddress failures per address within {@code window}, whatever the names, before 429
     */
    public LoginLimiter(int perUser, int perAddress, Duration window) {
        this(perUser, perAddress, window, MAX_KEYS);
    }

    LoginLimiter(int perUser, int perAddress, Duration window, int maxKeys) {
        this.pairs = new Window(perUser, window.toNanos(), maxKeys);
        this.addresses = new Window(perAddress, window.toNanos(), maxKeys);
    }

    /** Null when an attempt may go ahead, else why not. */
    public Refusal check(String user, String ip) {
        ip = network(ip);
        if (!addresses.allowed(ip)) {
            return Refusal.ADDRESS;
        }
        if (!pairs.allowed(key(user, ip))) {
            return Refusal.USER;
        }
        return null;
    }

    public boolean allowed(String user, String ip) {
        return check(user, ip) == null;
    }

    /** A successful login: the pair starts again from no failures (the address keeps its count). */
    public void succeeded(String user, String ip) {
        pairs.forget(key(user, network(ip)));
    }

    public void failed(String user, String ip) {
        ip = network(ip);
        pairs.failed(key(user, ip));
        addresses.failed(ip);
    }

    /** How many pairs are tracked (for tests). */
    int tracked() {
        return pairs.failures.size();
    }

    /** How many addresses are tracked (for tests). */
    int trackedAddresses() {
        return addresses.failures.size();
    }

    /**
     * Who is counted: an IPv4 address, or the /64 network of an IPv6 one (one host commonly holds a
     * whole /64, so counting its addresses one by one would give it 2^64 budgets).
     */
    static String network(String ip) {
        if (ip == null || ip.indexOf(':') < 0) {
            return ip;
        }
        try {
            byte[] a = java.net.InetAddress.getByName(ip.replaceAll("^\\[|\\]$|%.*$", ""))
                    .getAddress();
            if (a.length != 16) {
                return ip; // an IPv4-mapped address comes back as 4 bytes: counted as itself
            }
            return java.util.HexFormat.of().formatHex(a, 0, 8) + "::/64";
        } catch (java.net.UnknownHostException e) {
            return ip; // not a literal address: counted as given
        }
    }

    private static String key(String user, String ip) {
        return user + "\0" + ip;
    }

    /** Failure times per key in a sliding window, at most {@code maxKeys} keys. */
    private static final class Window {
        private final int max;
        private final long windowNanos;
        private final int maxKeys;
        private final Map<String, Deque<Long>> failures = new ConcurrentHashMap<>();

        Window(int max, long windowNanos, int maxKeys) {
            this.max = max;
            this.windowNanos = windowNanos;
            this.maxKeys = maxKeys;
        }

        boolean allowed(String key) {
            Deque<Long> d = failures.get(key);
            if (d == null) {
                return true;
            }
            synchronized (d) {
                prune(d, System.nanoTime());
                return d.size() < max;
            }
        }

        void forget(String key) {
            failures.remove(key);
        }

        void failed(String key) {
            if (failures.size() >= maxKeys) {
                shrink(System.nanoTime());
            }
            Deque<Long> d = failures.computeIfAbsent(key, k -> new ArrayDeque<>());
            synchronized (d) {
                long now = System.nanoTime();
                prune(d, now);
                if (d.size() < max) { // a locked-out key needs no more entries to stay locked out
                    d.addLast(now);
                }
            }
        }

        /** Makes room: keys whose failures aged out, then (if still full) keys not locked out. */
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

        private void prune(Deque<Long> d, long now) {
            while (!d.isEmpty() && now - d.peekFirst() > windowNanos) {
                d.removeFirst();
            }
        }
    }
}
