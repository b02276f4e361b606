package io.cairn.operations.disk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.vixmntbridge.VixException;
import io.cairn.vixmntbridge.vddk.Transport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The process's VDDK without a library to load: what a missing one says, and a closed one. */
class VddkTest {
    @TempDir
    Path tmp;

    @Test
    @DisplayName("a VDDK that is not there fails in one line naming --vddk and VDDK_HOME, each time it is asked for")
    void missing() throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("no-vddk"));
        try (Vddk v = Vddk.at(empty)) {
            assertTrue(v.named());
            assertEquals(empty, v.dir());
            for (int i = 0; i < 2; i++) { // a failed load is not remembered: a VDDK installed later is found
                VixException e = assertThrows(VixException.class, () -> v.library(Transport.NBDSSL));
                assertEquals(1, e.getMessage().lines().count(), e.getMessage());
                assertTrue(
                        e.getMessage().contains("--vddk DIR") && e.getMessage().contains("VDDK_HOME"), e.getMessage());
                assertTrue(e.getMessage().contains("transport nbdssl"), e.getMessage());
            }
        }
    }

    @Test
    @DisplayName("a closed VDDK refuses to load, and closing twice is harmless")
    void closed() throws Exception {
        Vddk v = Vddk.at(tmp);
        v.close();
        v.close();
        IOException e = assertThrows(IOException.class, () -> v.library(Transport.SAN));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertFalse(e instanceof VixException);
    }
}
