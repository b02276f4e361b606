package io.cairn.mount.sandbox;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Runs a guest file system driver (fuse2fs, ntfs-3g, libguestfs's guestmount) at arm's length:
 * as the unprivileged user {@value #UID}:{@value #GID}, with no capabilities, in new user, mount,
 * pid, network, IPC, UTS and cgroup namespaces (bubblewrap), under a seccomp filter
 * ({@link SeccompFilter}), with a clean environment, and seeing only {@code /usr}, its own
 * volume (read-only) and an empty mount point.
 *
 * <p>How the driver's files reach cairn's tree: the driver cannot mount (no capabilities), and a
 * FUSE mount made inside its own user namespace could not be read from outside it anyway. So a
 * launcher, still root and outside the sandbox, opens {@code /dev/fuse}, mounts that connection on
 * the host mount point ({@code mount -t fuse.NAME -o fd=3,...}), then drops to the sandbox user
 * (setpriv) and starts bubblewrap with the descriptor open as fd 3; the FUSE descriptor shim
 * preloaded into the driver ({@code src/main/c/fusefd.c}) turns the driver's own mount attempt
 * into "serve fd 3". The volume is opened by the launcher too, as fd 5, and the driver reads it
 * as {@value #VOLUME}, a link to {@value #VOLUME_LINK}: reopening a descriptor checks only the
 * file's own permissions, so the sandbox user needs no way through the directories above the
 * volume (which may be private to root). No mount namespace is made outside bubblewrap's own
 * (which detaches the host's mounts): one would hold copies of every host mount for as long as
 * the driver runs.
 *
 * <p>Layout inside: {@value #VOLUME} (the volume, read-only), {@value #MOUNT_POINT} (the driver's
 * mount point argument), {@code /usr} read-only, a private {@code /proc}, a minimal {@code /dev}
 * plus {@code /dev/fuse}, empty {@code /tmp} and {@code /var/tmp}, an {@code /etc/passwd} naming
 * only the sandbox user. The driver is process 1 of its pid namespace and dies with cairn
 * (bubblewrap's {@code --die-with-parent}).
 *
 * <p>Needs root (the FUSE mount), bubblewrap, util-linux (setpriv, mount), and user
 * namespaces for unprivileged users (Debian's default); {@link #open} checks all of it once by
 * running a sandbox, and says what is missing.
 */
public final class Sandbox implements AutoCloseable {
    /**
     * The user and group every driver runs as: in Debian's reserved range 65000-65533, which no
     * package or administrator allocates, so no other process shares it.
     */
    public static final int UID = 65432;

    public static final int GID = 65432;
    /** The volume's path inside the sandbox. */
    public static final String VOLUME = "/vol";
    /** The driver's mount point inside the sandbox (it only has to exist: the mount is outside). */
    public static final String MOUNT_POINT = "/mnt";

    private static final String SHIM = "/run/cairn/fusefd.so";

    /** Where the driver finds its volume: the launcher's descriptor 5, held by the driver itself (process 1). */
    static final String VOLUME_LINK = "/proc/1/fd/5";

    /**
     * The launcher: root, outside the sandbox. Arguments: whether to mount a FUSE connection
     * ("fuse" or "none"), mount(8), volume, host mount point, FUSE type, mount options, runtime
     * directory, then the command to exec (setpriv, bwrap, driver). It opens the volume as fd 5
     * (the volume's directories may be private to root: reopening a descriptor through
     * {@value #VOLUME_LINK} checks only the file's own permissions) and the sandbox's files as fds
     * 4, 6, 7 and 8, mounts the FUSE connection of fd 3, and execs.
     */
    private static final String LAUNCHER = String.join(
            "\n",
            "fuse=$1 mount=$2 vol=$3 target=$4 type=$5 options=$6 dir=$7",
            "shift 7",
            "exec 5<\"$vol\" || exit 121",
            "exec 6<\"$dir/passwd\" 7<\"$dir/group\" 8<\"$dir/fusefd.so\" || exit 122",
            "if [ -e \"$dir/seccomp.bpf\" ]; then exec 4<\"$dir/seccomp.bpf\" || exit 122; fi",
            "if [ \"$fuse\" = fuse ]; then",
            "  exec 3<>/dev/fuse || exit 120",
            "  \"$mount\" -i -t \"$type\" -o \"$options,fd=3\" cairn-guest \"$target\" || exit 123",
            "fi",
            "exec \"$@\"");

    private final Path runtime;
    private final String bwrap;
    private final String setpriv;
    private final String prlimit;
    private final String mount;
    private final String sh;
    private final boolean seccomp;
    private final Consumer<String> log;
    /**
     * Drivers are started from this one long-lived thread: bubblewrap's --die-with-parent fires
     * when the thread that started it ends, and FUSE worker threads come and go.
     */
    private final ExecutorService spawner = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "cairn-sandbox-spawner");
        t.setDaemon(true);
        return t;
    });

    private Sandbox(Path runtime, Map<String, String> programs, boolean seccomp, Consumer<String> log) {
        this.runtime = runtime;
        this.bwrap = programs.get("bwrap");
        this.setpriv = programs.get("setpriv");
        this.prlimit = programs.get("prlimit");
        this.mount = programs.get("mount");
        this.sh = programs.get("sh");
        this.seccomp = seccomp;
        this.log = log;
    }

    /**
     * Checks that sandboxed drivers can run here and prepares the sandbox's files (the shim, the
     * seccomp program, passwd and group) in a new directory private to root.
     *
     * @param log receives one line when there is no seccomp filter for this architecture
     * @throws SandboxUnavailableException naming what is missing
     */
    public static Sandbox open(Consumer<String> log) throws SandboxUnavailableException {
        if (processUid() != 0) {
            throw new SandboxUnavailableException("guest file system drivers run in a sandbox whose FUSE mount"
                    + " cairn makes as root: run cairn as root to see this volume");
        }
        Map<String, String> programs = Map.of(
                "bwrap", require("bwrap", "bubblewrap is not installed (Debian package bubblewrap)"),
                "setpriv", require("setpriv", "setpriv is not installed (Debian package util-linux)"),
                "prlimit", require("prlimit", "prlimit is not installed (Debian package util-linux)"),
                "mount", require("mount", "mount(8) is not installed (Debian package mount)"),
                "sh", require("sh", "there is no sh"));
        if (!Files.exists(Path.of("/dev/fuse"))) {
            throw new SandboxUnavailableException("/dev/fuse does not exist (modprobe fuse)");
        }
        String arch = System.getProperty("os.arch");
        byte[] shim;
        try (InputStream in = Sandbox.class.getResourceAsStream("fusefd-" + arch + ".so")) {
            if (in == null) {
                throw new SandboxUnavailableException(
                        "this build of cairn has no FUSE descriptor shim for " + arch + " (built from src/main/c)");
            }
            shim = in.readAllBytes();
        } catch (IOException e) {
            throw new SandboxUnavailableException("cannot read the FUSE descriptor shim: " + e.getMessage());
        }
        byte[] filter = SeccompFilter.program(arch);
        if (filter == null) {
            log.accept("guest drivers run without a seccomp filter: there is none for " + arch + " yet");
        }
        Path dir = null;
        try {
            Path parent = runtimeParent();
            dir = Files.createTempDirectory(
                    parent,
                    "sandbox-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Files.write(dir.resolve("fusefd.so"), shim);
            if (filter != null) {
                Files.write(dir.resolve("seccomp.bpf"), filter);
            }
            Files.writeString(
                    dir.resolve("passwd"),
                    "cairn-guest:x:" + UID + ":" + GID
                            + ":cairn guest file system driver:/nonexistent:/usr/sbin/nologin\n");
            Files.writeString(dir.resolve("group"), "cairn-guest:x:" + GID + ":\n");
            // readable by the sandbox's user whatever the umask (a systemd unit's UMask=0077, as the
            // appliance's, made them 0600): the self-test reads "group" as its volume from inside
            for (String f : List.of("passwd", "group")) {
                Files.setPosixFilePermissions(dir.resolve(f), PosixFilePermissions.fromString("rw-r--r--"));
            }
        } catch (IOException e) {
            delete(dir);
            throw new SandboxUnavailableException("cannot prepare the sandbox's files: " + e.getMessage());
        }
        Sandbox s = new Sandbox(dir, programs, filter != null, log);
        s.selfTest();
        return s;
    }

    /** /run/cairn when it can be used (a tmpfs, gone after a reboot), else the temporary directory. */
    private static Path runtimeParent() {
        Path run = Path.of("/run/cairn");
        try {
            Files.createDirectories(run);
            if (Files.isWritable(run)) {
                return run;
            }
        } catch (IOException e) {
            // fall back
        }
        return Path.of(System.getProperty("java.io.tmpdir"));
    }

    /**
     * Runs a sandbox that reads its volume (a file of the sandbox's own) and exits: fails early, in
     * bubblewrap's own words, when this machine cannot run one.
     */
    private void selfTest() throws SandboxUnavailableException {
        try {
            Process p = run(
                    runtime.resolve("group"), List.of("/bin/sh", "-c", "test -r " + VOLUME + " && exec /usr/bin/true"));
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (p.waitFor() != 0) {
                close();
                throw new SandboxUnavailableException("bubblewrap cannot create a sandbox here (exit " + p.exitValue()
                        + "): " + DriverOutput.clean(out, 300));
            }
        } catch (IOException e) {
            close();
            throw new SandboxUnavailableException("cannot run bubblewrap: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new SandboxUnavailableException("interrupted while testing the sandbox");
        }
    }

    /**
     * Runs {@code command} in a sandbox like a driver's, with {@code volume} as {@value #VOLUME} but
     * no FUSE connection; its output (merged) is the process's input stream. For checks and tests.
     */
    Process run(Path volume, List<String> command) throws IOException {
        List<String> cmd = launcher(false, volume, Path.of("/"), "none", "");
        cmd.addAll(jail(Map.of(), List.of(), false));
        cmd.addAll(command);
        return spawn(cmd);
    }

    /** Whether drivers run under the seccomp filter (false on architectures without one). */
    public boolean hasSeccompFilter() {
        return seccomp;
    }

    /**
     * What to run: a driver serving {@code volume} (a host file, e.g. the mount's {@code .cairn/vol/<key>})
     * on {@code target} (a host directory, e.g. {@code .cairn/mnt/<key>}).
     *
     * @param name FUSE subtype shown by the kernel ({@code fuse.NAME}); letters, digits and '-'
     * @param command the driver's command line inside the sandbox; it reads {@value #VOLUME} and
     *        mounts on {@value #MOUNT_POINT}; it must stay in the foreground
     * @param environment variables the driver gets, on top of {@code PATH}, {@code HOME=/tmp} and
     *        {@code TMPDIR=/tmp} (nothing is inherited)
     * @param readOnlyPaths host paths shown read-only at the same place (e.g. a micro-VM appliance);
     *        the sandbox user must be able to reach them
     * @param allowOther whether every local user may read the mounted volume (file modes decide),
     *        or only cairn's own user
     */
    public record Launch(
            String name,
            Path volume,
            Path target,
            List<String> command,
            Map<String, String> environment,
            List<Path> readOnlyPaths,
            boolean allowOther) {
        public Launch {
            if (!name.matches("[a-z0-9-]{1,32}")) {
                throw new IllegalArgumentException("driver name '" + name + "'");
            }
            command = List.copyOf(command);
            environment = Map.copyOf(environment);
            readOnlyPaths = List.copyOf(readOnlyPaths);
        }
    }

    /**
     * Mounts a FUSE connection on {@code launch.target()} and starts the driver serving it. The
     * mount exists when this returns; it answers once the driver is ready
     * ({@link DriverProcess#awaitReady}). The caller unmounts it, also when the driver fails.
     */
    public DriverProcess start(Launch launch) throws IOException {
        String options = "ro,nosuid,nodev,noexec,rootmode=40000,user_id=" + processUid() + ",group_id=" + processGid()
                + ",default_permissions,max_read=131072" + (launch.allowOther() ? ",allow_other" : "");
        List<String> cmd = launcher(true, launch.volume(), launch.target(), "fuse." + launch.name(), options);
        cmd.addAll(jail(launch.environment(), launch.readOnlyPaths(), true));
        cmd.addAll(launch.command());
        return new DriverProcess(launch.name(), spawn(cmd), launch.target(), log);
    }

    private List<String> launcher(boolean fuse, Path volume, Path target, String type, String options) {
        return new ArrayList<>(List.of(
                sh,
                "-c",
                LAUNCHER,
                "cairn-sandbox",
                fuse ? "fuse" : "none",
                mount,
                volume.toString(),
                target.toString(),
                type,
                options,
                runtime.toString()));
    }

    /**
     * Tasks (processes and threads) all drivers together may run, as the sandbox's user: a taken-over
     * driver that forks without end stops here instead of starving the appliance.
     */
    static final int MAX_TASKS = 4096;

    /** Address space of a user-space driver (fuse2fs's bitmaps of a 64 TiB file system fit). */
    static final long DRIVER_ADDRESS_SPACE = 8L << 30;

    /** Largest file a user-space driver may write (its /tmp is a tmpfs in memory). */
    static final long DRIVER_FILE_SIZE = 64L << 20;

    /**
     * prlimit + setpriv + bwrap, up to the "--" before the driver's command. A micro-VM (it gets
     * {@code readOnly} paths: its appliance) maps its guest's memory and writes its overlay, so it is
     * held by the task limit only.
     */
    private List<String> jail(Map<String, String> env, List<Path> readOnly, boolean fuse) {
        List<String> c = new ArrayList<>(List.of(prlimit, "--nproc=" + MAX_TASKS, "--core=0", "--nofile=1024"));
        if (readOnly.isEmpty()) {
            c.add("--as=" + DRIVER_ADDRESS_SPACE);
            c.add("--fsize=" + DRIVER_FILE_SIZE);
        }
        c.add("--");
        c.addAll(List.of(
                setpriv,
                "--reuid=" + UID,
                "--regid=" + GID,
                "--clear-groups",
                "--inh-caps=-all",
                "--bounding-set=-all",
                "--no-new-privs",
                bwrap,
                "--unshare-user",
                "--unshare-ipc",
                "--unshare-pid",
                "--unshare-net",
                "--unshare-uts",
                "--unshare-cgroup-try",
                "--uid",
                String.valueOf(UID),
                "--gid",
                String.valueOf(GID),
                "--die-with-parent",
                "--new-session",
                // the driver is process 1: it holds the volume's descriptor that /vol links to
                "--as-pid-1",
                "--cap-drop",
                "ALL",
                "--clearenv",
                "--ro-bind",
                "/usr",
                "/usr"));
        if (!seccomp) {
            // Without the seccomp filter (which refuses unshare, setns and clone with namespace
            // flags), bubblewrap stops the driver from making user namespaces itself. With the
            // filter this is left out: bubblewrap does it by writing /proc/sys/user, which a
            // systemd unit with ProtectKernelTunables (the appliance's) mounts read-only.
            c.add(c.indexOf("--uid"), "--disable-userns");
        }
        // Debian's merged /usr: the top-level directories are links into it.
        for (String d : List.of("bin", "sbin", "lib", "lib64", "lib32", "libx32")) {
            if (Files.isSymbolicLink(Path.of("/" + d))) {
                c.addAll(List.of("--symlink", "usr/" + d, "/" + d));
            }
        }
        c.addAll(List.of(
                "--proc",
                "/proc",
                "--dev",
                "/dev",
                "--tmpfs",
                "/tmp",
                "--tmpfs",
                "/var/tmp",
                "--dir",
                MOUNT_POINT,
                "--symlink",
                VOLUME_LINK,
                VOLUME,
                "--ro-bind-data",
                "6",
                "/etc/passwd",
                "--ro-bind-data",
                "7",
                "/etc/group",
                "--symlink",
                "/proc/self/mounts",
                "/etc/mtab",
                "--perms",
                "0555",
                "--ro-bind-data",
                "8",
                SHIM));
        if (fuse) {
            c.addAll(List.of("--dev-bind", "/dev/fuse", "/dev/fuse"));
        }
        for (Path p : readOnly) {
            c.addAll(List.of("--ro-bind", p.toString(), p.toString()));
        }
        if (seccomp) {
            c.addAll(List.of("--seccomp", "4"));
        }
        c.addAll(List.of(
                "--setenv", "PATH", "/usr/bin:/usr/sbin", "--setenv", "HOME", "/tmp", "--setenv", "TMPDIR", "/tmp"));
        if (fuse) {
            c.addAll(List.of(
                    "--setenv",
                    "LD_PRELOAD",
                    SHIM,
                    "--setenv",
                    "CAIRN_FUSE_FD",
                    "3",
                    "--setenv",
                    "CAIRN_VOLUME",
                    VOLUME));
        }
        env.forEach((k, v) -> c.addAll(List.of("--setenv", k, v)));
        c.addAll(List.of("--chdir", "/", "--"));
        return c;
    }

    private Process spawn(List<String> cmd) throws IOException {
        Future<Process> f = spawner.submit(() -> {
            Process p = HostCommand.of(cmd).redirectErrorStream(true).start();
            p.getOutputStream().close();
            return p;
        });
        try {
            return f.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while starting a sandboxed driver");
        }
    }

    /** Deletes the sandbox's files; drivers already running keep what they opened. */
    @Override
    public void close() {
        spawner.shutdown();
        delete(runtime);
    }

    private static void delete(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // a leftover in /run or the temporary directory
        }
    }

    private static String require(String program, String missing) throws SandboxUnavailableException {
        for (String d : List.of("/usr/bin", "/usr/sbin", "/bin", "/sbin")) {
            Path p = Path.of(d, program);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p.toString();
            }
        }
        throw new SandboxUnavailableException(missing);
    }

    static int processUid() {
        return attribute("unix:uid");
    }

    static int processGid() {
        return attribute("unix:gid");
    }

    private static int attribute(String name) {
        try {
            return ((Number) Files.getAttribute(Path.of("/proc/self"), name)).intValue();
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return -1;
        }
    }
}
