package io.cairn.httpui.http;

/**
 * A request that cannot be answered as asked: the status and the one line the client sees as
 * {@code {"error": "..."}}. Thrown anywhere in a handler, translated by the web layer's one error
 * mapping.
 */
public final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;

    public ApiException(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    public int status() {
        return status;
    }

    public static ApiException badRequest(String m) {
        return new ApiException(400, m);
    }

    public static ApiException notFound(String m) {
        return new ApiException(404, m);
    }
}
