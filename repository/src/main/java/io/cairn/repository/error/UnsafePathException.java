package io.cairn.repository.error;

/**
 * Thrown when a path would leave the place it must stay in: a restore target outside every restore
 * root or inside the repository, a symbolic link on the way to it, or a file name from a manifest
 * that is not one plain name ({@code /}, {@code ..}, NUL, control characters). Nothing was written.
 */
public final class UnsafePathException extends RepositoryException {
    private static final long serialVersionUID = 1L;

    public UnsafePathException(String message) {
        super(message);
    }
}
