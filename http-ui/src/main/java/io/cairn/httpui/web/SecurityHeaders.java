package io.cairn.httpui.web;

import io.javalin.Javalin;
import java.util.Map;

/**
 * Sent with every answer (pages, API, errors): the pages load only cairn's own files (no inline
 * script, no other origin, no framing), so a file name or a VM name that slipped past textContent
 * still could not run as script, and another site cannot frame the UI to trick a click. HSTS tells
 * the browser to come back over HTTPS only for a year (the server speaks nothing else), so a network
 * attacker cannot downgrade a later visit typed as {@code http://}; not for subdomains, which are
 * not the appliance's to speak for.
 */
final class SecurityHeaders {
    static final Map<String, String> HEADERS = Map.of(
            "Content-Security-Policy",
                    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
                            + " connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
            "X-Frame-Options", "DENY",
            "Referrer-Policy", "no-referrer",
            "X-Content-Type-Options", "nosniff",
            "Strict-Transport-Security", "max-age=31536000");

    private SecurityHeaders() {}

    static void install(Javalin app) {
        app.before(ctx -> HEADERS.forEach(ctx::header));
    }
}
