package io.cairn.vsphere.datastore;

import java.io.IOException;

/**
 * Thrown when the datastore HTTP interface answers with a status the operation did not expect
 * (other than 404, which is a {@link java.nio.file.NoSuchFileException}); the message holds the
 * status line and the file.
 */
public class DatastoreHttpException extends IOException {
    private static final long serialVersionUID = 1L;

    private final int status;

    public DatastoreHttpException(int status, String message) {
        super(message);
        this.status = status;
    }

    /** The HTTP status code, or -1 when the answer was not a valid HTTP response for the request. */
    public int status() {
        return status;
    }
}
