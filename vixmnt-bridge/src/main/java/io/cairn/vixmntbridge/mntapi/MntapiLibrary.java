package io.cairn.vixmntbridge.mntapi;

import com.sun.jna.Native;
import com.sun.jna.Platform;
import io.cairn.vixmntbridge.VixException;
import io.cairn.vixmntbridge.mntapi.jna.VixMntapiNative;
import io.cairn.vixmntbridge.vddk.VddkDisk;
import io.cairn.vixmntbridge.vddk.VddkLibrary;
import io.cairn.vixmntbridge.vddk.jna.VixDiskLibNative;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * VMware's VixMntapi ({@code <VDDK>/lib64/libvixMntapi.so}), loaded from the same VDDK directory as
 * {@link VddkLibrary} and initialised after it; the factory of {@link DiskSet}s. See
 * {@link GuestMounter} for VMware's restrictions (Linux guests only on Linux, one VixMntapi program
 * per host) and how cairn enforces them.
 *
 * <p>The library is proprietary and cannot be installed where cairn is built and tested: this class
 * has run only against stand-ins (the gcc-built libvixMntapi of docs/vddk.md, and a Java one).
 */
public final class MntapiLibrary implements GuestMounter {

    /** cairn's host-wide VixMntapi lock. */
    public static final Path DEFAULT_LOCK_FILE = Path.of("/run/cairn/vixmntapi.lock");

    /** Tried in {@code lib64}: the unversioned link, then the soname (VixMntapi is version 1). */
    static final List<String> LIBRARY_FILES = List.of(VixMntapiNative.LIBRARY_FILE, "libvixMntapi.so.1");
    /** As {@link VddkLibrary} looks for it: the unversioned link, then the sonames of VDDK 8 and 7. */
    static final List<String> DISKLIB_FILES =
            List.of(VixDiskLibNative.LIBRARY_FILE, "libvixDiskLib.so.8", "libvixDiskLib.so.7");

    /** Set just before the process's one {@code VixMntapi_Init} ("call VixMntapi_Init() only once per process"). */
    private static final AtomicBoolean INIT_CALLED = new AtomicBoolean();

    private final VixMntapiNative lib;
    private final ErrorText errors;
    private final MntapiLock lock;
    private final Path configFile;
    private final boolean initialised;
    private final Set<DiskSet> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    MntapiLibrary(VixMntapiNative lib, ErrorText errors, MntapiLock lock, Path configFile, boolean initialised) {
        this.lib = lib;
        this.errors = errors;
        this.lock = lock;
        this.configFile = configFile;
        this.initialised = initialised;
    }

    /** The two library files of one VDDK. */
    record Files2(Path home, Path mntapi, Path diskLib) {}

    /** See {@link GuestMounter#load}; uses {@link #DEFAULT_LOCK_FILE}. */
    public static MntapiLibrary load(Path vddkDir, VddkLibrary vddk, Path workDir) throws VixException {
        Objects.requireNonNull(vddk, "VixDiskLib must be loaded and initialised before VixMntapi");
        return load(vddkDir, System.getenv(), workDir, DEFAULT_LOCK_FILE);
    }

    /** Locate, lock, bind, {@code VixMntapi_Init}; the caller has initialised VixDiskLib. */
    static MntapiLibrary load(Path vddkDir, Map<String, String> env, Path workDir, Path lockFile) throws VixException {
        Files2 files = locate(home(vddkDir, env));
        MntapiLock l = MntapiLock.acquire(lockFile);
        Path config = null;
        try {
            VixMntapiNative mnt = bind(files.mntapi());
            ErrorText text = ErrorText.of(bindDiskLib(files.diskLib()));
            config = writeConfig(workDir);
            Path c = config;
            if (!INIT_CALLED.compareAndSet(false, true)) {
                throw new VixException(
                        VixException.VIX_E_NOT_SUPPORTED,
                        "VixMntapi was already initialised once in"
                                + " this process, and VMware allows VixMntapi_Init only once per process: keep one"
                                + " GuestMounter open for the life of the process, or restart cairn");
            }
            text.check(
                    mnt.VixMntapi_Init(
                            VixMntapiNative.VIXMNTAPI_MAJOR_VERSION,
                            VixMntapiNative.VIXMNTAPI_MINOR_VERSION,
                            null,
                            null,
                            null,
                            files.home().toString(),
                            config.toString()),
                    () -> "VixMntapi_Init " + VixMntapiNative.VIXMNTAPI_MAJOR_VERSION + "."
                            + VixMntapiNative.VIXMNTAPI_MINOR_VERSION + " with the VDDK in " + files.home()
                            + " and config " + c);
            return new MntapiLibrary(mnt, text, l, config, true);
        } catch (VixException | RuntimeException | Error e) {
            l.close();
            deleteQuietly(config);
            throw e;
        }
    }

    /** Whether VixMntapi is usable; see {@link GuestMounter#probe}. */
    static Availability probe(Path vddkDir, Map<String, String> env, Path lockFile) {
        if (!(Platform.isLinux() && Platform.is64Bit() && Platform.isIntel())) {
            return Availability.no("VixMntapi is used only on x86-64 Linux, and this is "
                    + System.getProperty("os.name") + "/" + System.getProperty("os.arch"));
        }
        try {
            locate(home(vddkDir, env));
        } catch (VixException e) {
            return Availability.no(reason(e));
        }
        try (MntapiLock l = MntapiLock.acquire(lockFile)) {
            return Availability.yes();
        } catch (VixException e) {
            return Availability.no(reason(e));
        }
    }

    /** The message without the " (VixDiskLib error N)" suffix. */
    private static String reason(VixException e) {
        String m = e.getMessage();
        int at = m.lastIndexOf(" (VixDiskLib error ");
        return at < 0 ? m : m.substring(0, at);
    }

    /** {@code vddkDir} if given, else {@code $VDDK_HOME}. */
    static Path home(Path vddkDir, Map<String, String> env) throws VixException {
        if (vddkDir != null) {
            return vddkDir;
        }
        String fromEnv = env.get(VddkLibrary.VDDK_HOME);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return Path.of(fromEnv.trim());
        }
        throw new VixException(
                VixException.VIX_E_NOT_SUPPORTED,
                "mounting guest volumes with VixMntapi needs"
                        + " VMware's VDDK, which is not installed: download the VDDK from VMware and give --vddk DIR or set "
                        + VddkLibrary.VDDK_HOME);
    }

    /** {@code home/lib64/libvixMntapi.so} and {@code libvixDiskLib.so} beside it ({@code home} may be lib64 itself). */
    static Files2 locate(Path home) throws VixException {
        for (Path dir : List.of(home.resolve("lib64"), home)) {
            Path mnt = first(dir, LIBRARY_FILES);
            if (mnt != null) {
                Path disk = first(dir, DISKLIB_FILES);
                if (disk == null) {
                    throw new VixException(
                            VixException.VIX_E_NOT_SUPPORTED,
                            "VixMntapi " + mnt + " has no " + VixDiskLibNative.LIBRARY_FILE + " beside it in " + dir
                                    + ": install the complete VDDK");
                }
                return new Files2(home, mnt, disk);
            }
        }
        throw new VixException(
                VixException.VIX_E_NOT_SUPPORTED,
                "mounting guest volumes with VixMntapi needs "
                        + home.resolve("lib64")
                                .resolve(VixMntapiNative.LIBRARY_FILE)
                                .toAbsolutePath()
                        + ", which does not exist: install the VDDK (it ships libvixMntapi.so) in " + home
                        + " or give --vddk DIR");
    }

    private static Path first(Path dir, List<String> names) {
        for (String name : names) {
            Path f = dir.resolve(name);
            if (Files.isRegularFile(f)) {
                return f.toAbsolutePath();
            }
        }
        return null;
    }

    /** {@code Native.load} of {@code file}, its failure turned into one line naming the file. */
    static VixMntapiNative bind(Path file) throws VixException {
        try {
            return Native.load(file.toString(), VixMntapiNative.class);
        } catch (UnsatisfiedLinkError e) {
            throw new VixException(
                    VixException.VIX_E_NOT_SUPPORTED,
                    "VixMntapi " + file + " could not be loaded ("
                            + oneLine(e.getMessage()) + "): check that it is the 64-bit Linux VDDK 7 or 8, that "
                            + file.getParent() + " is on LD_LIBRARY_PATH, and that FUSE (libfuse.so.2) is installed",
                    e);
        }
    }

    /**
     * A second proxy of the libvixDiskLib.so that {@link VddkLibrary} loaded (dlopen of a loaded file
     * returns the same library), for {@code VixDiskLib_GetErrorText} only.
     */
    static VixDiskLibNative bindDiskLib(Path file) throws VixException {
        try {
            return Native.load(file.toString(), VixDiskLibNative.class);
        } catch (UnsatisfiedLinkError e) {
            throw new VixException(
                    VixException.VIX_E_NOT_SUPPORTED,
                    "VixDiskLib " + file + " could not be loaded (" + oneLine(e.getMessage()) + ")",
                    e);
        }
    }

    /** The VixMntapi_Init config file: {@code tmpDirectory} (also where vixMntapi.log goes) in {@code workDir}. */
    static Path writeConfig(Path workDir) throws VixException {
        try {
            Path tmp = Files.createDirectories(workDir.resolve("vixmntapi-tmp"));
            Path f = Files.createTempFile(workDir, "vixMntapi-", ".conf");
            Files.writeString(
                    f,
                    "# VixMntapi configuration written by cairn for VixMntapi_Init\n" + "tmpDirectory="
                            + tmp.toAbsolutePath() + "\n",
                    StandardCharsets.UTF_8);
            return f;
        } catch (IOException e) {
            throw new VixException(
                    VixException.VIX_E_FILE_IO_ERROR,
                    "writing the VixMntapi config file in " + workDir + " failed: " + e.getMessage(),
                    e);
        }
    }

    @Override
    public DiskSet open(VddkDisk disk, boolean readOnly) throws VixException {
        return open(DiskSet.Member.of(disk), readOnly);
    }

    DiskSet open(DiskSet.Member disk, boolean readOnly) throws VixException {
        if (closed) {
            try {
                disk.close();
            } catch (VixException ignored) {
                // the refusal below is the error to report
            }
            throw new VixException(VixException.VIX_E_DISK_NOINIT, "VixMntapi is closed; cannot open " + disk.path());
        }
        DiskSet s = DiskSet.open(lib, errors, disk, readOnly, open::remove);
        open.add(s);
        return s;
    }

    /** Closes the disk sets still open, then {@code VixMntapi_Exit}, then releases the lock; throws the first error. */
    @Override
    public void close() throws VixException {
        if (closed) {
            return;
        }
        closed = true;
        VixException first = null;
        for (DiskSet s : List.copyOf(open)) {
            try {
                s.close();
            } catch (VixException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        try {
            if (initialised) {
                lib.VixMntapi_Exit();
            }
        } finally {
            deleteQuietly(configFile);
            if (lock != null) {
                lock.close();
            }
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
        if (f == null) {
            return;
        }
        try {
            Files.deleteIfExists(f);
        } catch (IOException ignored) {
            // a leftover config file in the work directory is harmless
        }
    }
}
