package io.cairn.httpui;

/**
 * A request that cannot be answered as asked: the status and the one line the client sees as
 * {@code {"error": "..."}}. Thrown anywhere in a handler, translated once by the server.
 */
final class ApiException extends RuntimeException {
    private final int status;

    ApiException(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    int status() {
        return status;
    }

    static ApiException badRequest(String m) {
        return new ApiException(400, m);
    }

    static ApiException notFound(String m) {
        return new ApiException(404, m);
    }
}
