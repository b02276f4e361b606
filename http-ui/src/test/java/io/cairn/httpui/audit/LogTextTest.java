package io.cairn.httpui.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Guest-chosen names in the server log and the audit log: one line each, no control character reaches a terminal. */
@DisplayName("Log lines with names a guest chose")
class LogTextTest {
    /** A file name a hostile guest might give: a forged log line, a terminal escape, a C1 CSI, a bidi override. */
    static final String HOSTILE = "a.txt\n2026-01-01T00:00:00Z login ok\r\u001b[2J\u009b31m\u202egnp.exe\u2028x\\y\tz";

    @Test
    @DisplayName(
            "the server log's escape keeps one line with no control, separator or bidi character, and is unambiguous")
    void escape() {
        String e = LogText.escape(HOSTILE);
        assertEquals("a.txt\\n2026-01-01T00:00:00Z login ok\\r\\x1B[2J\\x9B31m\\u202Egnp.exe\\u2028x\\\\y\\tz", e);
        assertFalse(e.codePoints().anyMatch(Character::isISOControl));
        assertEquals("naïve café Ünïcödé", LogText.escape("naïve café Ünïcödé"), "letters stay as they are");
        assertEquals("null", LogText.escape(null));
        assertEquals("\\\\n", LogText.escape("\\n"), "a backslash and n in a name is not a newline");
    }

    @Test
    @DisplayName("the audit log is one pure-ASCII line per record, and reads back as what was recorded")
    void auditLog(@TempDir Path dir) throws Exception {
        List<String> warnings = new ArrayList<>();
        Path file = dir.resolve("audit.log");
        try (AuditLog a = new AuditLog(file, warnings::add)) {
            a.record("operator", "10.0.0.9", "download", "1e59", "/volumes/disk0/" + HOSTILE, 5L, "ok");
            a.record("operator", "10.0.0.9", "download", "1e59", "/volumes/disk0/naïve café.txt", 5L, "ok");
        }
        byte[] raw = Files.readAllBytes(file);
        for (byte b : raw) {
            assertTrue(b == '\n' || (b >= 0x20 && b < 0x7f), "a byte that is not printable ASCII: " + b);
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
        assertEquals(2, lines.size());
        JsonNode first = new ObjectMapper().readTree(lines.get(0));
        assertEquals("/volumes/disk0/" + HOSTILE, first.get("path").asText());
        assertEquals(
                "/volumes/disk0/naïve café.txt",
                new ObjectMapper().readTree(lines.get(1)).get("path").asText());
        assertTrue(warnings.isEmpty(), warnings.toString());
    }
}
