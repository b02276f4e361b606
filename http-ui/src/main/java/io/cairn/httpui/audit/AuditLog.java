package io.cairn.httpui.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Set;
import java.util.function.Consumer;

/**
 * {@code audit.log}: one JSON object per line (time, user, ip, action, backup, path, bytes, outcome)
 * for every login, download, archive, restore, vCenter change, maintenance run, schedule change and
 * cancelled job, appended and fsynced line by line. A line that cannot be written is reported to the
 * server log; the request goes on.
 *
 * <p>The file is pure ASCII: JSON escapes control characters, and every character beyond ASCII is
 * written as a JSON escape (a backslash, u and four hex digits) too. Paths and names in it come from guests and vCenter; so no
 * newline can forge a line, and no escape sequence, C1 control or bidirectional override can reach
 * the terminal of whoever reads it with {@code cat} or {@code tail} (any JSON reader decodes them).
 */
public final class AuditLog implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(com.fasterxml.jackson.core.json.JsonWriteFeature.ESCAPE_NON_ASCII.mappedFeature());
    private final FileChannel ch;
    private final Consumer<String> warn;

    public AuditLog(Path file, Consumer<String> warn) throws IOException {
        this.warn = warn;
        ch = FileChannel.open(
                file,
                Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    }

    /**
     * Appends one line; {@code backup}, {@code path} and {@code bytes} are left out when null.
     *
     * @param outcome {@code ok}, {@code failed}, {@code rate-limited}, {@code started}, {@code aborted} or a
     *     job's final state in lower case
     */
    public void record(String user, String ip, String action, String backup, String path, Long bytes, String outcome) {
        ObjectNode o = JSON.createObjectNode();
        o.put("time", Instant.now().toString());
        o.put("user", user);
        o.put("ip", ip);
        o.put("action", action);
        if (backup != null) {
            o.put("backup", backup);
        }
        if (path != null) {
            o.put("path", path);
        }
        if (bytes != null) {
            o.put("bytes", bytes);
        }
        o.put("outcome", outcome);
        try {
            byte[] line = (JSON.writeValueAsString(o) + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
            synchronized (this) {
                ByteBuffer b = ByteBuffer.wrap(line);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(false);
            }
        } catch (IOException e) {
            warn.accept("cannot write the audit log: " + e.getMessage());
        }
    }

    @Override
    public void close() throws IOException {
        ch.close();
    }
}
