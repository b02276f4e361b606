package io.cairn.httpui;

import io.cairn.repository.Repository;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The web UI's settings, validated once.
 *
 * @param repository the opened repository
 * @param repositoryPath where it is (shown on the dashboard)
 * @param stateDir users, sessions' keystore, audit log, the FUSE mount point ({@code mnt})
 * @param bind address to listen on (default 127.0.0.1)
 * @param port HTTPS port (default 8443; 0 picks a free one)
 * @param threads worker threads for restores and the mount's read-ahead
 * @param keystore an administrator's own PKCS12 keystore, or null for the generated self-signed one
 * @param keystorePassword its password (with {@code keystore})
 * @param vddk VMware's VDDK for scheduled backups over nbd, nbdssl, hotadd or san ({@code --vddk DIR}),
 *     or null for {@code VDDK_HOME}
 * @param vixMntapi whether guest Linux volumes are mounted through the VDDK's VixMntapi instead of
 *     the sandboxed drivers ({@code cairn serve --vixmntapi}): VixMntapi has this machine's kernel
 *     parse them as root, so only an administrator who trusts every guest turns it on
 */
public record UiConfig(
        Repository repository,
        Path repositoryPath,
        Path stateDir,
        String bind,
        int port,
        int threads,
        Path keystore,
        char[] keystorePassword,
        Path vddk,
        boolean vixMntapi) {
    public static final String DEFAULT_BIND = "127.0.0.1";
    public static final int DEFAULT_PORT = 8443;

    public UiConfig {
        Objects.requireNonNull(repository, "repository");
        Objects.requireNonNull(repositoryPath, "repositoryPath");
        Objects.requireNonNull(stateDir, "stateDir");
        stateDir = stateDir.toAbsolutePath().normalize();
        bind = bind == null || bind.isBlank() ? DEFAULT_BIND : bind;
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0 to 65535, not " + port);
        }
        threads = Math.max(2, threads);
        if (keystore != null && keystorePassword == null) {
            throw new IllegalArgumentException("a keystore needs its password");
        }
    }

    /** Without a VDDK of its own ({@code VDDK_HOME} still counts). */
    public UiConfig(
            Repository repository,
            Path repositoryPath,
            Path stateDir,
            String bind,
            int port,
            int threads,
            Path keystore,
            char[] keystorePassword) {
        this(repository, repositoryPath, stateDir, bind, port, threads, keystore, keystorePassword, null, false);
    }

    public UiConfig(Repository repository, Path repositoryPath, Path stateDir) {
        this(
                repository,
                repositoryPath,
                stateDir,
                DEFAULT_BIND,
                DEFAULT_PORT,
                Runtime.getRuntime().availableProcessors(),
                null,
                null);
    }

    public UiConfig withPort(int p) {
        return new UiConfig(
                repository, repositoryPath, stateDir, bind, p, threads, keystore, keystorePassword, vddk, vixMntapi);
    }

    /**
     * The default state directory: {@code /var/lib/cairn} when it is (or can be made) writable,
     * else {@code $HOME/.local/state/cairn}.
     */
    public static Path defaultStateDir() {
        Path system = Path.of("/var/lib/cairn");
        try {
            Files.createDirectories(system);
            if (Files.isWritable(system)) {
                return system;
            }
        } catch (java.io.IOException | SecurityException ignored) {
            // not root: fall through
        }
        return Path.of(System.getProperty("user.home"), ".local", "state", "cairn");
    }
}
