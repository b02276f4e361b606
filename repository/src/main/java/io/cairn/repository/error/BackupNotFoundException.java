package io.cairn.repository.error;

/** Thrown when a backup named by the user does not exist or the name is ambiguous. */
public final class BackupNotFoundException extends RepositoryException {
    private static final long serialVersionUID = 1L;

    public BackupNotFoundException(String message) {
        super(message);
    }
}
