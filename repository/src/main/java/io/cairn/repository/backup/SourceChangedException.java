package io.cairn.repository.backup;

import io.cairn.repository.error.RepositoryException;

/** Thrown when a source disk changes size or ends early during a backup; nothing is committed. */
public final class SourceChangedException extends RepositoryException {
    private static final long serialVersionUID = 1L;

    public SourceChangedException(String message) {
        super(message);
    }
}
