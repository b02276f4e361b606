package io.cairn.httpui.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.Context;
import java.io.IOException;

/**
 * A request's JSON object body with typed, checked access to its fields: a field of the wrong type
 * is a 400 naming the field, never a default that hides the mistake.
 */
public final class Body {
    private final JsonNode node;

    private Body(JsonNode node) {
        this.node = node;
    }

    /** Reads the body ({@link Api#body}: 413 above 64 KiB, 400 unless a JSON object; empty = {}). */
    public static Body of(Context ctx) throws IOException {
        return new Body(Api.body(ctx));
    }

    /** Whether the field is present and not null. */
    public boolean has(String field) {
        return node.hasNonNull(field);
    }

    /** The field as it came, or null when absent (for fields with a shape of their own). */
    public JsonNode get(String field) {
        return node.get(field);
    }

    /** A required string: 400 when absent, null or not a string. */
    public String text(String field) {
        String v = optionalText(field);
        if (v == null) {
            throw ApiException.badRequest("'" + field + "' is required (a string)");
        }
        return v;
    }

    /** A string, or null when absent or null; 400 when of another type. */
    public String optionalText(String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw ApiException.badRequest("'" + field + "' must be a string");
        }
        return v.asText();
    }

    /** A boolean, false when absent or null; 400 when of another type. */
    public boolean bool(String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return false;
        }
        if (!v.isBoolean()) {
            throw ApiException.badRequest("'" + field + "' must be true or false");
        }
        return v.booleanValue();
    }
}
