package io.cairn.mount.sandbox;

import java.util.List;
import java.util.Map;

/**
 * A program cairn runs on the host (umount, supermin, the sandbox launcher) with a clean
 * environment: only a fixed {@code PATH} and the C locale, never the parent's variables — the
 * process may hold {@code CAIRN_PASSWORD} or vCenter credentials in its own environment, and no
 * child needs them.
 */
public final class HostCommand {
    private HostCommand() {}

    /** The search path every child gets. */
    public static final String PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /** A process builder for {@code command} whose environment is only {@code PATH} and {@code LC_ALL=C}. */
    public static ProcessBuilder of(List<String> command) {
        ProcessBuilder pb = new ProcessBuilder(command);
        Map<String, String> env = pb.environment();
        env.clear();
        env.put("PATH", PATH);
        env.put("LC_ALL", "C");
        return pb;
    }
}
