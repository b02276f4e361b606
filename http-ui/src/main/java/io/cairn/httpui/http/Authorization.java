package io.cairn.httpui.http;

import io.cairn.httpui.auth.Role;
import io.cairn.httpui.auth.Sessions;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.security.RouteRole;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Set;

/**
 * Who may call a route, decided before every matched route, deny by default: a route marked
 * {@link Access#PUBLIC} and the static pages are open; every other route needs a session (401 without one), the CSRF token
 * on POST/PUT/PATCH/DELETE (403) and every role it names (403 below it). A route registered without
 * any access rule (only possible by going around {@link Routes}) is refused to everyone, logged in or
 * not, rather than let through.
 *
 * <p>Every POST, PUT, PATCH and DELETE, public ones included, must also say {@code Content-Type:
 * application/json} (415 otherwise), body or not: an HTML form on another site can post only form
 * and text types without a CORS preflight, so no other page can make a browser log in to cairn (login
 * CSRF) or post anything else to it.
 */
public final class Authorization {
    /** The header every mutating request carries the session's CSRF token in. */
    public static final String CSRF_HEADER = "X-CSRF-Token";

    /**
     * Javalin runs before-matched handlers for the static pages too, as a match of {@code "*"} without
     * roles. The pages are opened by their one explicit configuration (the server's static files);
     * {@link Routes} refuses {@code "*"} as a route path, so nothing else matches it.
     */
    static final String STATIC_FILES = "*";

    private static final String SESSION = "cairn.session";

    private final Sessions sessions;

    public Authorization(Sessions sessions) {
        this.sessions = sessions;
    }

    /** The check, as Javalin's {@code beforeMatched} handler. */
    public void check(Context ctx) {
        Set<RouteRole> roles = ctx.routeRoles();
        HandlerType m = ctx.method();
        boolean mutating =
                m == HandlerType.POST || m == HandlerType.PUT || m == HandlerType.DELETE || m == HandlerType.PATCH;
        if (roles.contains(Access.PUBLIC) || (roles.isEmpty() && STATIC_FILES.equals(ctx.endpointHandlerPath()))) {
            if (mutating) {
                requireJson(ctx);
            }
            return;
        }
        Sessions.Session s = sessions.get(ctx.cookie(Sessions.COOKIE));
        if (s == null) {
            throw new ApiException(401, "not logged in");
        }
        if (mutating) {
            String token = ctx.header(CSRF_HEADER);
            if (token == null
                    || !MessageDigest.isEqual(
                            token.getBytes(StandardCharsets.UTF_8), s.csrf().getBytes(StandardCharsets.UTF_8))) {
                throw new ApiException(403, "missing or wrong CSRF token");
            }
        }
        if (roles.isEmpty()) {
            throw new ApiException(403, "this endpoint states no access rule, so it is refused (deny by default)");
        }
        for (RouteRole r : roles) {
            if (!(r instanceof Role role)) {
                throw new ApiException(403, "this endpoint's access rule is unknown, so it is refused");
            }
            if (!s.role().includes(role)) {
                throw new ApiException(403, "this needs the " + role.jsonName() + " role");
            }
        }
        if (mutating) {
            requireJson(ctx);
        }
        ctx.attribute(SESSION, s);
    }

    /** 415 unless the request says {@code Content-Type: application/json} (parameters such as a charset allowed). */
    private static void requireJson(Context ctx) {
        String type = ctx.header("Content-Type");
        String media = type == null ? "" : type.split(";", 2)[0].strip();
        if (!media.equalsIgnoreCase("application/json")) {
            throw new ApiException(415, "a POST, PUT or DELETE must send Content-Type: application/json");
        }
    }

    /**
     * The session {@link #check} let through, for a handler of a route that names a role.
     *
     * @throws IllegalStateException on a public route (a handler that needs a user must name a role)
     */
    public static Sessions.Session session(Context ctx) {
        Sessions.Session s = ctx.attribute(SESSION);
        if (s == null) {
            throw new IllegalStateException(ctx.path() + " reads the session but is not registered with a role");
        }
        return s;
    }
}
