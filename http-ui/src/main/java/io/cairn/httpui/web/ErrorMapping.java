package io.cairn.httpui.web;

import io.cairn.httpui.files.Archives;
import io.cairn.httpui.files.PathOutsideBackupException;
import io.cairn.httpui.http.Api;
import io.cairn.httpui.http.ApiException;
import io.cairn.httpui.jobs.QueueFullException;
import io.cairn.httpui.vcenter.PasswordRequiredException;
import io.cairn.httpui.vcenter.SealedPasswordException;
import io.cairn.repository.error.BackupNotFoundException;
import io.cairn.repository.error.CorruptObjectException;
import io.cairn.repository.error.ObjectNotFoundException;
import io.cairn.repository.error.RepositoryException;
import io.cairn.repository.error.UnsafePathException;
import io.cairn.repository.lock.LockConflictException;
import io.cairn.repository.store.StoreFullException;
import io.cairn.vsphere.connect.VsphereException;
import io.cairn.vsphere.datastore.DatastoreHttpException;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.function.Consumer;

/**
 * The one translation of failures into answers: every exception a handler throws becomes a status and
 * {@code {"error": "one line"}} here, and nowhere else. The table (docs/web-ui.md has it too):
 *
 * <table>
 *   <tr><th>thrown</th><th>status</th><th>the line</th></tr>
 *   <tr><td>{@link ApiException} (bad input, unknown job, 401/403 from authorization, …)</td><td>its own</td><td>its message</td></tr>
 *   <tr><td>Javalin's {@link HttpResponseException} (a body over the limit)</td><td>its own (413)</td><td>its message</td></tr>
 *   <tr><td>{@link PathOutsideBackupException}</td><td>400</td><td>path outside the backup</td></tr>
 *   <tr><td>{@link UnsafePathException} (a restore target or root outside what is allowed, a link on the way)</td><td>400</td><td>its message</td></tr>
 *   <tr><td>{@link VsphereException} (login refused, thumbprint mismatch, fault, unreachable), {@link DatastoreHttpException}</td><td>400</td><td>its message, naming the server</td></tr>
 *   <tr><td>{@link PasswordRequiredException} (a vCenter connection's URL, user or certificate changed without its password)</td><td>400</td><td>its message</td></tr>
 *   <tr><td>{@link NoSuchFileException}</td><td>404</td><td>no such file or directory</td></tr>
 *   <tr><td>{@link BackupNotFoundException}</td><td>404</td><td>its message</td></tr>
 *   <tr><td>{@link SealedPasswordException}</td><td>409</td><td>its message (enter the password again)</td></tr>
 *   <tr><td>{@link CorruptObjectException}, {@link ObjectNotFoundException}</td><td>500</td><td>damaged repository: the object (run a check)</td></tr>
 *   <tr><td>any other {@link RepositoryException}</td><td>500</td><td>its message</td></tr>
 *   <tr><td>{@link FileSystemException} reading the backup's files (an I/O error in the mount)</td><td>500</td><td>reading the backup's files failed: the reason (the repository may be damaged: run a check)</td></tr>
 *   <tr><td>{@link QueueFullException} (as many jobs of that kind queued as the server takes)</td><td>503</td><td>its message</td></tr>
 *   <tr><td>{@link LockConflictException}</td><td>503</td><td>the repository is busy with maintenance (who holds it); try again shortly</td></tr>
 *   <tr><td>{@link StoreFullException}</td><td>507</td><td>the repository's disk is full: …</td></tr>
 *   <tr><td>{@link Archives.ClientGoneException}</td><td>none</td><td>(nobody left to answer)</td></tr>
 *   <tr><td>anything else</td><td>500</td><td>internal error (the details only in the server log)</td></tr>
 * </table>
 *
 * <p>An {@link UncheckedIOException} is answered as its cause. Messages are cut to their first line
 * and {@value #MAX_MESSAGE} characters. A response already streaming when its handler fails is cut
 * short instead (Jetty closes the connection before Content-Length is reached).
 */
public final class ErrorMapping {
    static final int MAX_MESSAGE = 1000;

    /**
     * An answer.
     *
     * @param status 0 when there is nobody left to answer
     * @param logged whether the server log should say so too (failures of the server, not of the request)
     */
    record Answer(int status, String message, boolean logged) {}

    /** The body of every error answer. */
    record ErrorBody(String error) {}

    private final Consumer<String> log;

    public ErrorMapping(Consumer<String> log) {
        this.log = log;
    }

    /** Installs the mapping, and JSON answers for unmatched API paths (404) and methods (405). */
    public void install(Javalin app) {
        app.exception(Exception.class, this::handle);
        app.error(404, ctx -> {
            // Javalin answers an unmatched path itself, in text/plain; our own 404s are JSON already
            String type = ctx.res().getContentType();
            if (ctx.path().startsWith("/api/") && (type == null || !type.startsWith("application/json"))) {
                Api.json(ctx, 404, new ErrorBody("no such endpoint"));
            }
        });
        app.error(405, ctx -> Api.json(ctx, 405, new ErrorBody("method not allowed")));
    }

    void handle(Exception e, Context ctx) {
        Answer a = answer(e);
        if (a.status() == 0) {
            return;
        }
        if (a.logged()) {
            log.accept(
                    a.message().equals(INTERNAL)
                            ? "internal error on " + ctx.method() + " " + ctx.path() + ": " + e + where(e)
                            : ctx.method() + " " + ctx.path() + " failed: " + a.message());
        }
        if (ctx.res().isCommitted()) {
            return;
        }
        Api.json(ctx, a.status(), new ErrorBody(a.message()));
    }

    private static final String INTERNAL = "internal error";

    /** The answer to {@code e}, see the table above. */
    static Answer answer(Throwable e) {
        if (e instanceof UncheckedIOException u && u.getCause() != null) {
            return answer(u.getCause());
        }
        if (e instanceof ApiException a) {
            return client(a.status(), a.getMessage());
        }
        if (e instanceof HttpResponseException h) {
            return client(
                    h.getStatus(), h.getStatus() == 413 ? "request body too large (at most 64 KiB)" : h.getMessage());
        }
        if (e instanceof Archives.ClientGoneException) {
            return new Answer(0, "", false);
        }
        if (e instanceof PathOutsideBackupException) {
            return client(400, "path outside the backup");
        }
        if (e instanceof UnsafePathException) {
            return client(400, e.getMessage());
        }
        if (e instanceof VsphereException || e instanceof DatastoreHttpException) {
            return client(400, e.getMessage());
        }
        if (e instanceof PasswordRequiredException) {
            return client(400, e.getMessage());
        }
        if (e instanceof NoSuchFileException) {
            return client(404, "no such file or directory");
        }
        if (e instanceof BackupNotFoundException) {
            return client(404, e.getMessage());
        }
        if (e instanceof SealedPasswordException) {
            return client(409, e.getMessage());
        }
        if (e instanceof QueueFullException) {
            return client(503, e.getMessage());
        }
        if (e instanceof LockConflictException) {
            return server(503, "the repository is busy with maintenance (" + e.getMessage() + "); try again shortly");
        }
        if (e instanceof StoreFullException) {
            return server(507, "the repository's disk is full: " + e.getMessage());
        }
        if (e instanceof CorruptObjectException || e instanceof ObjectNotFoundException) {
            return server(500, "damaged repository: " + e.getMessage() + " (run a check)");
        }
        if (e instanceof RepositoryException) {
            return server(500, e.getMessage());
        }
        if (e instanceof FileSystemException f) {
            // the file is a path in the server's mount: the reason is what the client can use
            // a chunk the mount cannot read (damaged, missing) reaches us as EIO
            return server(
                    500,
                    "reading the backup's files failed: " + (f.getReason() == null ? "I/O error" : f.getReason())
                            + " (the repository may be damaged: run a check)");
        }
        return new Answer(500, INTERNAL, true);
    }

    private static Answer client(int status, String message) {
        return new Answer(status, oneLine(message), false);
    }

    private static Answer server(int status, String message) {
        return new Answer(status, oneLine(message), true);
    }

    static String oneLine(String message) {
        if (message == null || message.isBlank()) {
            return "error";
        }
        String line = message.strip().lines().findFirst().orElse("error");
        return line.length() <= MAX_MESSAGE ? line : line.substring(0, MAX_MESSAGE - 1) + "…";
    }

    /** Where an internal error was thrown, for the log: the first frame. */
    private static String where(Throwable e) {
        StackTraceElement[] st = e.getStackTrace();
        return st.length == 0 ? "" : " at " + st[0];
    }
}
