package io.cairn.s3.testing;

import static org.junit.jupiter.api.Assertions.fail;

import io.cairn.s3.S3Credentials;
import io.cairn.s3.S3Location;
import io.cairn.s3.S3Settings;
import io.cairn.s3.S3Store;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real Ceph cluster (one monitor, one OSD, two RADOS Gateways) for the tests of a JVM, started
 * once through {@code scripts/rgw} (system property {@code cairn.rgw.script}, default
 * {@code ../scripts/rgw}) in a fresh directory under {@code cairn.rgw.parent} (default
 * {@code target}), and stopped when the JVM exits. Fails the test, never skips it, when the cluster
 * cannot be started. Tests share it and keep apart by using buckets of their own
 * ({@link #newBucket}).
 */
public final class Rgw {
    private static Rgw shared;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path script;
    private final Path dir;
    private final Map<String, String> env;

    private Rgw(Path script, Path dir, Map<String, String> env) {
        this.script = script;
        this.dir = dir;
        this.env = env;
    }

    /** The cluster of this JVM, started on first use (about 10 s; the packages once, about 25 s). */
    public static synchronized Rgw shared() throws IOException, InterruptedException {
        if (shared == null) {
            shared = start();
            Rgw r = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(r::stopQuietly, "rgw-stop"));
        }
        return shared;
    }

    /** A cluster of its own (for a test that kills or throttles it); stop it with {@link #stop()}. */
    public static Rgw start() throws IOException, InterruptedException {
        Path script = Path.of(System.getProperty("cairn.rgw.script", "../scripts/rgw"));
        if (!Files.isExecutable(script)) {
            fail("a Ceph cluster is needed for this test and " + script + " is missing or not executable");
        }
        Path parent = Path.of(System.getProperty("cairn.rgw.parent", "target"));
        Files.createDirectories(parent);
        Path dir = Files.createTempDirectory(parent.toAbsolutePath(), "rgw-it-");
        Path log = dir.resolve("start.log");
        Process p = new ProcessBuilder(script.toString(), "start", "--dir", dir.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            fail("scripts/rgw start did not return within 10 minutes: " + Files.readString(log));
        }
        if (p.exitValue() != 0) {
            fail("scripts/rgw start failed (exit " + p.exitValue() + "):\n" + Files.readString(log));
        }
        Map<String, String> env = new HashMap<>();
        for (String line : Files.readAllLines(dir.resolve("env"), StandardCharsets.UTF_8)) {
            if (line.startsWith("export ")) {
                String kv = line.substring("export ".length());
                int eq = kv.indexOf('=');
                env.put(kv.substring(0, eq), kv.substring(eq + 1).replace("\"", ""));
            }
        }
        return new Rgw(script, dir, env);
    }

    /** The variables of {@code D/env}: CAIRN_S3_ENDPOINT, CAIRN_S3_ENDPOINT2, AWS_ACCESS_KEY_ID, … */
    public Map<String, String> env() {
        Map<String, String> e = new HashMap<>(env);
        e.remove("RGW_PIDS");
        return e;
    }

    public Path dir() {
        return dir;
    }

    public URI endpoint() {
        return URI.create(env.get("CAIRN_S3_ENDPOINT"));
    }

    public URI endpoint2() {
        return URI.create(env.get("CAIRN_S3_ENDPOINT2"));
    }

    public URI tlsEndpoint() {
        return URI.create(env.get("CAIRN_S3_ENDPOINT_TLS"));
    }

    public Path caFile() {
        return Path.of(env.get("CAIRN_S3_CA_FILE"));
    }

    public S3Credentials credentials() {
        return new S3Credentials(env.get("AWS_ACCESS_KEY_ID"), env.get("AWS_SECRET_ACCESS_KEY"));
    }

    /** Settings for these endpoints (in this order), a short timeout, no cache. */
    public S3Settings settings(URI... endpoints) {
        return new S3Settings(
                List.of(endpoints.length == 0 ? new URI[] {endpoint()} : endpoints),
                null,
                credentials(),
                null,
                false,
                Duration.ofSeconds(20),
                S3Settings.DEFAULT_ATTEMPTS,
                null);
    }

    /** A new, empty bucket with a unique name; with Object Lock (and versioning) when asked. */
    public String newBucket(String purpose, boolean objectLock) throws IOException {
        byte[] b = new byte[4];
        RANDOM.nextBytes(b);
        String name = (purpose + "-" + HexFormat.of().formatHex(b)).toLowerCase(java.util.Locale.ROOT);
        try (S3Store s = S3Store.connect(new S3Location(name, ""), settings())) {
            s.createBucket(objectLock);
        }
        return name;
    }

    /** kill -9 of gateway 1 or 2. */
    public void killGateway(int n) throws IOException, InterruptedException {
        run("kill-gateway", String.valueOf(n));
    }

    /** Starts gateway 1 or 2 again. */
    public void startGateway(int n) throws IOException, InterruptedException {
        run("start-gateway", String.valueOf(n));
    }

    private void run(String cmd, String arg) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(script.toString(), cmd, "--dir", dir.toString(), arg)
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
            fail("scripts/rgw " + cmd + " failed: " + out);
        }
    }

    /** Stops the cluster and removes its directory. */
    public void stop() throws IOException, InterruptedException {
        Process p = new ProcessBuilder(script.toString(), "stop", "--dir", dir.toString())
                .redirectErrorStream(true)
                .start();
        p.getInputStream().readAllBytes();
        p.waitFor(2, TimeUnit.MINUTES);
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder())
                    .forEach(f -> f.toFile().delete());
        }
    }

    private void stopQuietly() {
        try {
            stop();
        } catch (IOException | InterruptedException e) {
            // the JVM is exiting; scripts/rgw stop --dir can be run by hand
        }
    }
}
