package io.cairn.httpui.http;

import io.javalin.security.RouteRole;

/**
 * The one access marker that is not a {@link io.cairn.httpui.auth.Role}: {@link #PUBLIC} opens a route
 * to anyone, logged in or not (the login, the OpenAPI document, the fallback page). Every route states
 * its access when it is registered ({@link Routes}); a route that somehow has none is refused
 * ({@link Authorization}).
 */
public enum Access implements RouteRole {
    /** Open to anyone. Given explicitly, never assumed. */
    PUBLIC
}
