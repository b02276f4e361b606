package io.cairn.mount.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class MountTableTest {
    @Test
    @DisplayName("mountinfo lines parse with optional fields, octal escapes and UTF-8 names")
    void parse() {
        List<MountTable.Entry> e = MountTable.parse(List.of(
                "36 35 98:0 /mnt1 /mnt/parent rw,noatime master:1 - ext3 /dev/root rw,errors=continue",
                "42 27 0:39 / /tmp/a\\040b/mnt ro,nosuid,nodev,relatime - fuse.cairn cairn:/srv/r\\134x ro,user_id=0",
                "43 42 0:40 / /tmp/a\\040b/mnt/.cairn/mnt/k-Ünï rw,nosuid - fuse.ext4 /tmp/v rw",
                "garbage"));
        assertEquals(3, e.size());
        assertEquals(Path.of("/mnt/parent"), e.get(0).mountPoint());
        assertEquals("ext3", e.get(0).fsType());
        assertEquals(Path.of("/tmp/a b/mnt"), e.get(1).mountPoint());
        assertEquals("fuse.cairn", e.get(1).fsType());
        assertEquals("cairn:/srv/r\\x", e.get(1).source());
        assertEquals(Path.of("/tmp/a b/mnt/.cairn/mnt/k-Ünï"), e.get(2).mountPoint());
        assertTrue(e.get(2).isAtOrBelow(Path.of("/tmp/a b/mnt")));
        assertTrue(!e.get(0).isAtOrBelow(Path.of("/tmp/a b/mnt")));
    }
}
