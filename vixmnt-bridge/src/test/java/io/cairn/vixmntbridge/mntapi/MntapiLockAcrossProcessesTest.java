package io.cairn.vixmntbridge.mntapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.vixmntbridge.VixException;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("cairn's VixMntapi lock between two processes")
class MntapiLockAcrossProcessesTest {

    @Test
    @DisplayName("while another process holds the lock, acquiring it is refused; after that process ends it is free")
    void secondProcessRefused(@TempDir Path dir) throws Exception {
        Path lockFile = dir.resolve("run").resolve("vixmntapi.lock");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process other = new ProcessBuilder(
                        java.toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        OtherCairnProcess.class.getName(),
                        lockFile.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        try {
            BufferedReader out =
                    new BufferedReader(new InputStreamReader(other.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("held", out.readLine());
            VixException e = assertThrows(VixException.class, () -> MntapiLock.acquire(lockFile));
            assertTrue(
                    e.getMessage()
                            .startsWith("VixMntapi is in use by another cairn process (lock " + lockFile + " is held)"),
                    e.getMessage());
            assertEquals(VixException.VIX_E_FILE_ACCESS_ERROR, e.code());
        } finally {
            other.getOutputStream().close();
            if (!other.waitFor(30, TimeUnit.SECONDS)) {
                other.destroyForcibly();
            }
        }
        assertEquals(0, other.exitValue());
        MntapiLock.acquire(lockFile).close();
    }
}
