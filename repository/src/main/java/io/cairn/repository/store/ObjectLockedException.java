package io.cairn.repository.store;

import io.cairn.repository.error.RepositoryException;
import java.time.Instant;

/**
 * Thrown when the store refuses to delete an object because it is under retention (S3 Object Lock):
 * prune and gc skip such objects and report them, and try again once {@link #retainUntil()} has
 * passed.
 */
public final class ObjectLockedException extends RepositoryException {
    private static final long serialVersionUID = 1L;

    private final String key;
    private final transient Instant retainUntil;

    /** @param retainUntil when the retention ends, or null when the store did not say */
    public ObjectLockedException(String key, Instant retainUntil, String message) {
        super(message, null);
        this.key = key;
        this.retainUntil = retainUntil;
    }

    public String key() {
        return key;
    }

    /** When the retention ends, or null when the store did not say. */
    public Instant retainUntil() {
        return retainUntil;
    }
}
