package io.cairn.cli;

import io.cairn.mount.fuse.FuseMount;
import io.cairn.mount.fuse.MountTable;
import io.cairn.mount.guest.GuestVolumeManager;
import io.cairn.operations.disk.Vddk;
import io.cairn.operations.mount.RepositoryMount;
import io.cairn.repository.Repository;
import io.cairn.vixmntbridge.vddk.VddkLibrary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "mount",
        description = {
            "Show every backup as files through FUSE (read-only): vms/<vm>/<time>/{config,disks,volumes}, "
                    + "vms/<vm>/latest, by-uuid/<instanceUuid>. Runs until Ctrl-C or 'cairn umount MOUNTPOINT'.",
            "With --cleanup, unmounts what a killed cairn mount left behind (guest volumes first)."
        })
final class MountCommand implements Callable<Integer> {
    @Mixin
    RepoOptions repo;

    @Parameters(index = "0", arity = "0..1", paramLabel = "MOUNTPOINT", description = "An empty directory.")
    Path mountPoint;

    @Option(names = "--background", description = "Return once mounted; the mount keeps running in the background.")
    boolean background;

    @Option(
            names = "--cleanup",
            description = "Unmount stale cairn mounts (MOUNTPOINT, or every cairn mount whose process is gone).")
    boolean cleanup;

    @Option(names = "--no-volumes", description = "Do not look into guest volumes (only config and disks).")
    boolean noVolumes;

    /** Kept so that scripts written for cairn 0.1 still run: the kernel never parses a guest filesystem now. */
    @Option(names = "--no-kernel-mounts", hidden = true)
    boolean noKernelMounts;

    @Option(
            names = "--allow-other",
            description = "Let every local user read the mounted backups (FUSE allow_other). They are the decrypted"
                    + " disks of every VM: without this only the user who mounts can read them.")
    boolean allowOther;

    @Option(
            names = "--cache",
            paramLabel = "SIZE",
            defaultValue = "256M",
            description = "Memory for decompressed chunks (default: ${DEFAULT-VALUE}).")
    String cache;

    @Option(
            names = "--log",
            paramLabel = "FILE",
            description = "With --background: where the mount's messages go"
                    + " (default: a file in /run/cairn or the temporary directory).")
    Path logFile;

    @Option(
            names = "--vixmntapi",
            description = "Mount Linux guest volumes (ext2/3/4, XFS) through VMware's VixMntapi (from --vddk DIR or"
                    + " VDDK_HOME) instead of the sandboxed drivers. VixMntapi has this machine's kernel parse the"
                    + " guest's filesystem, as root: only for guests you trust (docs/security.md).")
    boolean vixMntapi;

    @Option(names = "--vddk", paramLabel = "DIR", description = "VMware's VDDK for --vixmntapi (else VDDK_HOME).")
    Path vddk;

    @Option(names = "--daemonized", hidden = true)
    boolean daemonized;

    /** What the background mount's environment keeps (with every LC_*): not secrets, what a JVM needs. */
    private static final Set<String> CHILD_ENV = Set.of("PATH", "HOME", "LANG", "LANGUAGE", "TZ", "TMPDIR");

    @Override
    public Integer call() throws Exception {
        if (cleanup) {
            return cleanup();
        }
        if (mountPoint == null) {
            throw new IllegalArgumentException("Missing required parameter: 'MOUNTPOINT'");
        }
        checkVixMntapi();
        if (background && !daemonized) {
            return startBackground();
        }
        return mount();
    }

    /** VixMntapi only when asked for by name, with a VDDK to load it from. */
    private void checkVixMntapi() {
        if (vddk != null && !vixMntapi) {
            throw new IllegalArgumentException(
                    "--vddk serves --vixmntapi only: without it, guest volumes are read by the"
                            + " sandboxed drivers, which need no VDDK");
        }
        if (vixMntapi && noVolumes) {
            throw new IllegalArgumentException("--vixmntapi mounts guest volumes, which --no-volumes leaves out");
        }
        if (vixMntapi && !Vddk.at(vddk).named()) {
            throw new IllegalArgumentException("--vixmntapi needs VMware's VDDK: give --vddk DIR or set VDDK_HOME");
        }
    }

    private int mount() throws Exception {
        Repository r = repo.open();
        RepositoryMount.Options o = new RepositoryMount.Options(
                mountPoint,
                "cairn:" + repo.location().describe(),
                Durations.parseSize(cache, "--cache"),
                repo.threads(),
                !noVolumes,
                allowOther,
                repo.lockWait());
        Vddk v = null;
        if (vixMntapi) {
            v = Vddk.at(vddk);
            log("guest Linux volumes through VixMntapi, parsed by this machine's kernel (--vixmntapi)");
        }
        try (Vddk ownVddk = v;
                RepositoryMount m = RepositoryMount.open(r, o, v, MountCommand::log)) {
            if (!m.lockRecorded()) {
                System.err.println("warning: the repository's filesystem is full, so this mount runs without a lock;"
                        + " do not run gc while it is mounted");
            }
            System.out.println(m.summary()
                    + (daemonized ? "" : "; press Ctrl-C or run 'cairn umount " + m.mountPoint() + "' to unmount"));
            System.out.flush();
            // until unmounted from outside: guest mounts were taken down by cairn umount (or are lazily detached)
            m.awaitUnmount();
        }
        System.out.println("unmounted " + mountPoint.toAbsolutePath().normalize());
        return Main.OK;
    }

    /** One line per message: names from guests (volumes, files) are escaped as the server's log does. */
    private static void log(String message) {
        System.err.println(
                Instant.now().toString().substring(0, 19) + "Z " + io.cairn.httpui.audit.LogText.escape(message));
    }

    /** Starts this same command again as a detached process and waits until its mount is visible. */
    private int startBackground() throws Exception {
        Path mp = mountPoint.toAbsolutePath().normalize();
        Path log = logFile != null ? logFile : defaultLog(mp);
        List<String> cmd = new ArrayList<>();
        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        Path setsid = Path.of("/usr/bin/setsid");
        if (Files.isExecutable(setsid)) {
            cmd.add(setsid.toString()); // its own session: a Ctrl-C in this terminal must not reach it
        }
        cmd.add(javaBin.toString());
        cmd.addAll(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Main.class.getName());
        cmd.add("mount");
        cmd.add("--daemonized");
        cmd.addAll(repo.asArguments());
        if (repo.passwordFile != null) {
            cmd.add("--password-file");
            cmd.add(repo.passwordFile.toAbsolutePath().toString());
        }
        if (repo.threads != null) {
            cmd.add("--threads");
            cmd.add(repo.threads.toString());
        }
        cmd.add("--lock-wait");
        cmd.add(repo.lockWait);
        cmd.add("--cache");
        cmd.add(cache);
        if (noVolumes) {
            cmd.add("--no-volumes");
        }
        if (allowOther) {
            cmd.add("--allow-other");
        }
        if (vixMntapi) {
            cmd.add("--vixmntapi");
            // VDDK_HOME does not reach the child (a clean environment): the directory goes as --vddk
            Path dir = vddk != null ? vddk : Path.of(System.getenv(VddkLibrary.VDDK_HOME));
            cmd.add("--vddk");
            cmd.add(dir.toAbsolutePath().toString());
        }
        cmd.add(mp.toString());
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        // a clean environment: the locale and paths the JVM needs, nothing else of this process's
        // (vCenter credentials, VDDK settings); the password only when the repository needs one
        Map<String, String> env = pb.environment();
        String password = System.getenv("CAIRN_PASSWORD");
        env.keySet().removeIf(k -> !CHILD_ENV.contains(k) && !k.startsWith("LC_"));
        if (repo.passwordFile == null && (password != null || r0Encrypted())) {
            // the prompt happens here, the password travels in the child's environment, never argv
            env.put("CAIRN_PASSWORD", password != null ? password : new String(repo.password(false)));
        }
        Process p = pb.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            MountTable.Entry e = MountTable.at(mp);
            if (e != null && FuseMount.FS_TYPE.equals(e.fsType())) {
                System.out.println("mounted on " + mp + " (process " + p.pid() + ", messages in " + log + ");"
                        + " unmount with 'cairn umount " + mp + "'");
                return Main.OK;
            }
            if (!p.isAlive()) {
                String out = Files.exists(log) ? tail(log) : "";
                throw new IOException(
                        "the background mount exited with status " + p.exitValue() + (out.isEmpty() ? "" : ": " + out));
            }
            Thread.sleep(50);
        }
        p.destroy();
        throw new IOException("the background mount did not appear within 60 s; see " + log);
    }

    private boolean r0Encrypted() throws IOException {
        // Opening with a password source that fails tells whether one is needed, without prompting twice.
        try {
            repo.location().open(() -> {
                throw new NeedsPassword();
            });
            return false;
        } catch (NeedsPassword e) {
            return true;
        }
    }

    private static final class NeedsPassword extends RuntimeException {
        NeedsPassword() {
            super(null, null, false, false);
        }
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log);
        return String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size()))
                .trim();
    }

    private static Path defaultLog(Path mp) throws IOException {
        Path dir = Path.of("/run/cairn");
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            dir = Path.of(System.getProperty("java.io.tmpdir"));
        }
        String name = "mount-" + Integer.toHexString(mp.toString().hashCode()) + ".log";
        return dir.resolve(name);
    }

    /** Unmounts cairn mounts whose process is gone (or the one named), guest volumes first. */
    private int cleanup() throws IOException {
        List<MountTable.Entry> targets = new ArrayList<>();
        for (MountTable.Entry e : MountTable.read()) {
            if (!FuseMount.FS_TYPE.equals(e.fsType())) {
                continue;
            }
            if (mountPoint != null
                    ? e.mountPoint().equals(mountPoint.toAbsolutePath().normalize())
                    : isStale(e.mountPoint())) {
                targets.add(e);
            }
        }
        if (targets.isEmpty()) {
            System.out.println(
                    mountPoint != null
                            ? "no cairn mount on " + mountPoint.toAbsolutePath().normalize()
                            : "no stale cairn mounts");
            return Main.OK;
        }
        for (MountTable.Entry t : targets) {
            for (MountTable.Entry e : MountTable.atOrBelow(t.mountPoint())) {
                GuestVolumeManager.unmount(e.mountPoint(), MountCommand::log);
                System.out.println("unmounted " + e.mountPoint() + " (" + e.fsType() + ")");
            }
        }
        return Main.OK;
    }

    /**
     * A FUSE mount whose daemon died answers every call with ENOTCONN. A stat is not such a call:
     * the kernel answers it from its attribute cache for a while after the daemon is gone, so this
     * reads the directory, which always asks the daemon.
     */
    private static boolean isStale(Path mp) {
        try (java.nio.file.DirectoryStream<Path> s = Files.newDirectoryStream(mp)) {
            s.iterator().hasNext();
            return false;
        } catch (java.nio.file.DirectoryIteratorException e) {
            return e.getCause().getMessage() != null
                    && e.getCause().getMessage().contains("not connected");
        } catch (IOException e) {
            return e.getMessage() != null && e.getMessage().contains("not connected");
        }
    }
}
