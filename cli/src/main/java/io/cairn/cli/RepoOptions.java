package io.cairn.cli;

import io.cairn.operations.location.ObjectStoreOptions;
import io.cairn.operations.location.RepositoryLocation;
import io.cairn.repository.Repository;
import io.cairn.repository.error.RepositoryException;
import io.cairn.repository.store.Store;
import java.io.Console;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * Options every repository command shares. Passwords and object store credentials never come from
 * the command line. The repository is opened through the operations layer's
 * {@link RepositoryLocation}, whatever keeps it.
 */
final class RepoOptions {
    @Option(
            names = "--repo",
            paramLabel = "DIR|s3://BUCKET/PREFIX",
            description = "Repository: a directory, or a prefix of an S3 bucket (required).")
    String repo;

    @Option(
            names = "--endpoint",
            paramLabel = "URL[,URL...]",
            description = "S3 gateway(s) of an s3:// repository, tried in order (else CAIRN_S3_ENDPOINT)."
                    + " Credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or --s3-credentials.")
    String endpoint;

    @Option(
            names = "--s3-credentials",
            paramLabel = "FILE",
            description = "An AWS credentials file ([default] or the AWS_PROFILE section) instead of the environment.")
    Path s3Credentials;

    @Option(
            names = "--s3-ca-file",
            paramLabel = "FILE",
            description = "PEM certificate(s) of the CA that signed an https endpoint's certificate.")
    Path s3CaFile;

    @Option(names = "--s3-insecure", description = "Accept any certificate from an https endpoint (never the default).")
    boolean s3Insecure;

    @Option(
            names = "--s3-timeout",
            paramLabel = "DURATION",
            description = "How long one S3 request may take before it is retried (default: 60s).")
    String s3Timeout;

    @Option(
            names = "--s3-renew-after",
            paramLabel = "DURATION",
            description = "A reused chunk's time is renewed (a server-side copy) only when older than this;"
                    + " gc keeps that much more (default: 15m).")
    String s3RenewAfter;

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

    @Option(
            names = "--threads",
            paramLabel = "N",
            description =
                    "Worker threads (default: one per core; at least 8 on an object store, whose requests wait on the network).")
    Integer threads;

    private RepositoryLocation location;

    int threads() throws IOException {
        return threads != null
                ? Math.max(1, threads)
                : location().defaultThreads(Runtime.getRuntime().availableProcessors());
    }

    Duration lockWait() {
        return Durations.parse(lockWait, "--lock-wait");
    }

    /** Where the repository is (not required by picocli: mount --cleanup needs none). */
    RepositoryLocation location() throws IOException {
        return location(defaultCacheDir());
    }

    /** With the object store's metadata cached under {@code cacheDir} (serve: its state directory). */
    RepositoryLocation location(Path cacheDir) throws IOException {
        if (location == null) {
            Duration timeout = s3Timeout == null ? null : Durations.parse(s3Timeout, "--s3-timeout");
            Duration renew = s3RenewAfter == null ? null : Durations.parse(s3RenewAfter, "--s3-renew-after");
            location = RepositoryLocation.parse(
                    repo,
                    new ObjectStoreOptions(endpoint, s3CaFile, s3Insecure, s3Credentials, timeout, cacheDir, renew),
                    System.getenv());
        }
        return location;
    }

    /**
     * The metadata cache of object store repositories: {@code $XDG_CACHE_HOME/cairn} or
     * {@code ~/.cache/cairn}.
     */
    static Path defaultCacheDir() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("cairn");
    }

    Store store() throws IOException {
        return location().store();
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
        return location().open(passwords);
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

    /** The options that reach the same repository, for a command started again (mount --background). */
    java.util.List<String> asArguments() {
        java.util.List<String> a = new java.util.ArrayList<>();
        a.add("--repo");
        a.add(location != null ? location.describe() : repo);
        if (endpoint != null) {
            a.add("--endpoint");
            a.add(endpoint);
        }
        if (s3Credentials != null) {
            a.add("--s3-credentials");
            a.add(s3Credentials.toAbsolutePath().toString());
        }
        if (s3CaFile != null) {
            a.add("--s3-ca-file");
            a.add(s3CaFile.toAbsolutePath().toString());
        }
        if (s3Insecure) {
            a.add("--s3-insecure");
        }
        if (s3Timeout != null) {
            a.add("--s3-timeout");
            a.add(s3Timeout);
        }
        if (s3RenewAfter != null) {
            a.add("--s3-renew-after");
            a.add(s3RenewAfter);
        }
        return a;
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
