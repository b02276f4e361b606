package io.cairn.mount.volume;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("LvmConfig parses LVM2's text format")
class LvmConfigTest {

    @Test
    @DisplayName("sections, numbers, strings with escapes, arrays and comments")
    void parses() throws Exception {
        Map<String, Object> top = LvmConfig.parse("# a comment\n"
                + "vg { id = \"a-b\"  seqno = 3 # trailing\n"
                + "  status = [\"READ\", \"WRITE\"]\n flags = []\n"
                + "  lv.1 { stripes = [\n\"pv0\", 16\n] neg = -5 f = 1.5 }\n"
                + "}\n"
                + "description = \"say \\\"hi\\\" \\\\ ok\"\0\0");
        Map<String, Object> vg = LvmConfig.section(top, "vg");
        assertEquals("a-b", LvmConfig.string(vg, "id"));
        assertEquals(3L, LvmConfig.number(vg, "seqno"));
        assertEquals(List.of("READ", "WRITE"), LvmConfig.list(vg, "status"));
        assertEquals(List.of(), LvmConfig.list(vg, "flags"));
        Map<String, Object> lv = LvmConfig.section(vg, "lv.1");
        assertEquals(List.of("pv0", 16L), LvmConfig.list(lv, "stripes"));
        assertEquals(-5L, lv.get("neg"));
        assertEquals(1.5, lv.get("f"));
        assertEquals("say \"hi\" \\ ok", top.get("description"));
        assertEquals(List.of("vg", "description"), List.copyOf(top.keySet()));
    }

    @Test
    @DisplayName("damage is a format error naming the line, never another exception")
    void errors() {
        for (String bad : new String[] {
            "vg {", "vg { a = }", "}", "vg { a = [1, 2 }", "a = \"open", "vg ( }", "= 3", "vg { a = @ }", "a"
        }) {
            VolumeFormatException e = assertThrows(VolumeFormatException.class, () -> LvmConfig.parse(bad), bad);
            assertEquals(true, e.getMessage().startsWith("LVM metadata line "), e.getMessage());
        }
        assertEquals(
                "LVM metadata line 2: expected '=' or '{' after 'b'",
                assertThrows(VolumeFormatException.class, () -> LvmConfig.parse("a = 1\nb : 2"))
                        .getMessage());
    }
}
