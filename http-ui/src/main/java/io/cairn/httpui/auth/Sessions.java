package io.cairn.httpui.auth;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Server-side sessions: 256-bit random ids, each with its user, role and CSRF token; a session
 * not used for the idle timeout is gone. Thread-safe.
 */
public final class Sessions {
    /** The session cookie's name. */
    public static final String COOKIE = "cairn_session";

    /** One logged-in browser. */
    public record Session(String id, String user, Role role, String csrf) {}

    private record Entry(Session session, long lastUsedNanos) {}

    private static final SecureRandom RANDOM = new SecureRandom();
    private final Map<String, Entry> sessions = new ConcurrentHashMap<>();
    private final long idleNanos;

    public Sessions(Duration idleTimeout) {
        this.idleNanos = idleTimeout.toNanos();
    }

    public Session create(String user, Role role) {
        expire();
        Session s = new Session(random(), user, role, random());
        sessions.put(s.id(), new Entry(s, System.nanoTime()));
        return s;
    }

    /** The session with this id, touched, or null when unknown or idle too long. */
    public Session get(String id) {
        if (id == null) {
            return null;
        }
        long now = System.nanoTime();
        Entry e = sessions.get(id);
        if (e == null) {
            return null;
        }
        if (now - e.lastUsedNanos() > idleNanos) {
            sessions.remove(id);
            return null;
        }
        sessions.put(id, new Entry(e.session(), now));
        return e.session();
    }

    public void invalidate(String id) {
        if (id != null) {
            sessions.remove(id);
        }
    }

    private void expire() {
        long now = System.nanoTime();
        sessions.values().removeIf(e -> now - e.lastUsedNanos() > idleNanos);
    }

    private static String random() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
