package io.cairn.vixmntbridge.testing;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.util.Map;

/**
 * Sets environment variables of this very process through libc's {@code setenv}, where native code
 * loaded into the JVM (the VDDK stand-ins) reads them with {@code getenv}. Java's own
 * {@link System#getenv} is a copy taken at start and does not see them.
 */
public final class ProcessEnv {
    private interface LibC extends Library {
        int setenv(String name, String value, int overwrite);

        int unsetenv(String name);
    }

    private static final LibC C = Native.load("c", LibC.class);

    private ProcessEnv() {}

    public static void set(Map<String, String> env) {
        env.forEach((k, v) -> {
            if (C.setenv(k, v, 1) != 0) {
                throw new IllegalStateException("setenv " + k + " failed");
            }
        });
    }

    public static void unset(String... names) {
        for (String n : names) {
            C.unsetenv(n);
        }
    }
}
