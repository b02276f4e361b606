package io.cairn.repository.lock;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Who holds a lock, in terms that survive clock steps and cloned machines: the machine id, the boot
 * id (random per boot: two clones of one appliance never share it, even with one hostname and one
 * machine id), the pid and the process's start time in clock ticks since boot from
 * {@code /proc/<pid>/stat}, which no wall-clock step moves. The JDK's {@code ProcessHandle} is not
 * used: it derives start instants from a boot time it caches while Linux moves it when the clock is
 * stepped, and it counts a zombie as alive.
 */
public interface HostIdentity {
    /** The host name, for people reading a lock; never used to decide liveness. */
    String hostName();

    /** {@code /etc/machine-id}, or empty when the machine has none. */
    String machineId();

    /** {@code /proc/sys/kernel/random/boot_id}: the same exactly while this kernel runs. */
    String bootId();

    /** This process's pid. */
    long pid();

    /** A process of this boot as {@code /proc/<pid>/stat} shows it, or empty when there is none. */
    Optional<ProcessState> process(long pid);

    /** @param state the state letter ({@code R}, {@code S}, {@code Z} …); @param startTicks field 22 */
    record ProcessState(char state, long startTicks) {
        /** A zombie (exited, not yet reaped by its parent) or a dead task holds nothing. */
        public boolean exited() {
            return state == 'Z' || state == 'X' || state == 'x';
        }
    }

    /** This machine, read from /proc and /etc. */
    static HostIdentity local() {
        return Local.INSTANCE;
    }

    /** Parses the contents of {@code /proc/<pid>/stat}; empty when it is not in the expected shape. */
    static Optional<ProcessState> parseStat(String stat) {
        // The command name (field 2) is in parentheses and may itself contain spaces and ')':
        // the fields after it start after the last ')'.
        int close = stat.lastIndexOf(')');
        if (close < 0 || close + 2 >= stat.length()) {
            return Optional.empty();
        }
        String[] f = stat.substring(close + 2).trim().split(" +");
        // f[0] is field 3 (state); field 22 (starttime) is f[19]
        if (f.length < 20 || f[0].length() != 1) {
            return Optional.empty();
        }
        try {
            return Optional.of(new ProcessState(f[0].charAt(0), Long.parseLong(f[19])));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** The real machine. */
    final class Local implements HostIdentity {
        static final Local INSTANCE = new Local();

        private final String machineId = read("/etc/machine-id");
        private final String bootId = read("/proc/sys/kernel/random/boot_id");
        private final String hostName = LockManager.hostName();

        private Local() {}

        private static String read(String path) {
            try {
                return Files.readString(Path.of(path), StandardCharsets.US_ASCII)
                        .trim();
            } catch (IOException | RuntimeException e) {
                return "";
            }
        }

        @Override
        public String hostName() {
            return hostName;
        }

        @Override
        public String machineId() {
            return machineId;
        }

        @Override
        public String bootId() {
            return bootId;
        }

        @Override
        public long pid() {
            return ProcessHandle.current().pid();
        }

        @Override
        public Optional<ProcessState> process(long pid) {
            if (pid <= 0) {
                return Optional.empty();
            }
            try {
                return parseStat(Files.readString(Path.of("/proc/" + pid + "/stat"), StandardCharsets.UTF_8));
            } catch (NoSuchFileException e) {
                return Optional.empty();
            } catch (IOException e) {
                // /proc unreadable for that pid (it exited while we read): treat as gone only if
                // the directory is gone too
                return Files.exists(Path.of("/proc/" + pid))
                        ? Optional.of(new ProcessState('?', -1))
                        : Optional.empty();
            }
        }
    }
}
