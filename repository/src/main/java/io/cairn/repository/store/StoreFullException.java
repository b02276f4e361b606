package io.cairn.repository.store;

import io.cairn.repository.error.RepositoryException;

/** Thrown when a write fails because the store's filesystem (or quota) has no space left. */
public final class StoreFullException extends RepositoryException {
    private static final long serialVersionUID = 1L;

    public StoreFullException(String message, Throwable cause) {
        super(message, cause);
    }
}
