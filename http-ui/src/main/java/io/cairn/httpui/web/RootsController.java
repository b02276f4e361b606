package io.cairn.httpui.web;

import com.fasterxml.jackson.databind.JsonNode;
import io.cairn.httpui.audit.AuditLog;
import io.cairn.httpui.auth.Sessions;
import io.cairn.httpui.http.Api;
import io.cairn.httpui.http.ApiException;
import io.cairn.httpui.http.Authorization;
import io.cairn.httpui.http.Body;
import io.cairn.httpui.roots.RootsStore;
import io.javalin.http.Context;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the appliance's files may be written and read (admin settings): {@code GET /roots}
 * (operators too: the restore form names the restore roots) and {@code PUT /roots} (admin:
 * {@code {"restoreRoots": [...], "sourceRoots": [...]}}, every directory checked, the change
 * audited). A root that is refused is answered 400 with the line that says why; nothing is saved.
 */
final class RootsController {
    record RootsView(List<String> restoreRoots, List<String> sourceRoots, String updated, String updatedBy) {}

    private final RootsStore roots;
    private final AuditLog audit;

    RootsController(RootsStore roots, AuditLog audit) {
        this.roots = roots;
        this.audit = audit;
    }

    void show(Context ctx) {
        Api.json(ctx, 200, view(roots.settings()));
    }

    void replace(Context ctx) throws IOException {
        Sessions.Session s = Authorization.session(ctx);
        Body b = Body.of(ctx);
        List<String> restore = list(b, "restoreRoots");
        List<String> source = list(b, "sourceRoots");
        RootsStore.Settings saved;
        try {
            saved = roots.replace(restore, source, s.user());
        } catch (IOException e) {
            audit.record(s.user(), ctx.ip(), "roots-edit", null, e.getMessage(), null, "failed");
            throw e;
        }
        audit.record(
                s.user(),
                ctx.ip(),
                "roots-edit",
                null,
                "restore " + saved.restoreRoots() + ", source " + saved.sourceRoots(),
                null,
                "ok");
        Api.json(ctx, 200, view(saved));
    }

    private static List<String> list(Body b, String field) {
        JsonNode a = b.get(field);
        if (a == null || !a.isArray()) {
            throw ApiException.badRequest(
                    "'" + field + "' is required: a list of absolute directory paths ([] for none)");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode n : a) {
            if (!n.isTextual()) {
                throw ApiException.badRequest("'" + field + "' must list paths as strings");
            }
            out.add(n.asText());
        }
        return out;
    }

    private static RootsView view(RootsStore.Settings s) {
        return new RootsView(
                s.restoreRoots().stream().map(Path::toString).toList(),
                s.sourceRoots().stream().map(Path::toString).toList(),
                s.updated() == null ? null : s.updated().toString(),
                s.updatedBy());
    }
}
