package io.cairn.repository.error;

/** Thrown when no key file of an encrypted repository opens with the given password. */
public final class WrongPasswordException extends RepositoryException {
    private static final long serialVersionUID = 1L;

    public WrongPasswordException(String where) {
        super("wrong password for repository " + where + " (no key file opens with it)");
    }
}
