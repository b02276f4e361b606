package io.cairn.httpui.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reading request bodies and writing JSON answers, the same way for every route of the API. Answers
 * are Jackson-serialized records (or lists and maps of them); nothing builds JSON by hand.
 */
public final class Api {
    /** Largest request body read (JSON only: uploads do not go through the API). */
    public static final int MAX_BODY = 64 * 1024;

    private static final ObjectMapper JSON = new ObjectMapper();

    private Api() {}

    /**
     * The request body as a JSON object: 413 above {@link #MAX_BODY}, 400 when not a JSON object;
     * an empty body is an empty object (a POST without parameters).
     */
    public static JsonNode body(Context ctx) throws IOException {
        if (ctx.req().getContentLengthLong() > MAX_BODY) {
            throw new ApiException(413, "request body too large (at most 64 KiB)");
        }
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (InputStream in = ctx.req().getInputStream()) {
            byte[] buf = new byte[8192];
            int r;
            while ((r = in.read(buf)) > 0) {
                b.write(buf, 0, r);
                if (b.size() > MAX_BODY) {
                    throw new ApiException(413, "request body too large (at most 64 KiB)");
                }
            }
        }
        if (b.size() == 0) {
            return JSON.createObjectNode();
        }
        JsonNode n;
        try {
            n = JSON.readTree(b.toByteArray());
        } catch (IOException e) {
            throw ApiException.badRequest("the request body is not valid JSON");
        }
        if (n == null || !n.isObject()) {
            throw ApiException.badRequest("the request body must be a JSON object");
        }
        return n;
    }

    /** {@code body} as JSON with {@code status}, never cached. */
    public static void json(Context ctx, int status, Object body) {
        try {
            ctx.status(status)
                    .contentType("application/json")
                    .header("Cache-Control", "no-store")
                    .result(JSON.writeValueAsBytes(body));
        } catch (IOException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }
}
