package io.cairn.repository.error;

/** Thrown when a stored object exists but its bytes fail a format, checksum, tag or id check. */
public final class CorruptObjectException extends RepositoryException {
    private static final long serialVersionUID = 1L;
    private final String key;

    public CorruptObjectException(String key, String reason) {
        super(key + " is damaged: " + reason);
        this.key = key;
    }

    public String key() {
        return key;
    }
}
