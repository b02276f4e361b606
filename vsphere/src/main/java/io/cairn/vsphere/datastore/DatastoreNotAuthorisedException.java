package io.cairn.vsphere.datastore;

/**
 * Thrown on HTTP 401 or 403 from the datastore HTTP interface: the session cookie is not (or no
 * longer) accepted. The caller logs in again and retries the request.
 */
public final class DatastoreNotAuthorisedException extends DatastoreHttpException {
    private static final long serialVersionUID = 1L;

    public DatastoreNotAuthorisedException(int status, String message) {
        super(status, message);
    }
}
