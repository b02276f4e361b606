package io.cairn.repository.error;

import java.io.IOException;

/**
 * Base of every error the repository reports. Messages name the object and the repository, e.g.
 * {@code writing chunks/3fa2/3fa2… to local:/srv/repo failed: No space left on device}.
 */
public class RepositoryException extends IOException {
    private static final long serialVersionUID = 1L;

    public RepositoryException(String message) {
        super(message);
    }

    public RepositoryException(String message, Throwable cause) {
        super(message, cause);
    }
}
