package io.cairn.vixmntbridge.vddk;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code char *} members of a VixDiskLibConnectParams: NUL-terminated UTF-8 copies in native
 * memory that {@link #close()} overwrites with zeros (they hold the password) and frees.
 */
final class CStrings implements AutoCloseable {
    private final List<Memory> all = new ArrayList<>();

    /** A native copy of {@code s}, or NULL for null. */
    Pointer of(String s) {
        if (s == null) {
            return null;
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        Memory m = new Memory(b.length + 1L);
        all.add(m);
        m.write(0, b, 0, b.length);
        m.setByte(b.length, (byte) 0);
        java.util.Arrays.fill(b, (byte) 0);
        return m;
    }

    @Override
    public void close() {
        for (Memory m : all) {
            m.clear();
            m.close();
        }
        all.clear();
    }
}
