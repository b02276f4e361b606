package io.cairn.httpui.auth;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("LoginGate")
class LoginGateTest {
    @Test
    @DisplayName("lets in up to its limit, turns the next away at once, and lets in again after an exit")
    void limit() {
        LoginGate g = new LoginGate(2);
        assertTrue(g.tryEnter());
        assertTrue(g.tryEnter());
        long start = System.nanoTime();
        assertFalse(g.tryEnter());
        assertTrue(System.nanoTime() - start < 100_000_000L, "a full gate must not wait");
        g.exit();
        assertTrue(g.tryEnter());
    }

    @Test
    @DisplayName("a limit below 1 is refused")
    void badLimit() {
        assertThrows(IllegalArgumentException.class, () -> new LoginGate(0));
    }
}
