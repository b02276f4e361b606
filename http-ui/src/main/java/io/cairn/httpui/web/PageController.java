package io.cairn.httpui.web;

import io.cairn.httpui.http.ApiException;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;

/**
 * What anyone may read: the API's OpenAPI document ({@code GET /api/v1/openapi.json}) and, when the
 * pages are not on the class path (a build without them), a root page that says where the API is.
 * The pages themselves are static files, served before any route.
 */
final class PageController {
    private static final String OPENAPI = "/io/cairn/httpui/openapi.json";

    void openApi(Context ctx) throws IOException {
        try (InputStream in = PageController.class.getResourceAsStream(OPENAPI)) {
            if (in == null) {
                throw ApiException.notFound("the OpenAPI document is not in this build");
            }
            ctx.contentType("application/json").result(in.readAllBytes());
        }
    }

    void noPages(Context ctx) {
        ctx.contentType("text/html; charset=utf-8")
                .result("<!doctype html><title>cairn</title><p>The cairn web UI pages are not installed; the API is at "
                        + ApiRoutes.API + " (see " + ApiRoutes.API + "/openapi.json).</p>");
    }
}
