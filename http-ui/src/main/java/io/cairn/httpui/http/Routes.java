package io.cairn.httpui.http;

import io.cairn.httpui.auth.Role;
import io.javalin.Javalin;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import io.javalin.security.RouteRole;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Where routes are registered: each with its method, path, access and handler, the access required
 * (a {@link Role}, or {@link Access#PUBLIC} given explicitly). Nothing registers routes on the Javalin
 * instance directly ({@code OpenApiCoverageTest} checks the sources).
 */
public final class Routes {
    /** One registered route. */
    public record Route(HandlerType method, String path, RouteRole access) {}

    private final Javalin app;
    private final List<Route> registered = new ArrayList<>();

    public Routes(Javalin app) {
        this.app = app;
    }

    public void get(String path, RouteRole access, Handler handler) {
        add(HandlerType.GET, path, access, handler);
    }

    public void post(String path, RouteRole access, Handler handler) {
        add(HandlerType.POST, path, access, handler);
    }

    public void put(String path, RouteRole access, Handler handler) {
        add(HandlerType.PUT, path, access, handler);
    }

    public void delete(String path, RouteRole access, Handler handler) {
        add(HandlerType.DELETE, path, access, handler);
    }

    /** Every route registered so far, in order. */
    public List<Route> list() {
        return List.copyOf(registered);
    }

    private void add(HandlerType method, String path, RouteRole access, Handler handler) {
        Objects.requireNonNull(handler, "handler");
        if (path.equals(Authorization.STATIC_FILES)) {
            throw new IllegalArgumentException("'*' is where the static pages match, not a route path");
        }
        if (!(access instanceof Role) && access != Access.PUBLIC) {
            throw new IllegalArgumentException(
                    method + " " + path + ": the access must be a Role or Access.PUBLIC, not " + access);
        }
        app.addHttpHandler(method, path, handler, access);
        registered.add(new Route(method, path, access));
    }
}
