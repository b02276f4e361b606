package io.cairn.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The VDDK stand-ins (vixmnt-bridge/src/test/c, scripts/vddk-standin) and their test helpers are test
 * code: cairn.jar, what the appliance ships, holds none of them, and no VixDiskLib/VixMntapi library
 * of any kind (VMware's VDDK is installed by the administrator, docs/vddk.md).
 */
class StandinNotShippedIT {

    @Test
    @DisplayName("cairn.jar holds no VDDK stand-in, no libvix* library and no stand-in test helper")
    void noStandinInTheJar() throws Exception {
        List<String> found = new ArrayList<>();
        int entries = 0;
        try (JarFile jar = new JarFile(Cairn.jar().toFile())) {
            for (JarEntry e : (Iterable<JarEntry>) jar.stream()::iterator) {
                entries++;
                String n = e.getName();
                String lower = n.toLowerCase(Locale.ROOT);
                if (lower.contains("standin")
                        || lower.contains("stand-in")
                        || lower.matches(".*libvix.*\\.so.*")
                        || lower.startsWith("io/cairn/vixmntbridge/testing/")
                        || lower.endsWith(".c")
                        || lower.endsWith(".h")) {
                    found.add(n);
                }
            }
        }
        assertTrue(entries > 1000, "cairn.jar has only " + entries + " entries: is it the shaded jar?");
        assertTrue(found.isEmpty(), "test code in cairn.jar: " + found);
    }
}
