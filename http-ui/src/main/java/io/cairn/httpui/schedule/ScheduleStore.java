package io.cairn.httpui.schedule;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cairn.operations.source.Transports;
import io.cairn.repository.maintenance.RetentionPolicy;
import io.cairn.vixmntbridge.vddk.Transport;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The schedules in {@code <state>/schedules.json}, read on every access and replaced atomically
 * (written to a temporary file, forced, renamed over the old one), so a crash leaves the old or the
 * new list, never half of one. Format version 2 (docs/web-ui.md); version 1 (no {@code transport},
 * file sources that were raw images) is read as https and written back as 2 at the next change.
 */
public final class ScheduleStore {
    static final String FILE = "schedules.json";
    /** The version written; never reuse a number for another layout. */
    static final int VERSION = 2;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Object WRITES = new Object(); // one writer at a time in this process

    private final Path file;

    public ScheduleStore(Path stateDir) {
        this.file = stateDir.resolve(FILE);
    }

    public List<Schedule> list() throws IOException {
        if (!Files.exists(file)) {
            return List.of();
        }
        JsonNode root;
        try {
            root = JSON.readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new IOException(file + " cannot be read: " + e.getMessage(), e);
        }
        int version = root.path("version").asInt();
        if (version != 1 && version != VERSION) {
            throw new IOException(
                    file + " has version " + root.path("version") + "; this cairn reads versions 1 and " + VERSION);
        }
        List<Schedule> out = new ArrayList<>();
        for (JsonNode n : root.path("schedules")) {
            JsonNode r = n.get("retention");
            RetentionPolicy p = r == null || r.isNull()
                    ? null
                    : new RetentionPolicy(
                            r.path("keepLast").asInt(),
                            r.path("keepDaily").asInt(),
                            r.path("keepWeekly").asInt(),
                            r.path("keepMonthly").asInt());
            out.add(new Schedule(
                    n.path("id").asText(),
                    n.path("name").asText(),
                    n.path("cron").asText(),
                    source(n.get("source")),
                    p,
                    n.path("enabled").asBoolean(true),
                    instant(n.get("updated")),
                    instant(n.get("lastRun")),
                    outcome(n.get("lastOutcome"))));
        }
        return out;
    }

    public Optional<Schedule> get(String id) throws IOException {
        return list().stream().filter(s -> s.id().equals(id)).findFirst();
    }

    /** Adds or replaces the schedule with its id. */
    public void put(Schedule s) throws IOException {
        update(l -> {
            List<Schedule> out = new ArrayList<>();
            boolean replaced = false;
            for (Schedule o : l) {
                if (o.id().equals(s.id())) {
                    out.add(s);
                    replaced = true;
                } else {
                    out.add(o);
                }
            }
            if (!replaced) {
                out.add(s);
            }
            return out;
        });
    }

    /** @return whether it existed */
    public boolean remove(String id) throws IOException {
        boolean[] found = {false};
        update(l -> {
            List<Schedule> out = new ArrayList<>();
            for (Schedule o : l) {
                if (o.id().equals(id)) {
                    found[0] = true;
                } else {
                    out.add(o);
                }
            }
            return out;
        });
        return found[0];
    }

    /** Records how a run ended (no-op when the schedule was deleted meanwhile). */
    void markOutcome(String id, Schedule.Outcome o) throws IOException {
        update(l ->
                l.stream().map(x -> x.id().equals(id) ? x.withOutcome(o) : x).toList());
    }

    /** Records a run's start time (no-op when the schedule was deleted meanwhile). */
    void markRun(String id, Instant at) throws IOException {
        update(l ->
                l.stream().map(o -> o.id().equals(id) ? o.withLastRun(at) : o).toList());
    }

    private void update(UnaryOperator<List<Schedule>> change) throws IOException {
        synchronized (WRITES) {
            write(change.apply(list()));
        }
    }

    private void write(List<Schedule> schedules) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", VERSION);
        ArrayNode a = root.putArray("schedules");
        for (Schedule s : schedules) {
            ObjectNode n = a.addObject();
            n.put("id", s.id());
            n.put("name", s.name());
            n.put("cron", s.cron());
            n.set("source", s.source().json());
            n.set("retention", retention(s.retention()));
            n.put("enabled", s.enabled());
            n.put("updated", s.updated() == null ? null : s.updated().toString());
            n.put("lastRun", s.lastRun() == null ? null : s.lastRun().toString());
            n.set("lastOutcome", outcome(s.lastOutcome()));
        }
        Path tmp = file.resolveSibling(FILE + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(
                    JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root)));
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException ignored) {
            // some filesystems cannot sync a directory; the rename is still atomic
        }
    }

    static JsonNode retention(RetentionPolicy p) {
        if (p == null) {
            return JSON.nullNode();
        }
        ObjectNode r = JSON.createObjectNode();
        r.put("keepLast", p.keepLast());
        r.put("keepDaily", p.keepDaily());
        r.put("keepWeekly", p.keepWeekly());
        r.put("keepMonthly", p.keepMonthly());
        return r;
    }

    /** The stored form; a schedules.json edited by hand into something else is refused by name. */
    private Source source(JsonNode n) throws IOException {
        if (n != null && n.isTextual() && n.asText().startsWith("file:")) {
            return new Source.File(Path.of(n.asText().substring("file:".length())));
        }
        if (n != null
                && n.isObject()
                && n.path("vcenter").isTextual()
                && n.path("spec").isTextual()) {
            Transport transport;
            try {
                transport = n.hasNonNull("transport")
                        ? Transports.parse(n.get("transport").asText())
                        : Transport.HTTPS; // version 1 had only https
            } catch (IllegalArgumentException e) {
                throw new IOException(file + " has a schedule whose source.transport " + e.getMessage());
            }
            return new Source.VcenterVms(
                    n.get("vcenter").asText(),
                    n.get("spec").asText(),
                    n.path("quiesce").asBoolean(true),
                    n.path("enableCbt").asBoolean(false),
                    transport);
        }
        throw new IOException(
                file + " has a schedule whose source is neither \"file:PATH\" nor {\"vcenter\", \"spec\"}: " + n);
    }

    static JsonNode outcome(Schedule.Outcome o) {
        if (o == null) {
            return JSON.nullNode();
        }
        ObjectNode n = JSON.createObjectNode();
        n.put("state", o.state());
        n.put("finished", o.finished().toString());
        n.put("summary", o.summary());
        ObjectNode f = n.putObject("failedVms");
        new java.util.TreeMap<>(o.failedVms()).forEach(f::put);
        return n;
    }

    private static Schedule.Outcome outcome(JsonNode n) {
        if (n == null || n.isNull() || !n.isObject()) {
            return null;
        }
        java.util.Map<String, String> failed = new java.util.LinkedHashMap<>();
        n.path("failedVms")
                .fields()
                .forEachRemaining(e -> failed.put(e.getKey(), e.getValue().asText()));
        return new Schedule.Outcome(
                n.path("state").asText(),
                instant(n.get("finished")),
                n.path("summary").asText(),
                failed);
    }

    private static Instant instant(JsonNode n) {
        return n == null || n.isNull() ? null : Instant.parse(n.asText());
    }
}
