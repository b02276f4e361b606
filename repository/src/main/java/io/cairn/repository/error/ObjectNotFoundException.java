package io.cairn.repository.error;

/** Thrown when an object the caller expects (a chunk, an index, a manifest) is not in the store. */
public final class ObjectNotFoundException extends RepositoryException {
    private static final long serialVersionUID = 1L;
    private final String key;

    public ObjectNotFoundException(String key, String where) {
        super(key + " is missing from " + where);
        this.key = key;
    }

    public String key() {
        return key;
    }
}
