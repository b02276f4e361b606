package io.cairn.httpui.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("Role")
class RoleTest {
    @Test
    @DisplayName("each role includes itself and the ones below it, never the ones above")
    void includes() {
        assertTrue(Role.ADMIN.includes(Role.ADMIN));
        assertTrue(Role.ADMIN.includes(Role.OPERATOR));
        assertTrue(Role.ADMIN.includes(Role.VIEWER));
        assertTrue(Role.OPERATOR.includes(Role.OPERATOR));
        assertTrue(Role.OPERATOR.includes(Role.VIEWER));
        assertFalse(Role.OPERATOR.includes(Role.ADMIN));
        assertTrue(Role.VIEWER.includes(Role.VIEWER));
        assertFalse(Role.VIEWER.includes(Role.OPERATOR));
        assertFalse(Role.VIEWER.includes(Role.ADMIN));
    }

    @Test
    @DisplayName("the JSON name is the lower-case name, and parses back to the same role")
    void jsonNames() {
        assertEquals("admin", Role.ADMIN.jsonName());
        assertEquals("operator", Role.OPERATOR.jsonName());
        assertEquals("viewer", Role.VIEWER.jsonName());
        for (Role r : Role.values()) {
            assertEquals(r, Role.parse(r.jsonName()));
        }
    }

    @ParameterizedTest(name = "''{0}'' is refused")
    @NullAndEmptySource
    @ValueSource(strings = {"Admin", "ADMIN", " admin", "root", "operators"})
    @DisplayName("anything but the three lower-case names is refused, naming what was given")
    void refused(String s) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Role.parse(s));
        assertTrue(e.getMessage().contains("admin, operator or viewer"), e.getMessage());
        assertTrue(e.getMessage().contains("'" + s + "'"), e.getMessage());
    }
}
