package io.cairn.repository.lock;

import io.cairn.repository.error.RepositoryException;

/** Thrown when an operation cannot take its lock because a live, conflicting lock is held. */
public final class LockConflictException extends RepositoryException {
    private static final long serialVersionUID = 1L;

    public LockConflictException(String message) {
        super(message);
    }
}
