package io.cairn.httpui.auth;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Server-side sessions: 256-bit random ids, each with its user, role and CSRF token. A session ends
 * when it was not used for the idle timeout, when it is older than its absolute lifetime however
 * much it is used, and when its user's account changed after the login: a new role, a new password
 * or the user removed (see {@link Accounts}), also when another process ({@code cairn user})
 * changed it. Each user keeps at most {@link #PER_USER} sessions (the least recently used one ends
 * first), so logins in a loop cannot fill the memory. Thread-safe.
 */
public final class Sessions {
    /** The session cookie's name. */
    public static final String COOKIE = "cairn_session";

    /** Sessions one user may have at once; a further login ends the least recently used one. */
    static final int PER_USER = 16;

    /** One logged-in browser. */
    public record Session(String id, String user, Role role, String csrf) {}

    /**
     * What a session is checked against at each use: a stamp of the user's account that changes when
     * its role or password does, or null when the user no longer exists.
     */
    @FunctionalInterface
    public interface Accounts {
        String stamp(String user);

        /** No account checks (tests of the session rules alone): every user exists and never changes. */
        Accounts NONE = user -> "";
    }

    private record Entry(Session session, String stamp, long createdNanos, long lastUsedNanos) {
        Entry touched(long now) {
            return new Entry(session, stamp, createdNanos, now);
        }
    }

    private static final SecureRandom RANDOM = new SecureRandom();
    private final Map<String, Entry> sessions = new ConcurrentHashMap<>();
    private final long idleNanos;
    private final long lifetimeNanos;
    private final Accounts accounts;

    /** Sessions with an idle timeout only, not checked against accounts (tests of the idle rule). */
    public Sessions(Duration idleTimeout) {
        this(idleTimeout, Duration.ofDays(3650), Accounts.NONE);
    }

    /**
     * @param idleTimeout a session not used for this long ends
     * @param lifetime a session ends this long after its login, used or not
     * @param accounts the users' account stamps a session must still match
     */
    public Sessions(Duration idleTimeout, Duration lifetime, Accounts accounts) {
        this.idleNanos = idleTimeout.toNanos();
        this.lifetimeNanos = lifetime.toNanos();
        this.accounts = Objects.requireNonNull(accounts, "accounts");
    }

    /**
     * A new session for a user who just proved their password.
     *
     * @throws IllegalStateException when the user does not exist (any more)
     */
    public Session create(String user, Role role) {
        long now = System.nanoTime();
        expire(now);
        String stamp = accounts.stamp(user);
        if (stamp == null) {
            throw new IllegalStateException("no user '" + user + "'");
        }
        Session s = new Session(random(), user, role, random());
        sessions.put(s.id(), new Entry(s, stamp, now, now));
        limit(user);
        return s;
    }

    /** The session with this id, touched, or null when unknown or ended (see the class comment). */
    public Session get(String id) {
        Entry e = live(id);
        if (e == null) {
            return null;
        }
        sessions.replace(id, e, e.touched(System.nanoTime()));
        return e.session();
    }

    /**
     * Whether the session still lives, without counting this as a use (an open event stream asks
     * this now and then, so it ends with its session but does not keep it alive).
     */
    public boolean isLive(String id) {
        return live(id) != null;
    }

    public void invalidate(String id) {
        if (id != null) {
            sessions.remove(id);
        }
    }

    /** Ends every session of {@code user} (a password changed: the other browsers must log in again). */
    public void invalidateUser(String user) {
        sessions.values().removeIf(e -> e.session().user().equals(user));
    }

    /** How many sessions are kept (for tests). */
    int size() {
        return sessions.size();
    }

    private Entry live(String id) {
        if (id == null) {
            return null;
        }
        Entry e = sessions.get(id);
        if (e == null) {
            return null;
        }
        if (ended(e, System.nanoTime())
                || !e.stamp().equals(accounts.stamp(e.session().user()))) {
            sessions.remove(id, e);
            return null;
        }
        return e;
    }

    private boolean ended(Entry e, long now) {
        return now - e.lastUsedNanos() > idleNanos || now - e.createdNanos() > lifetimeNanos;
    }

    private void expire(long now) {
        sessions.values().removeIf(e -> ended(e, now));
    }

    /** Ends the least recently used sessions of {@code user} beyond {@link #PER_USER}. */
    private void limit(String user) {
        List<Entry> mine = sessions.values().stream()
                .filter(e -> e.session().user().equals(user))
                .sorted(Comparator.comparingLong(Entry::lastUsedNanos))
                .toList();
        for (int i = 0; i < mine.size() - PER_USER; i++) {
            sessions.remove(mine.get(i).session().id());
        }
    }

    private static String random() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
