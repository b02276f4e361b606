package io.cairn.httpui.web;

import io.cairn.httpui.audit.AuditLog;
import io.cairn.httpui.auth.LoginGate;
import io.cairn.httpui.auth.LoginLimiter;
import io.cairn.httpui.auth.Role;
import io.cairn.httpui.auth.Sessions;
import io.cairn.httpui.auth.Users;
import io.cairn.httpui.http.Api;
import io.cairn.httpui.http.ApiException;
import io.cairn.httpui.http.Authorization;
import io.cairn.httpui.http.Body;
import io.javalin.http.Context;
import java.io.IOException;

/**
 * Logging in and out, who is logged in, and the user list: {@code POST /login} (public, rate limited
 * per user name and client address and per client address, at most a few password checks at once),
 * {@code POST /logout}, {@code GET /me}, {@code POST /me/password} (one's own password), {@code GET
 * /users} (admin).
 * The session id travels only in the {@code Secure; HttpOnly; SameSite=Strict} cookie; the CSRF token
 * in the answers of login and me.
 */
final class SessionController {
    /** The logged-in user as the pages see them. */
    record Me(String user, String role, String csrf) {
        static Me of(Sessions.Session s) {
            return new Me(s.user(), s.role().jsonName(), s.csrf());
        }
    }

    /** A user of the UI, without the password hash. */
    record UserView(String name, String role) {}

    private record LoggedOut(String user) {}

    private final Users users;
    private final Sessions sessions;
    private final LoginLimiter limiter;
    private final LoginGate gate;
    private final AuditLog audit;

    SessionController(Users users, Sessions sessions, LoginLimiter limiter, LoginGate gate, AuditLog audit) {
        this.users = users;
        this.sessions = sessions;
        this.limiter = limiter;
        this.gate = gate;
        this.audit = audit;
    }

    void login(Context ctx) throws IOException {
        Body b = Body.of(ctx);
        String user = b.text("user");
        String password = b.text("password");
        String ip = ctx.ip();
        if (user.length() > 256 || password.length() > 1024) {
            throw ApiException.badRequest("user or password too long");
        }
        LoginLimiter.Refusal refused = limiter.check(user, ip);
        if (refused != null) {
            audit.record(user, ip, "login", null, null, null, "rate-limited");
            throw new ApiException(
                    429,
                    refused == LoginLimiter.Refusal.ADDRESS
                            ? "too many failed logins from this address; wait a minute"
                            : "too many failed logins; wait a minute");
        }
        Role role = authenticate(user, password.toCharArray());
        if (role == null) {
            limiter.failed(user, ip);
            audit.record(user, ip, "login", null, null, null, "failed");
            throw new ApiException(401, "wrong user name or password");
        }
        limiter.succeeded(user, ip);
        Sessions.Session old = sessions.get(ctx.cookie(Sessions.COOKIE));
        if (old != null) {
            sessions.invalidate(old.id());
        }
        Sessions.Session s = sessions.create(user, role);
        ctx.header("Set-Cookie", Sessions.COOKIE + "=" + s.id() + "; Path=/; Secure; HttpOnly; SameSite=Strict");
        audit.record(user, ip, "login", null, null, null, "ok");
        Api.json(ctx, 200, Me.of(s));
    }

    /**
     * The password check behind the {@link LoginGate}: 503 at once when too many are in flight, so
     * waiting logins never hold more than a few of the server's threads.
     */
    private Role authenticate(String user, char[] password) {
        if (!gate.tryEnter()) {
            throw new ApiException(503, "the server is busy checking other logins; try again in a moment");
        }
        try {
            return users.authenticate(user, password);
        } finally {
            gate.exit();
            java.util.Arrays.fill(password, '\0');
        }
    }

    /**
     * {@code POST /me/password {"current", "password"}}: the logged-in user changes their own
     * password. The current one is checked like a login (the same limits, a wrong one counts as a
     * failed login), every session of the user ends, and this browser gets a new one (new cookie and
     * CSRF token in the answer).
     */
    void password(Context ctx) throws IOException {
        Sessions.Session s = Authorization.session(ctx);
        Body b = Body.of(ctx);
        String current = b.text("current");
        String next = b.text("password");
        String ip = ctx.ip();
        if (current.length() > 1024 || next.length() > 1024) {
            throw ApiException.badRequest("password too long (at most 1024 characters)");
        }
        if (next.length() < 8) {
            throw ApiException.badRequest("'password': a password has at least 8 characters");
        }
        LoginLimiter.Refusal refused = limiter.check(s.user(), ip);
        if (refused != null) {
            audit.record(s.user(), ip, "passwd", null, null, null, "rate-limited");
            throw new ApiException(429, "too many wrong passwords; wait a minute");
        }
        if (!gate.tryEnter()) {
            throw new ApiException(503, "the server is busy checking other logins; try again in a moment");
        }
        try {
            char[] cur = current.toCharArray();
            Role role;
            try {
                role = users.authenticate(s.user(), cur);
            } finally {
                java.util.Arrays.fill(cur, '\0');
            }
            if (role == null) {
                limiter.failed(s.user(), ip);
                audit.record(s.user(), ip, "passwd", null, null, null, "failed");
                throw new ApiException(403, "the current password is wrong");
            }
            char[] pw = next.toCharArray();
            try {
                users.changePassword(s.user(), pw);
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest(e.getMessage());
            } finally {
                java.util.Arrays.fill(pw, '\0');
            }
        } finally {
            gate.exit();
        }
        sessions.invalidateUser(s.user());
        Sessions.Session fresh = sessions.create(s.user(), s.role());
        ctx.header("Set-Cookie", Sessions.COOKIE + "=" + fresh.id() + "; Path=/; Secure; HttpOnly; SameSite=Strict");
        audit.record(s.user(), ip, "passwd", null, null, null, "ok");
        Api.json(ctx, 200, Me.of(fresh));
    }

    void logout(Context ctx) {
        Sessions.Session s = Authorization.session(ctx);
        sessions.invalidate(s.id());
        ctx.header("Set-Cookie", Sessions.COOKIE + "=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0");
        audit.record(s.user(), ctx.ip(), "logout", null, null, null, "ok");
        Api.json(ctx, 200, new LoggedOut(s.user()));
    }

    void me(Context ctx) {
        Api.json(ctx, 200, Me.of(Authorization.session(ctx)));
    }

    void users(Context ctx) {
        Api.json(
                ctx,
                200,
                users.list().stream().map(u -> new UserView(u.name(), u.role())).toList());
    }
}
