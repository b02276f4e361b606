package io.cairn.httpui.auth;

import java.util.concurrent.Semaphore;

/**
 * How many requests may be checking a password at once (a login, a password change): each costs a
 * scrypt call of 32 MiB and tens of milliseconds, and waits for one of the few scrypt slots
 * ({@link Users}). Beyond the limit a request is turned away at once instead of queueing, so a
 * burst of logins holds at most this many of the web server's threads and the rest of the UI keeps
 * answering.
 */
public final class LoginGate {
    private final Semaphore slots;

    /** @param limit password checks in flight at once, waiting ones included */
    public LoginGate(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1");
        }
        this.slots = new Semaphore(limit);
    }

    /** A place for one password check, or false when all are taken (answer 503 and let the client retry). */
    public boolean tryEnter() {
        return slots.tryAcquire();
    }

    /** Gives back the place taken by a successful {@link #tryEnter}. */
    public void exit() {
        slots.release();
    }
}
