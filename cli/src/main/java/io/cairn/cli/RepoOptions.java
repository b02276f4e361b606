package io.cairn.cli;

import io.cairn.repository.Repository;
import io.cairn.repository.error.NotARepositoryException;
import io.cairn.repository.error.RepositoryException;
import io.cairn.repository.store.LocalStore;
import java.io.Console;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/** Options every repository command shares. Passwords never come from the command line. */
final class RepoOptions {
    @Option(names = "--repo", paramLabel = "DIR", description = "Repository directory (required).")
    Path repo;

    @Option(
            names = "--password-file",
            paramLabel = "FILE",
            description =
                    "File whose first line is the password (else the CAIRN_PASSWORD environment variable, else a prompt).")
    Path passwordFile;

    @Option(
            names = "--lock-wait",
            paramLabel = "DURATION",
            defaultValue = "0s",
            description = "How long to wait for a conflicting lock (e.g. 30s, 10m). Default: ${DEFAULT-VALUE}.")
    String lockWait;

    @Option(names = "--threads", paramLabel = "N", description = "Worker threads (default: one per core).")
    Integer threads;

    int threads() {
        return threads != null ? Math.max(1, threads) : Runtime.getRuntime().availableProcessors();
    }

    Duration lockWait() {
        return Durations.parse(lockWait, "--lock-wait");
    }

    LocalStore store() throws IOException {
        if (repo == null) {
            // not required by picocli so that commands with a mode without a repository (mount --cleanup) can share
            // this
            throw new IllegalArgumentException("Missing required option: '--repo=DIR'");
        }
        if (!Files.exists(repo)) {
            throw new NotARepositoryException("repository " + repo.toAbsolutePath() + " does not exist");
        }
        if (!Files.isDirectory(repo)) {
            throw new NotARepositoryException("repository " + repo.toAbsolutePath() + " is not a directory");
        }
        return new LocalStore(repo);
    }

    /**
     * Opens the repository, asking for a password only if it is encrypted. A password given up front
     * ({@code --password-file}, {@code CAIRN_PASSWORD}) counts as offered: a plaintext repository then
     * refuses to open, so that nobody takes its backups for encrypted ones.
     */
    Repository open() throws IOException {
        return open(passwords());
    }

    /** Opens the repository with {@code passwords} (one from {@link #passwords()}, kept to ask again). */
    Repository open(Repository.PasswordSource passwords) throws IOException {
        return Repository.open(store(), passwords);
    }

    /** Whether the user gave a password without being asked. */
    boolean passwordOffered() {
        String env = System.getenv("CAIRN_PASSWORD");
        return passwordFile != null || (env != null && !env.isEmpty());
    }

    /**
     * The password source of this command: asked at most once (read from the file or the
     * environment, else prompted), then the same password again on every call, each a fresh copy
     * the caller may wipe.
     */
    Repository.PasswordSource passwords() {
        boolean offered = passwordOffered();
        return new Repository.PasswordSource() {
            private char[] cached;

            @Override
            public synchronized char[] password() throws IOException {
                if (cached == null) {
                    cached = RepoOptions.this.password(false);
                }
                return cached.clone();
            }

            @Override
            public boolean offered() {
                return offered;
            }
        };
    }

    char[] password(boolean confirm) throws IOException {
        if (passwordFile != null) {
            try {
                String first = Files.readString(passwordFile, StandardCharsets.UTF_8)
                        .lines()
                        .findFirst()
                        .orElse("");
                if (first.isEmpty()) {
                    throw new RepositoryException("password file " + passwordFile + " is empty");
                }
                return first.toCharArray();
            } catch (java.nio.file.NoSuchFileException e) {
                throw new RepositoryException("password file " + passwordFile + " does not exist");
            }
        }
        String env = System.getenv("CAIRN_PASSWORD");
        if (env != null && !env.isEmpty()) {
            return env.toCharArray();
        }
        Console c = System.console();
        if (c == null) {
            throw new RepositoryException(
                    "the repository is encrypted: give --password-file FILE or set CAIRN_PASSWORD");
        }
        char[] pw = c.readPassword("Password for %s: ", repo);
        if (pw == null || pw.length == 0) {
            throw new RepositoryException("no password given");
        }
        if (confirm) {
            char[] again = c.readPassword("Repeat the password: ");
            if (again == null || !java.util.Arrays.equals(pw, again)) {
                throw new RepositoryException("the passwords do not match");
            }
        }
        return pw;
    }
}
