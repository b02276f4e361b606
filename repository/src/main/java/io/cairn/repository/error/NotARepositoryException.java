package io.cairn.repository.error;

/** Thrown when a directory is missing, or is not a cairn repository, or is of an unsupported version. */
public final class NotARepositoryException extends RepositoryException {
    private static final long serialVersionUID = 1L;

    public NotARepositoryException(String message) {
        super(message);
    }
}
