package io.cairn.httpui.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cairn.httpui.auth.Users;
import io.cairn.operations.job.Job;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Finished jobs in {@code <state>/jobs.jsonl}, one JSON object per line (format in
 * {@code docs/web-ui.md}), so the job list — last night's scheduled backups with their logs —
 * survives a restart of the server. A line is appended and forced when a job ends; a torn last line
 * (a crash while appending) is skipped when read. The file is cut to the newest {@link #KEEP}
 * jobs when it holds more than twice that. Lines of version 2 name the job's owner; version 1
 * lines (without one) are still read, as jobs of no owner (their details are for administrators).
 */
final class JobHistory {
    static final String FILE = "jobs.jsonl";
    /** The line version written; never reuse a number for another layout. */
    static final int VERSION = 2;

    static final int KEEP = 500;
    /** The log lines kept per job: the end of a long log is where its outcome is. */
    static final int LOG_LINES = 500;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final Consumer<String> warn;

    JobHistory(Path stateDir, Consumer<String> warn) {
        this.file = stateDir.resolve(FILE);
        this.warn = warn;
    }

    /** A finished job read back, with who started it (null: the scheduler, or unknown). */
    record Entry(Job job, String owner) {}

    /** The newest {@link #KEEP} finished jobs, oldest first; unreadable lines are skipped and reported. */
    synchronized List<Entry> load() {
        if (!Files.exists(file)) {
            return List.of();
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            warn.accept("the job history " + file + " cannot be read: " + e.getMessage()
                    + "; starting with an empty job list");
            return List.of();
        }
        List<Entry> out = new ArrayList<>();
        int bad = 0;
        for (String line : lines.subList(Math.max(0, lines.size() - KEEP), lines.size())) {
            try {
                JsonNode n = JSON.readTree(line);
                out.add(new Entry(
                        Job.restored(parse(n)),
                        n.path("owner").isTextual() ? n.get("owner").asText() : null));
            } catch (IOException | RuntimeException e) {
                bad++;
            }
        }
        if (bad > 0) {
            warn.accept("the job history " + file + ": " + bad + " unreadable line(s) skipped");
        }
        if (lines.size() > 2 * KEEP) {
            try {
                List<String> keep = lines.subList(lines.size() - KEEP, lines.size());
                Users.writeAtomically(file, (String.join("\n", keep) + "\n").getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                warn.accept("the job history " + file + " cannot be shortened: " + e.getMessage());
            }
        }
        return out;
    }

    /**
     * Appends a finished job; a failure to write is reported, never thrown into the job.
     *
     * @param owner who started it, null for the scheduler
     */
    synchronized void append(Job job, String owner) {
        Job.Record r = job.record();
        ObjectNode o = JSON.createObjectNode();
        o.put("version", VERSION);
        o.put("id", r.id());
        o.put("owner", owner);
        o.put("kind", r.kind());
        o.put("target", r.target());
        o.put("state", r.state().name());
        o.put("created", str(r.created()));
        o.put("started", str(r.started()));
        o.put("finished", str(r.finished()));
        o.put("result", r.result());
        o.put("phase", r.phase());
        o.put("done", r.done());
        o.put("total", r.total());
        o.put("jobDone", r.jobDone());
        o.put("jobTotal", r.jobTotal());
        ArrayNode log = o.putArray("log");
        r.log().subList(Math.max(0, r.log().size() - LOG_LINES), r.log().size()).forEach(log::add);
        try (FileChannel ch = FileChannel.open(
                file,
                java.util.Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
            // after a crash mid-append the file ends in a torn line: start on a fresh one, so only that line is lost
            String sep = endsTorn() ? "\n" : "";
            ByteBuffer b = ByteBuffer.wrap((sep + JSON.writeValueAsString(o) + "\n").getBytes(StandardCharsets.UTF_8));
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(false);
        } catch (IOException e) {
            warn.accept("job " + r.id() + " cannot be added to the job history " + file + ": " + e.getMessage());
        }
    }

    private boolean endsTorn() throws IOException {
        try (FileChannel r = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = r.size();
            if (size == 0) {
                return false;
            }
            ByteBuffer last = ByteBuffer.allocate(1);
            r.read(last, size - 1);
            return last.get(0) != '\n';
        }
    }

    private static Job.Record parse(JsonNode n) throws IOException {
        int version = n.path("version").asInt();
        if (version != 1 && version != VERSION) {
            throw new IOException("version " + n.path("version"));
        }
        List<String> log = new ArrayList<>();
        n.path("log").forEach(l -> log.add(l.asText()));
        return new Job.Record(
                text(n, "id"),
                text(n, "kind"),
                text(n, "target"),
                Job.State.valueOf(text(n, "state")),
                Instant.parse(text(n, "created")),
                instant(n.get("started")),
                instant(n.get("finished")),
                n.path("result").asText(null),
                n.path("phase").asText(""),
                n.path("done").asLong(),
                n.path("total").asLong(),
                n.path("jobDone").asLong(),
                n.path("jobTotal").asLong(),
                log);
    }

    private static String text(JsonNode n, String field) throws IOException {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual()) {
            throw new IOException("no " + field);
        }
        return v.asText();
    }

    private static Instant instant(JsonNode n) {
        return n == null || n.isNull() ? null : Instant.parse(n.asText());
    }

    private static String str(Instant t) {
        return t == null ? null : t.toString();
    }
}
