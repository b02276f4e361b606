package io.cairn.vixmntbridge.vddk;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import io.cairn.vixmntbridge.VixException;
import io.cairn.vixmntbridge.vddk.jna.VixDiskLibConnectParams;
import io.cairn.vixmntbridge.vddk.jna.VixDiskLibNative;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * VMware's VixDiskLib, loaded from the VDDK that {@code --vddk DIR} or {@code VDDK_HOME} names
 * ({@code DIR/lib64/libvixDiskLib.so}) and initialised with cairn's config file; the factory of
 * {@link VddkDisk}s. {@code VixDiskLib_InitEx} may run once per process: create one instance and
 * close it at exit ({@code VixDiskLib_Exit}).
 *
 * <p>When the library is not there, {@link #load} fails with one line that says what is missing and
 * how to provide it; nothing else in cairn needs the VDDK, so only VDDK transports fail.
 */
public final class VddkLibrary implements AutoCloseable {

    /** Environment variable naming the VDDK directory (the one holding {@code lib64/}). */
    public static final String VDDK_HOME = "VDDK_HOME";
    /** Identity cairn gives {@code VixDiskLib_PrepareForAccess}/{@code EndAccess}. */
    static final String IDENTITY = "cairn";

    /** File names tried in {@code lib64}: the unversioned link, then the sonames of VDDK 8 and 7. */
    private static final List<String> LIBRARY_FILES =
            List.of(VixDiskLibNative.LIBRARY_FILE, "libvixDiskLib.so.8", "libvixDiskLib.so.7");

    private final VixDiskLibNative lib;
    private final Path configFile;
    private final boolean initialised;
    private final SanStreams san = new SanStreams();
    private final Set<VddkDisk> open = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService keepalive;
    private final long keepaliveNanos;
    private volatile boolean closed;

    VddkLibrary(VixDiskLibNative lib, Path configFile, boolean initialised, Duration keepaliveInterval) {
        this.lib = lib;
        this.configFile = configFile;
        this.initialised = initialised;
        this.keepaliveNanos = keepaliveInterval.toNanos();
        this.keepalive = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "vddk-keepalive");
            t.setDaemon(true);
            return t;
        });
        long ms = keepaliveInterval.toMillis();
        keepalive.scheduleWithFixedDelay(this::keepAliveIdleDisks, ms, ms, TimeUnit.MILLISECONDS);
    }

    /**
     * Finds, loads and initialises VixDiskLib for {@code transport}.
     *
     * @param vddkDir the {@code --vddk} directory, or null to use {@code VDDK_HOME}
     * @param workDir where the VixDiskLib config file is written
     * @throws VixException when the library is absent or cannot be loaded (one line naming
     *         {@code --vddk DIR} and {@code VDDK_HOME}), or {@code VixDiskLib_InitEx} fails
     */
    public static VddkLibrary load(Path vddkDir, Transport transport, Path workDir) throws VixException {
        return load(vddkDir, System.getenv(), transport, workDir);
    }

    static VddkLibrary load(Path vddkDir, Map<String, String> env, Transport transport, Path workDir)
            throws VixException {
        Path home = home(vddkDir, env, transport);
        VixDiskLibNative lib = bind(libraryFile(home, transport), transport);
        Path config = VddkConfig.write(workDir);
        long err = lib.VixDiskLib_InitEx(
                VixDiskLibNative.VIXDISKLIB_VERSION_MAJOR,
                VixDiskLibNative.VIXDISKLIB_VERSION_MINOR,
                null,
                null,
                null,
                home.toString(),
                config.toString());
        if (err != VixDiskLibNative.VIX_OK) {
            deleteQuietly(config);
            throw error(
                    lib,
                    err,
                    () -> "VixDiskLib_InitEx " + VixDiskLibNative.VIXDISKLIB_VERSION_MAJOR + "."
                            + VixDiskLibNative.VIXDISKLIB_VERSION_MINOR + " with the VDDK in " + home);
        }
        return new VddkLibrary(lib, config, true, VddkConfig.KEEPALIVE_INTERVAL);
    }

    /** The VDDK directory: {@code vddkDir} if given, else {@code $VDDK_HOME}. */
    static Path home(Path vddkDir, Map<String, String> env, Transport transport) throws VixException {
        if (vddkDir != null) {
            return vddkDir;
        }
        String fromEnv = env.get(VDDK_HOME);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return Path.of(fromEnv.trim());
        }
        throw notInstalled(transport, null);
    }

    /** {@code home/lib64/libvixDiskLib.so} (or a versioned soname; {@code home} may be lib64 itself). */
    static Path libraryFile(Path home, Transport transport) throws VixException {
        for (Path dir : List.of(home.resolve("lib64"), home)) {
            for (String name : LIBRARY_FILES) {
                Path f = dir.resolve(name);
                if (Files.isRegularFile(f)) {
                    return f.toAbsolutePath();
                }
            }
        }
        throw notInstalled(transport, home);
    }

    /** {@code Native.load} of {@code file}, its failure turned into one line. */
    static VixDiskLibNative bind(Path file, Transport transport) throws VixException {
        try {
            return Native.load(file.toString(), VixDiskLibNative.class);
        } catch (UnsatisfiedLinkError e) {
            throw new VixException(
                    VixException.VIX_E_NOT_SUPPORTED,
                    "transport " + transport.cliName()
                            + " needs VMware's VDDK (libvixDiskLib.so), but " + file + " could not be loaded ("
                            + oneLine(e.getMessage()) + "): check that it is the 64-bit Linux VDDK 7 or 8 and that "
                            + file.getParent() + " is on LD_LIBRARY_PATH",
                    e);
        }
    }

    static VixException notInstalled(Transport transport, Path searched) {
        String where = searched == null ? "" : " in " + searched + " (no lib64/" + VixDiskLibNative.LIBRARY_FILE + ")";
        return new VixException(
                VixException.VIX_E_NOT_SUPPORTED,
                "transport " + transport.cliName()
                        + " needs VMware's VDDK (libvixDiskLib.so), which is not installed" + where
                        + ": download the VDDK from VMware and give --vddk DIR or set " + VDDK_HOME);
    }

    /**
     * Opens {@code target}: PrepareForAccess, ConnectEx, Open. The disk is kept alive while idle and
     * must be closed by the caller.
     */
    public VddkDisk open(VddkTarget target) throws VixException {
        if (closed) {
            throw new VixException(VixException.VIX_E_DISK_NOINIT, "VixDiskLib is closed; cannot open " + target);
        }
        VddkDisk d = VddkDisk.open(this, target);
        open.add(d);
        return d;
    }

    /**
     * {@code VixDiskLib_Cleanup} for {@code target}'s server: removes what a crashed cairn left behind
     * (hot-added disks, SAN/NFC sessions). Call it at start-up, before any disk is open.
     *
     * @return the number of VMs still needing cleanup
     */
    public int cleanup(VddkTarget target) throws VixException {
        try (CStrings strings = new CStrings()) {
            VixDiskLibConnectParams p = target.connectParams(strings, false);
            try {
                com.sun.jna.ptr.IntByReference done = new com.sun.jna.ptr.IntByReference();
                com.sun.jna.ptr.IntByReference remaining = new com.sun.jna.ptr.IntByReference();
                check(lib.VixDiskLib_Cleanup(p, done, remaining), () -> "VixDiskLib_Cleanup on " + target.server());
                return remaining.getValue();
            } finally {
                ((Memory) p.getPointer()).close();
            }
        }
    }

    VixDiskLibNative lib() {
        return lib;
    }

    SanStreams sanStreams() {
        return san;
    }

    void forget(VddkDisk d) {
        open.remove(d);
    }

    /** Reads sector 0 of every disk idle longer than the keepalive interval (see {@link VddkConfig}). */
    void keepAliveIdleDisks() {
        long now = System.nanoTime();
        for (VddkDisk d : open) {
            d.keepAliveIfIdle(now, keepaliveNanos);
        }
    }

    /** Throws the VixException for {@code err} unless it is VIX_OK. */
    void check(long err, Supplier<String> doing) throws VixException {
        if (err != VixDiskLibNative.VIX_OK) {
            throw error(lib, err, doing);
        }
    }

    VixException error(long err, Supplier<String> doing) {
        return error(lib, err, doing);
    }

    /** {@code "<doing> failed: <GetErrorText>"} with the code in the low 16 bits of {@code err}. */
    static VixException error(VixDiskLibNative lib, long err, Supplier<String> doing) {
        String text = null;
        Pointer p = lib.VixDiskLib_GetErrorText(err, null);
        try {
            if (p != null) {
                text = oneLine(p.getString(0));
            }
        } finally {
            lib.VixDiskLib_FreeErrorText(p);
        }
        if (text == null || text.isEmpty()) {
            text = "VixDiskLib error 0x" + Long.toHexString(err);
        }
        return new VixException(VixDiskLibNative.errorCode(err), doing.get() + " failed: " + text);
    }

    /** Closes the disks still open, then {@code VixDiskLib_Exit}; throws the first error. */
    @Override
    public void close() throws VixException {
        if (closed) {
            return;
        }
        closed = true;
        keepalive.shutdownNow();
        VixException first = null;
        for (VddkDisk d : List.copyOf(open)) {
            try {
                d.close();
            } catch (VixException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (initialised) {
            lib.VixDiskLib_Exit();
        }
        if (configFile != null) {
            deleteQuietly(configFile);
        }
        if (first != null) {
            throw first;
        }
    }

    static String oneLine(String s) {
        if (s == null) {
            return "";
        }
        String t = s.replaceAll("\\s*\\R\\s*", "; ").trim();
        return t.length() > 500 ? t.substring(0, 500) + "…" : t;
    }

    private static void deleteQuietly(Path f) {
        try {
            Files.deleteIfExists(f);
        } catch (IOException ignored) {
            // a leftover config file in the work directory is harmless
        }
    }
}
