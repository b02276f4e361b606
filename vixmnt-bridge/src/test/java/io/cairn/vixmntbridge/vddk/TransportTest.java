package io.cairn.vixmntbridge.vddk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayName("Transports")
class TransportTest {

    @ParameterizedTest(name = "{0} needs the VDDK: {1}")
    @DisplayName("only HTTPS works without the VDDK")
    @CsvSource({"HTTPS, false", "NBD, true", "NBDSSL, true", "HOTADD, true", "SAN, true"})
    void needsVddk(Transport t, boolean needs) {
        assertEquals(needs, t.needsVddk());
    }

    @ParameterizedTest(name = "{0} is VixDiskLib mode {1}")
    @DisplayName("each VDDK transport has its VixDiskLib mode name")
    @CsvSource({"NBD, nbd", "NBDSSL, nbdssl", "HOTADD, hotadd", "SAN, san"})
    void modes(Transport t, String mode) {
        assertEquals(mode, t.vddkMode());
        assertEquals(mode, t.cliName());
    }

    @Test
    @DisplayName("HTTPS has no VixDiskLib mode")
    void httpsHasNoMode() {
        assertThrows(IllegalStateException.class, Transport.HTTPS::vddkMode);
    }
}
