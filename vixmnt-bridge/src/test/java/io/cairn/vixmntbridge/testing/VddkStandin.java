package io.cairn.vixmntbridge.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The STAND-INS for VMware's VDDK ({@code scripts/vddk-standin}, sources in
 * {@code vixmnt-bridge/src/test/c}): gcc-built {@code libvixDiskLib.so.8} and {@code libvixMntapi.so.1}
 * with the symbols and structure layouts of VMware's headers, doing real work on datastore folders
 * and logging every call. VMware's VDDK cannot be installed here; these prove cairn's side of the ABI
 * and of VMware's rules, never VMware's library. A missing gcc fails the test (never a skip):
 * {@code scripts/setup --test} installs it.
 *
 * <p>The stand-ins read their settings from the environment of the process that loads them
 * ({@link #env}): a child {@code cairn.jar} gets them through its {@code ProcessBuilder}; a test that
 * loads them in its own JVM sets them with {@link ProcessEnv}.
 */
public final class VddkStandin {
    /** Environment variables the stand-ins read (docs/vddk.md). */
    public static final String CALL_LOG = "VDDK_STANDIN_CALL_LOG";

    public static final String DATASTORES = "VDDK_STANDIN_DATASTORES";
    public static final String SAN = "VDDK_STANDIN_SAN";
    public static final String HOTADD = "VDDK_STANDIN_HOTADD";
    public static final String USER = "VDDK_STANDIN_USER";
    public static final String PASSWORD = "VDDK_STANDIN_PASSWORD";
    /** Milliseconds every successful remote Open takes, so that a test sees opens overlap. */
    public static final String OPEN_DELAY_MS = "VDDK_STANDIN_OPEN_DELAY_MS";

    private final Path home;

    private VddkStandin(Path home) {
        this.home = home;
    }

    /**
     * Builds the stand-ins into {@code dir} ({@code dir/lib64}, {@code dir/bin}) with
     * {@code scripts/vddk-standin build} (system property {@code cairn.vddk.standin.script}, default
     * {@code ../scripts/vddk-standin}); fails the test when that fails.
     */
    public static VddkStandin build(Path dir) throws IOException, InterruptedException {
        Path script = Path.of(System.getProperty("cairn.vddk.standin.script", "../scripts/vddk-standin"));
        if (!Files.isExecutable(script)) {
            fail("the VDDK stand-ins are needed for this test and " + script + " is missing or not executable");
        }
        Process p = new ProcessBuilder(script.toString(), "build", dir.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            fail("scripts/vddk-standin build did not finish within 5 minutes: " + out);
        }
        if (p.exitValue() != 0) {
            fail("scripts/vddk-standin build " + dir + " failed (exit " + p.exitValue() + "): " + out.strip());
        }
        return new VddkStandin(dir.toAbsolutePath());
    }

    /** The directory to give as {@code --vddk DIR} or {@code VDDK_HOME}. */
    public Path home() {
        return home;
    }

    public Path diskLib() {
        return home.resolve("lib64").resolve("libvixDiskLib.so.8");
    }

    public Path mntapi() {
        return home.resolve("lib64").resolve("libvixMntapi.so.1");
    }

    /** {@code bin/vddk-standin-layout}: every sizeof/offsetof of the stand-ins' structures. */
    public Map<String, Long> layout() throws IOException, InterruptedException {
        Process p = new ProcessBuilder(
                        home.resolve("bin").resolve("vddk-standin-layout").toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(1, TimeUnit.MINUTES) || p.exitValue() != 0) {
            fail("vddk-standin-layout failed: " + out);
        }
        Map<String, Long> m = new LinkedHashMap<>();
        for (String line : out.lines().toList()) {
            int eq = line.indexOf('=');
            m.put(line.substring(0, eq), Long.parseLong(line.substring(eq + 1)));
        }
        return m;
    }

    /**
     * The environment for a process that loads the stand-ins: the call log, the datastore folders
     * ({@code [name] path} resolves to {@code folder/path}), the datastores whose LUNs the "proxy"
     * sees (SAN) and from which it can hot-add.
     */
    public static Map<String, String> env(
            Path callLog, Map<String, Path> datastores, List<String> sanDatastores, List<String> hotaddDatastores) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put(CALL_LOG, callLog.toAbsolutePath().toString());
        env.put(
                DATASTORES,
                datastores.entrySet().stream()
                        .map(e -> e.getKey() + "=" + e.getValue().toAbsolutePath())
                        .collect(Collectors.joining(";")));
        env.put(SAN, String.join(",", sanDatastores));
        env.put(HOTADD, String.join(",", hotaddDatastores));
        return env;
    }
}
