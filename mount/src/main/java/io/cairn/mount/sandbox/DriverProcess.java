package io.cairn.mount.sandbox;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A sandboxed driver serving one mounted volume: bubblewrap's process (the driver is its only
 * child, and dies with it). Made by {@link Sandbox#start}.
 */
public final class DriverProcess {
    private final String name;
    private final Process process;
    private final Path target;
    private final DriverOutput output;

    DriverProcess(String name, Process process, Path target, Consumer<String> log) {
        this.name = name;
        this.process = process;
        this.target = target;
        this.output = new DriverOutput(name, process.getInputStream(), log);
        Thread t = new Thread(output, "cairn-driver-output-" + name + "-" + process.pid());
        t.setDaemon(true);
        t.start();
    }

    /** The process id of bubblewrap, outside the sandbox; the driver is its child. */
    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Waits until the driver's mount is in place (the mount point's device changes) and answers a
     * directory listing, which the kernel holds back until the driver has started serving it.
     *
     * @throws IOException when the driver exits first (with its last messages) or does not answer
     *         within {@code timeout} (then it is killed)
     */
    public void awaitReady(Duration timeout) throws IOException {
        CompletableFuture<Void> listed = new CompletableFuture<>();
        Object below = Files.getAttribute(target.getParent(), "unix:dev");
        // A stat or listing of a mount whose driver has not answered yet cannot be interrupted: it
        // runs on a thread of its own, which a killed driver releases (the connection then fails).
        Thread probe = new Thread(
                () -> {
                    try {
                        // the launcher mounts a moment after it starts: until then the mount point is
                        // the empty directory below, which must not count as an answer
                        while (below.equals(Files.getAttribute(target, "unix:dev"))) {
                            if (listed.isDone()) {
                                return;
                            }
                            Thread.sleep(10);
                        }
                        try (DirectoryStream<Path> ds = Files.newDirectoryStream(target)) {
                            ds.iterator().hasNext();
                        }
                        listed.complete(null);
                    } catch (IOException | RuntimeException e) {
                        listed.completeExceptionally(e);
                    } catch (InterruptedException e) {
                        listed.completeExceptionally(e);
                    }
                },
                "cairn-driver-ready-" + name);
        probe.setDaemon(true);
        probe.start();
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                if (listed.isDone()) {
                    listed.get();
                    return;
                }
                if (!process.isAlive()) {
                    listed.cancel(false); // stops the probe if it is still waiting for the mount
                    // its connection is gone with it: the listing ends too, with an error
                    try {
                        listed.get(2, TimeUnit.SECONDS);
                    } catch (Exception ignored) {
                        // the exit status says more
                    }
                    throw new IOException(failure());
                }
                if (System.nanoTime() > deadline) {
                    listed.cancel(false);
                    kill();
                    throw new IOException(name + " did not answer within " + timeout.toSeconds() + " s"
                            + (output.tail().isEmpty() ? "" : ": " + output.tail()));
                }
                Thread.sleep(20);
            }
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            throw new IOException(
                    process.isAlive() ? name + " started but its mount fails: " + c.getMessage() : failure(), c);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill();
            throw new java.io.InterruptedIOException("interrupted while " + name + " was starting");
        }
    }

    private String failure() {
        int exit;
        try {
            exit = process.waitFor(2, TimeUnit.SECONDS) ? process.exitValue() : -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            exit = -1;
        }
        String what = switch (exit) {
            case 120 -> "cannot open /dev/fuse";
            case 121 -> "cannot open the volume";
            case 122 -> "cannot read the sandbox's files";
            case 123 -> "cannot mount its FUSE connection";
            default -> "exited with status " + exit;
        };
        String tail = output.tail();
        return name + " " + what + (tail.isEmpty() ? "" : ": " + tail);
    }

    /** The driver's last messages, cleaned for a log line. */
    public String messages() {
        return output.tail();
    }

    /**
     * Waits up to {@code grace} for the driver to end (it does once its mount is gone), then kills
     * it. Never throws.
     */
    public void stop(Duration grace) {
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                kill();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill();
        }
    }

    private void kill() {
        // SIGKILL to bubblewrap; --die-with-parent takes the driver along
        process.destroyForcibly();
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
