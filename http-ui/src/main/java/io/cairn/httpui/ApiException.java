package io.cairn.httpui;

/**
 * A request that cannot be answered as asked: the status and the one line the client sees as
 * {@code {"error": "..."}}. Thrown anywhere in a handler, translated once by the server.
 */
public final class ApiException extends RuntimeException {
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
