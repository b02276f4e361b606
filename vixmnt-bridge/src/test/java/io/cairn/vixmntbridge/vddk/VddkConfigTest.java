package io.cairn.vixmntbridge.vddk;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The VixDiskLib config file")
class VddkConfigTest {

    @Test
    @DisplayName("sets exactly the six NFC timeouts of the Programming Guide's recommendation")
    void timeouts() throws Exception {
        Properties p = new Properties();
        p.load(new StringReader(VddkConfig.CONTENT));
        assertEquals(6, p.size(), p.toString());
        assertEquals("180000", p.getProperty("vixDiskLib.nfc.AcceptTimeoutMs"));
        assertEquals("180000", p.getProperty("vixDiskLib.nfc.RequestTimeoutMs"));
        assertEquals("60000", p.getProperty("vixDiskLib.nfc.ReadTimeoutMs"));
        assertEquals("600000", p.getProperty("vixDiskLib.nfc.WriteTimeoutMs"));
        assertEquals("0", p.getProperty("vixDiskLib.nfcFssrvr.TimeoutMs"));
        assertEquals("0", p.getProperty("vixDiskLib.nfcFssrvrWrite.TimeoutMs"));
    }

    @Test
    @DisplayName("has one name=value per line and # comments, nothing else")
    void format() {
        for (String line : VddkConfig.CONTENT.split("\n")) {
            assertEquals(true, line.startsWith("# ") || line.matches("vixDiskLib\\.[A-Za-z.]+=[0-9]+"), line);
        }
    }

    @Test
    @DisplayName("is written to a new file in the work directory, which is also VixDiskLib's tmpDirectory")
    void written(@TempDir Path dir) throws Exception {
        Path f = VddkConfig.write(dir.resolve("vddk"));
        assertEquals(dir.resolve("vddk"), f.getParent());
        assertEquals(
                VddkConfig.CONTENT + "# VixDiskLib's temporary files and logs\ntmpDirectory=\""
                        + dir.resolve("vddk").toAbsolutePath() + "\"\n",
                Files.readString(f, StandardCharsets.UTF_8));
    }

    @Test
    @DisplayName("keeps idle disks alive well inside the 60 s NFC read timeout")
    void keepaliveInterval() {
        assertEquals(true, VddkConfig.KEEPALIVE_INTERVAL.compareTo(Duration.ofSeconds(60)) < 0);
    }
}
