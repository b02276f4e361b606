package io.cairn.vsphere.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * govmomi's vCenter simulator for a test, started and stopped through {@code scripts/vcsim} (system
 * property {@code cairn.vcsim.script}, default {@code ../scripts/vcsim}) in a fresh directory under
 * {@code cairn.vcsim.parent} (default {@code target}). Fails the test, never skips it, when vcsim
 * cannot be built or started.
 */
public final class Vcsim implements AutoCloseable {
    /** Go's fixed test certificate, served by every vcsim (see scripts/vcsim). */
    public static final String SHA1 = "2C:11:ED:D7:13:87:7D:B5:74:18:B8:1C:42:C2:56:1F:0D:B9:5B:B9";

    public static final String SHA256 =
            "44:8F:62:8A:8A:65:AA:18:56:0E:53:A8:0C:53:AC:B3:8C:51:B4:27:DF:03:34:08:23:49:14:11:47:DC:9B:F6";

    private final Path script;
    private final Path dir;
    private final String url;

    private Vcsim(Path script, Path dir, String url) {
        this.script = script;
        this.dir = dir;
        this.url = url;
    }

    /** Starts a vcsim; {@code vcsimArgs} go to vcsim itself (e.g. {@code -username u -password p}). */
    public static Vcsim start(String... vcsimArgs) throws IOException, InterruptedException {
        Path script = Path.of(System.getProperty("cairn.vcsim.script", "../scripts/vcsim"));
        if (!Files.isExecutable(script)) {
            fail("vcsim is needed for this test and " + script + " is missing or not executable");
        }
        // A fresh directory per run: two builds of this module at once must not share a vcsim.
        Path parent = Path.of(System.getProperty("cairn.vcsim.parent", "target"));
        Files.createDirectories(parent);
        Path dir = Files.createTempDirectory(parent, "vcsim-it-");
        Path log = Files.createTempFile("vcsim-start", ".log");
        List<String> cmd = new ArrayList<>(List.of(script.toString(), "start", "--dir", dir.toString()));
        if (vcsimArgs.length > 0) {
            cmd.add("--");
            cmd.addAll(Arrays.asList(vcsimArgs));
        }
        // `start` builds vcsim first when needed (about a minute from nothing).
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            fail("scripts/vcsim start did not return within 10 minutes: " + Files.readString(log));
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        Files.delete(log);
        if (p.exitValue() != 0) {
            fail("scripts/vcsim start failed (exit " + p.exitValue() + "):\n" + out);
        }
        String url = out.lines()
                .filter(l -> l.startsWith("url="))
                .findFirst()
                .map(l -> l.substring("url=".length()).split(" ")[0])
                .orElseThrow(() -> new AssertionError("no url= line from scripts/vcsim start:\n" + out));
        return new Vcsim(script, dir, url);
    }

    /** {@code https://127.0.0.1:PORT/sdk}. */
    public String url() {
        return url;
    }

    /** The directory vcsim runs in (its datastore files are under {@code govcsim-*}). */
    public Path dir() {
        return dir;
    }

    /**
     * Runs govc (built by {@code scripts/vcsim build} next to vcsim) against this simulator and
     * returns its output; fails the test when it fails. For setting a scene the vim25 operations
     * cairn uses cannot (folders, pools, roles, permissions). Certificate checks are off only
     * because this is the local simulator with its fixed test certificate.
     */
    public String govc(String... args) throws IOException, InterruptedException {
        Path govc = script.toAbsolutePath().getParent().getParent().resolve("target/vcsim/govc");
        if (!Files.isExecutable(govc)) {
            fail("govc is needed for this test and " + govc + " was not built (see target/vcsim/govc-build.log)");
        }
        List<String> cmd = new ArrayList<>(List.of(govc.toString()));
        cmd.addAll(Arrays.asList(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        String hostPort = url.substring("https://".length(), url.indexOf("/sdk"));
        pb.environment().put("GOVC_URL", "https://user:pass@" + hostPort + "/sdk");
        pb.environment().put("GOVC_INSECURE", "1");
        pb.environment().put("GOVC_PERSIST_SESSION", "false");
        pb.environment().remove("GOVC_DATACENTER");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
            fail("govc " + String.join(" ", args) + " failed:\n" + out);
        }
        return out;
    }

    /** Stops vcsim and removes its directory. */
    @Override
    public void close() throws IOException, InterruptedException {
        if (Files.isDirectory(dir)) {
            Process p = new ProcessBuilder(script.toString(), "stop", dir.toString())
                    .inheritIO()
                    .start();
            p.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
