package io.cairn.appliance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * The appliance booted in qemu through {@code appliance-image/vm} (TCG, pvscsi, vmxnet3, the serial
 * port in a file). A boot that shows no ready console within {@link #BOOT_TIMEOUT} is reset and
 * waited for once more, since TCG on a shared machine is slow and a rare early hang is known
 * (docs/appliance.md, tests); a second miss fails the test with the serial log's tail.
 */
final class Vm implements AutoCloseable {
    static final Duration BOOT_TIMEOUT = Duration.ofSeconds(480);
    private static final Path SCRIPT = Path.of("vm").toAbsolutePath();

    private final Path dir;
    private final List<String> startArgs;
    private int https;
    private int ssh;

    private Vm(Path dir, List<String> startArgs) {
        this.dir = dir;
        this.startArgs = startArgs;
    }

    /**
     * Boots and waits until the console shows the web UI answering; returns that screen.
     *
     * @param args more arguments of {@code vm start} ({@code --ovf-env}, {@code --data-disk}, …)
     */
    static Vm boot(Path dir, Path ova, List<String> args) throws Exception {
        List<String> a = new ArrayList<>(List.of("--dir", dir.toString(), "--ova", ova.toString()));
        a.addAll(args);
        Vm vm = new Vm(dir, a);
        vm.start();
        return vm;
    }

    private void start() throws Exception {
        List<String> cmd = new ArrayList<>(List.of(SCRIPT.toString(), "start"));
        cmd.addAll(startArgs);
        String out = run(cmd, Duration.ofMinutes(3));
        Map<String, String> kv = java.util.Arrays.stream(out.trim().split("\\s+"))
                .filter(s -> s.contains("="))
                .collect(Collectors.toMap(s -> s.substring(0, s.indexOf('=')), s -> s.substring(s.indexOf('=') + 1)));
        https = Integer.parseInt(kv.get("https"));
        ssh = Integer.parseInt(kv.get("ssh"));
    }

    int httpsPort() {
        return https;
    }

    int sshPort() {
        return ssh;
    }

    Path serialLog() {
        return dir.resolve("serial.log");
    }

    String serial() throws IOException {
        return new String(Files.readAllBytes(serialLog()), StandardCharsets.ISO_8859_1);
    }

    /** The newest console screen that satisfies {@code ready}, waiting for it (one reset on the way). */
    Console awaitConsole(Predicate<Console> ready) throws Exception {
        for (int attempt = 1; ; attempt++) {
            long deadline = System.nanoTime() + BOOT_TIMEOUT.toNanos();
            while (System.nanoTime() < deadline) {
                List<Console> screens = Console.all(serial());
                for (int i = screens.size() - 1; i >= 0; i--) {
                    if (ready.test(screens.get(i))) {
                        return screens.get(i);
                    }
                }
                Thread.sleep(2000);
            }
            String tail = tail(serial(), 4000);
            if (attempt == 2) {
                fail("the appliance showed no ready console within " + BOOT_TIMEOUT.toSeconds()
                        + " s, twice; serial log's end:\n" + tail);
            }
            System.err.println("ApplianceIT: no ready console within " + BOOT_TIMEOUT.toSeconds()
                    + " s: resetting the VM once; serial log's end:\n" + tail);
            kill();
            start();
        }
    }

    /** Powers off through ACPI and waits for qemu to exit (the disks are then consistent). */
    void stop() throws Exception {
        run(List.of(SCRIPT.toString(), "stop", "--dir", dir.toString(), "--timeout", "180"), Duration.ofMinutes(4));
    }

    void kill() throws Exception {
        run(List.of(SCRIPT.toString(), "kill", "--dir", dir.toString()), Duration.ofMinutes(1));
    }

    @Override
    public void close() throws Exception {
        kill();
    }

    static String tail(String s, int n) {
        return s.length() <= n ? s : s.substring(s.length() - n);
    }

    /** Runs a command, fails the test on a non-zero exit or a timeout, returns its output. */
    static String run(List<String> cmd, Duration timeout) throws Exception {
        Path out = Files.createTempFile("appliance-it", ".out");
        try {
            Process p = new ProcessBuilder(cmd)
                    .redirectErrorStream(true)
                    .redirectOutput(out.toFile())
                    .start();
            if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail(String.join(" ", cmd) + " did not end within " + timeout.toSeconds() + " s: "
                        + Files.readString(out));
            }
            String text = Files.readString(out, StandardCharsets.UTF_8);
            assertEquals(0, p.exitValue(), () -> String.join(" ", cmd) + " failed:\n" + text);
            return text;
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
