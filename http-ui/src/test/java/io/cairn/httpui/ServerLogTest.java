package io.cairn.httpui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

@Isolated
@DisplayName("The server log")
class ServerLogTest {
    @Test
    @DisplayName("writes a message naming a hostile file as one line, its control characters escaped")
    void oneLine() {
        PrintStream err = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setErr(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            UiServer.log("download of /volumes/d/x\nforged line\u001b[31m failed");
        } finally {
            System.setErr(err);
        }
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(1, text.lines().count(), text);
        assertTrue(
                text.endsWith("Z download of /volumes/d/x\\nforged line\\x1B[31m failed" + System.lineSeparator()),
                text);
    }
}
