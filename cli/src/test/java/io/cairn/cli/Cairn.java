package io.cairn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real {@code cairn.jar} (system property {@code cairn.jar}, set by failsafe) as a child
 * process: {@code java -jar cairn.jar ARGS}, standard input from /dev/null (so there is no console),
 * without {@code CAIRN_PASSWORD} in the environment unless a test sets it. Every process started
 * through one instance is killed by {@link #close()}, so a failing test leaves nothing running.
 */
final class Cairn implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final long DEFAULT_TIMEOUT_S = 180;

    private final List<Running> started = new CopyOnWriteArrayList<>();

    static Path jar() {
        String p = System.getProperty("cairn.jar");
        if (p == null || p.isBlank()) {
            fail(
                    "system property cairn.jar is not set (run the *IT classes through maven-failsafe: mvn -pl cli -am verify)");
        }
        Path jar = Path.of(p);
        if (!Files.isRegularFile(jar)) {
            fail("cairn.jar " + jar + " does not exist: build it with mvn -DskipTests package first");
        }
        return jar;
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** A finished process. */
    record Result(List<String> command, int exit, String out, String err, long millis) {
        /** Standard error split into non-empty lines. */
        List<String> errLines() {
            return err.lines().filter(l -> !l.isBlank()).toList();
        }

        String describe() {
            return "$ cairn " + String.join(" ", command) + "\n  exit " + exit + " after " + millis + " ms"
                    + "\n  --- stdout ---\n" + indent(out) + "\n  --- stderr ---\n" + indent(err);
        }

        private static String indent(String s) {
            String t = s.length() > 6000 ? s.substring(0, 6000) + "\n[... " + (s.length() - 6000) + " more chars]" : s;
            return t.lines().map(l -> "  | " + l).reduce((a, b) -> a + "\n" + b).orElse("  | (empty)");
        }

        Result expectExit(int code) {
            assertEquals(code, exit, () -> "unexpected exit code\n" + describe());
            return this;
        }

        Result ok() {
            return expectExit(0);
        }

        /** Exit {@code code} and exactly one stderr line {@code cairn <command>: ...} containing every fragment. */
        Result expectFailure(int code, String command, String... fragments) {
            expectExit(code);
            List<String> lines = errLines();
            assertEquals(1, lines.size(), () -> "a failure must print exactly one line on stderr\n" + describe());
            String line = lines.get(0);
            assertTrue(
                    line.startsWith("cairn " + command + ": "),
                    () -> "stderr must start with 'cairn " + command + ": '\n" + describe());
            for (String f : fragments) {
                assertTrue(
                        line.toLowerCase().contains(f.toLowerCase()),
                        () -> "stderr should mention '" + f + "'\n" + describe());
            }
            return this;
        }

        JsonNode json() {
            try {
                return JSON.readTree(out);
            } catch (IOException e) {
                throw new AssertionError("stdout is not JSON\n" + describe(), e);
            }
        }
    }

    /** A started process whose output is being collected. */
    final class Running {
        final List<String> args;
        final Process process;
        final long startNanos;
        private final Thread outPump;
        private final Thread errPump;
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final ByteArrayOutputStream err = new ByteArrayOutputStream();

        Running(List<String> args, Process process) {
            this.args = args;
            this.process = process;
            this.startNanos = System.nanoTime();
            this.outPump = pump(process.getInputStream(), out);
            this.errPump = pump(process.getErrorStream(), err);
        }

        long pid() {
            return process.pid();
        }

        boolean isAlive() {
            return process.isAlive();
        }

        /** What the process has written to standard output so far. */
        String stdout() {
            synchronized (out) {
                return out.toString(StandardCharsets.UTF_8);
            }
        }

        /** SIGKILL (Process.destroyForcibly is kill -9 on Linux); waits until the child is reaped. */
        Result kill() {
            process.destroyForcibly();
            return await(60);
        }

        Result await() {
            return await(DEFAULT_TIMEOUT_S);
        }

        Result await(long timeoutSeconds) {
            try {
                if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor();
                    fail("cairn " + String.join(" ", args) + " did not finish within " + timeoutSeconds
                            + " s (killed)");
                }
                outPump.join();
                errPump.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
                throw new AssertionError("interrupted", e);
            }
            started.remove(this);
            long ms = (System.nanoTime() - startNanos) / 1_000_000;
            return new Result(
                    args,
                    process.exitValue(),
                    out.toString(StandardCharsets.UTF_8),
                    err.toString(StandardCharsets.UTF_8),
                    ms);
        }
    }

    private static Thread pump(InputStream in, ByteArrayOutputStream sink) {
        Thread t = new Thread(
                () -> {
                    byte[] buf = new byte[8192];
                    try (in) {
                        int n;
                        while ((n = in.read(buf)) >= 0) {
                            synchronized (sink) {
                                sink.write(buf, 0, n);
                            }
                        }
                    } catch (IOException e) {
                        // the process was killed: keep what was read
                    }
                },
                "cairn-it-pump");
        t.setDaemon(true);
        t.start();
        return t;
    }

    Running start(Map<String, String> env, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(java());
        cmd.add("-jar");
        cmd.add(jar().toString());
        cmd.addAll(Arrays.asList(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().remove("CAIRN_PASSWORD");
        pb.environment().putAll(env);
        try {
            Running r = new Running(List.of(args), pb.start());
            started.add(r);
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + cmd, e);
        }
    }

    Running start(String... args) {
        return start(Map.of(), args);
    }

    Result run(String... args) {
        return start(args).await();
    }

    Result run(Map<String, String> env, String... args) {
        return start(env, args).await();
    }

    // ---- conveniences ----

    Result init(Path repo, String... more) {
        List<String> a = new ArrayList<>(List.of("init", "--repo", repo.toString()));
        a.addAll(Arrays.asList(more));
        return run(a.toArray(String[]::new)).ok();
    }

    /** Backs up an image file; returns the new backup's id (from the summary line). */
    String backup(Path repo, Path image, String... more) {
        Result r = run(backupArgs(repo, image, more)).ok();
        return backupId(r);
    }

    static String[] backupArgs(Path repo, Path image, String... more) {
        List<String> a = new ArrayList<>(List.of("backup", "--repo", repo.toString(), "--vm", "file:" + image));
        a.addAll(Arrays.asList(more));
        return a.toArray(String[]::new);
    }

    static String backupId(Result r) {
        var m = java.util.regex.Pattern.compile("^backup ([0-9a-f]{16}) of ", java.util.regex.Pattern.MULTILINE)
                .matcher(r.out());
        assertTrue(m.find(), () -> "no 'backup <id> of' line\n" + r.describe());
        return m.group(1);
    }

    /** Ids listed by {@code list --json}, oldest first; the command must succeed. */
    List<String> listIds(Path repo) {
        JsonNode arr = run("list", "--repo", repo.toString(), "--json").ok().json();
        List<String> ids = new ArrayList<>();
        arr.forEach(n -> ids.add(n.get("id").asText()));
        return ids;
    }

    /** Restores {@code backup} into a new directory under {@code scratch} and returns the restored image file. */
    Path restore(Path repo, String backup, Path scratch, String imageName) {
        Path to;
        try {
            to = Files.createTempDirectory(scratch, "restore-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        run("restore", "--repo", repo.toString(), backup, "--to", to.toString()).ok();
        Path img = to.resolve(imageName);
        assertTrue(Files.isRegularFile(img), () -> "restore did not produce " + img);
        return img;
    }

    /** Restores and compares with {@code source} by SHA-256; deletes the restored copy. */
    void assertRestoresExactly(Path repo, String backup, Path source, Path scratch) {
        assertRestoresExactly(
                repo, backup, source, scratch, source.getFileName().toString());
    }

    /** Restores, and compares the restored {@code imageName} with {@code source} by SHA-256; deletes the restored copy. */
    void assertRestoresExactly(Path repo, String backup, Path source, Path scratch, String imageName) {
        Path img = restore(repo, backup, scratch, imageName);
        try {
            assertEquals(Files.size(source), Files.size(img), "restored size of " + backup);
            assertEquals(
                    Util.sha256(source), Util.sha256(img), "SHA-256 of the restore of " + backup + " vs " + source);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            Util.deleteTree(img.getParent());
        }
    }

    @Override
    public void close() {
        for (Running r : started) {
            if (r.process.isAlive()) {
                r.process.destroyForcibly();
                try {
                    r.process.waitFor(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        started.clear();
    }
}
