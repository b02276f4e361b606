package io.cairn.httpui.web;

import io.cairn.httpui.audit.AuditLog;
import io.cairn.httpui.auth.Sessions;
import io.cairn.httpui.catalog.Catalog;
import io.cairn.httpui.files.Archives;
import io.cairn.httpui.files.BackupFiles;
import io.cairn.httpui.files.FileSender;
import io.cairn.httpui.http.Api;
import io.cairn.httpui.http.ApiException;
import io.cairn.httpui.http.Authorization;
import io.cairn.repository.Repository;
import io.cairn.repository.lock.Lock;
import io.javalin.http.Context;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * A backup's files, read through the server's FUSE view and confined to that backup ({@link
 * BackupFiles}): {@code GET /backups/{id}/files?path=} (a directory), {@code /search?q=&path=} (names
 * containing q, case- and accent-insensitive, at most 200), and for operators {@code /download?path=}
 * (a file) and {@code /archive?format=zip|tar.gz&path=} (a directory, streamed). Downloads and archives
 * are audited; one cut short is cut off (no Content-Length pretending to be complete).
 */
final class FileController {
    private static final int MAX_HITS = 200;

    /** How long a download waits for a running gc before answering 503. */
    private static final Duration LOCK_WAIT = Duration.ofSeconds(30);

    record EntryView(String name, String type, long size, String modified) {}

    record Listing(String path, List<EntryView> entries) {}

    record Hit(String path, long size, String modified) {}

    private final Repository repo;
    private final Catalog catalog;
    private final BackupFiles files;
    private final AuditLog audit;
    private final Consumer<String> log;

    FileController(Repository repo, Catalog catalog, BackupFiles files, AuditLog audit, Consumer<String> log) {
        this.repo = repo;
        this.catalog = catalog;
        this.files = files;
        this.audit = audit;
        this.log = log;
    }

    void list(Context ctx) throws IOException {
        Repository.Listed l = catalog.backup(ctx.pathParam("id"));
        BackupFiles.Resolved r = directory(l, ctx.queryParam("path"));
        List<EntryView> entries = files.list(r.path()).stream()
                .map(e ->
                        new EntryView(e.name(), e.type(), e.size(), e.modified().toString()))
                .toList();
        Api.json(ctx, 200, new Listing(r.relative(), entries));
    }

    void search(Context ctx) throws IOException {
        Repository.Listed l = catalog.backup(ctx.pathParam("id"));
        String q = ctx.queryParam("q");
        if (q == null || q.isEmpty() || q.length() > 256) {
            throw ApiException.badRequest("'q' is required (1 to 256 characters)");
        }
        BackupFiles.Resolved r = directory(l, ctx.queryParam("path"));
        Api.json(
                ctx,
                200,
                files.search(r, q, MAX_HITS).stream()
                        .map(h -> new Hit(h.path(), h.size(), h.modified().toString()))
                        .toList());
    }

    void download(Context ctx) throws IOException {
        try (Lock lock = readLock("download")) {
            sendFile(ctx);
        }
    }

    void archive(Context ctx) throws IOException {
        try (Lock lock = readLock("archive")) {
            sendArchive(ctx);
        }
    }

    /**
     * A shared repository lock for the length of one download: the server's mount itself holds none
     * (it would keep gc out for as long as the server runs), so gc can run between downloads and waits
     * for (or is refused by) the ones in flight. A gc holding the repository answers 503 (the error
     * mapping's lock conflict).
     */
    private Lock readLock(String what) throws IOException {
        return repo.locks().acquireForReading(what + " (web UI)", LOCK_WAIT);
    }

    private Path dirOf(Repository.Listed l) throws IOException {
        Path dir = files.backupDir(l, catalog.backups());
        if (dir == null) {
            throw ApiException.notFound(
                    "the files of backup " + l.ref().id() + " are not visible yet; try again in a few seconds");
        }
        return dir;
    }

    private BackupFiles.Resolved directory(Repository.Listed l, String path) throws IOException {
        BackupFiles.Resolved r = files.resolve(l, dirOf(l), path);
        if (!r.attributes().isDirectory()) {
            throw ApiException.badRequest("not a directory");
        }
        return r;
    }

    private void sendFile(Context ctx) throws IOException {
        Sessions.Session s = Authorization.session(ctx);
        Repository.Listed l = catalog.backup(ctx.pathParam("id"));
        BackupFiles.Resolved r = files.resolve(l, dirOf(l), ctx.queryParam("path"));
        if (!r.attributes().isRegularFile()) {
            throw ApiException.badRequest("not a file");
        }
        long size = r.attributes().size();
        String name = r.relative().substring(r.relative().lastIndexOf('/') + 1);
        ctx.status(200);
        ctx.header("Content-Type", "application/octet-stream");
        ctx.header("Content-Disposition", attachment(name));
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.res().setContentLengthLong(size);
        String outcome = "failed";
        long sent = 0;
        try {
            FileSender.Result res = FileSender.send(r.path(), size, ctx.res().getOutputStream());
            sent = res.sent();
            outcome = switch (res.failure()) {
                case NONE -> "ok";
                case READ, SHORT -> "failed";
                case WRITE -> "aborted";
            };
            if (res.failure() == FileSender.Failure.READ) {
                log.accept("download of " + r.relative() + " from backup "
                        + l.ref().id() + " failed after " + sent + " bytes: "
                        + res.error().getMessage());
            } else if (res.failure() == FileSender.Failure.WRITE) {
                log.accept("client " + ctx.ip() + " went away during the download of " + r.relative() + " after " + sent
                        + " bytes");
            }
        } finally {
            audit.record(s.user(), ctx.ip(), "download", l.ref().id(), r.relative(), sent, outcome);
        }
        if (!outcome.equals("ok")) {
            abort(ctx);
        }
    }

    private void sendArchive(Context ctx) throws IOException {
        Sessions.Session s = Authorization.session(ctx);
        Repository.Listed l = catalog.backup(ctx.pathParam("id"));
        Archives.Format fmt;
        try {
            fmt = Archives.Format.parse(ctx.queryParam("format"));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
        BackupFiles.Resolved r = directory(l, ctx.queryParam("path"));
        String top = r.relative().equals("/")
                ? l.manifest().vm().name() + "-" + l.ref().id()
                : r.relative().substring(r.relative().lastIndexOf('/') + 1);
        ctx.status(200);
        ctx.header("Content-Type", fmt.contentType);
        ctx.header("Content-Disposition", attachment(top + fmt.extension));
        String outcome = "ok";
        long bytes = 0;
        try {
            bytes = Archives.write(r.path(), top, fmt, ctx.res().getOutputStream());
        } catch (Archives.ClientGoneException e) {
            outcome = "aborted";
            log.accept("client " + ctx.ip() + " went away during the archive of " + r.relative());
        } catch (IOException e) {
            outcome = "failed";
            log.accept("archive of " + r.relative() + " from backup " + l.ref().id() + " failed: " + e.getMessage());
        } finally {
            audit.record(s.user(), ctx.ip(), "archive", l.ref().id(), r.relative(), bytes, outcome);
        }
        if (!outcome.equals("ok")) {
            abort(ctx);
        }
    }

    /** {@code attachment} with an ASCII fallback name and the exact UTF-8 one (RFC 6266, RFC 5987). */
    private static String attachment(String name) {
        String ascii = name.replaceAll("[^A-Za-z0-9._-]", "_");
        String enc = URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
        return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + enc;
    }

    /** Cuts the connection so a short response cannot pass for a complete one. */
    private static void abort(Context ctx) {
        try {
            if (ctx.req() instanceof org.eclipse.jetty.server.Request jr) {
                jr.getHttpChannel().abort(new IOException("response cut short"));
            }
        } catch (RuntimeException ignored) {
            // already gone
        }
    }
}
