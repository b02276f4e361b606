package io.cairn.mount.guest;

import io.cairn.mount.sandbox.HostCommand;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The disposable micro-VM that reads file systems only a kernel reads (XFS): libguestfs's
 * guestmount, whose qemu boots a small appliance with its own Linux kernel, mounts the volume
 * there and serves its files back over FUSE. The guest's metadata is parsed by that kernel, never
 * by the appliance's own; the VM, guestmount and qemu run in cairn's sandbox like every driver.
 * Proxmox Backup Server's single-file restore reads guest file systems the same way.
 *
 * <p>The appliance (kernel, initrd, root image) is built once by supermin from the host's own
 * packages — as root, outside the sandbox, reading no guest data — into
 * {@code <cache>/appliance-<hash>} (about 700 MB), and rebuilt when the host's kernel or
 * libguestfs packages change (the hash covers their names and times). qemu runs under TCG: nested
 * virtualization is usually missing where cairn runs (an appliance VM on ESXi), so a VM takes
 * some 15-20 s to its first listing and ~300 MB of memory.
 */
final class MicroVm {
    private static final long BUILD_TIMEOUT_SECONDS = 600;

    private final String guestmount;
    private final String supermin;
    private final Path superminD;
    private final Path cache;
    private final Consumer<String> log;
    private Path appliance;

    private MicroVm(String guestmount, String supermin, Path superminD, Path cache, Consumer<String> log) {
        this.guestmount = guestmount;
        this.supermin = supermin;
        this.superminD = superminD;
        this.cache = cache;
        this.log = log;
    }

    /**
     * The micro-VM when libguestfs, supermin and a kernel are installed.
     *
     * @throws IOException whose message says what is missing
     */
    static MicroVm detect(Path cache, Consumer<String> log) throws IOException {
        String missing = "XFS volumes are read in a micro-VM (libguestfs), which needs the Debian packages"
                + " libguestfs-tools and linux-image-amd64";
        Path gm = Drivers.find("guestmount");
        Path sm = Drivers.find("supermin");
        Path d = superminD();
        if (gm == null || sm == null || d == null) {
            throw new IOException(missing);
        }
        if (kernels().isEmpty()) {
            throw new IOException(missing + " (no kernel in /boot)");
        }
        return new MicroVm(gm.toString(), sm.toString(), d, cache, log);
    }

    String guestmount() {
        return guestmount;
    }

    /** libguestfs's supermin description of the appliance: /usr/lib/<multiarch>/guestfs/supermin.d. */
    private static Path superminD() {
        try (Stream<Path> s = Files.list(Path.of("/usr/lib"))) {
            for (Path p : s.toList()) {
                Path d = p.resolve("guestfs/supermin.d");
                if (Files.isDirectory(d)) {
                    return d;
                }
            }
        } catch (IOException e) {
            return null;
        }
        return null;
    }

    private static List<Path> kernels() {
        try (Stream<Path> s = Files.list(Path.of("/boot"))) {
            return s.filter(p -> p.getFileName().toString().startsWith("vmlinuz-"))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /**
     * The fixed appliance directory (kernel, initrd, root, README.fixed) for LIBGUESTFS_PATH,
     * built first if missing. Several cairn processes may ask at once: one builds, under a file
     * lock, and the directory appears by an atomic rename.
     */
    synchronized Path appliance() throws IOException {
        String id = stamp();
        Path dir = cache.resolve("appliance-" + id);
        if (appliance != null && appliance.equals(dir) && Files.exists(dir.resolve("README.fixed"))) {
            return dir;
        }
        // world-readable on purpose: the sandbox user binds it; it holds only the host's own packages
        Files.createDirectories(
                cache, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        try (FileChannel lockFile =
                        FileChannel.open(cache.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock ignored = lockFile.lock()) {
            if (!Files.exists(dir.resolve("README.fixed"))) {
                build(dir);
            }
        }
        appliance = dir;
        return dir;
    }

    private void build(Path dir) throws IOException {
        log.accept("building the micro-VM appliance for XFS volumes in " + dir + " (once, ~10 s)");
        Path tmp = Files.createTempDirectory(cache, "build-");
        try {
            String arch = System.getProperty("os.arch").equals("amd64") ? "x86_64" : System.getProperty("os.arch");
            Process p = HostCommand.of(List.of(
                            supermin,
                            "--build",
                            "--format",
                            "ext2",
                            "--copy-kernel",
                            "--host-cpu",
                            arch,
                            "-o",
                            tmp.toString(),
                            superminD.toString()))
                    .redirectErrorStream(true)
                    .start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(BUILD_TIMEOUT_SECONDS, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IOException("building the micro-VM appliance failed: "
                        + new String(out, StandardCharsets.UTF_8).trim().replace('\n', ' '));
            }
            // libguestfs takes a directory holding kernel, initrd, root and README.fixed as a fixed appliance
            Files.writeString(tmp.resolve("README.fixed"), "cairn's micro-VM appliance, built by supermin\n");
            for (Path f : List.of(tmp, tmp.resolve("kernel"), tmp.resolve("initrd"), tmp.resolve("root"))) {
                Files.setPosixFilePermissions(
                        f, PosixFilePermissions.fromString(Files.isDirectory(f) ? "rwxr-xr-x" : "rw-r--r--"));
            }
            Files.move(tmp, dir, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            tmp = null;
            removeOthers(dir);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while building the micro-VM appliance");
        } finally {
            if (tmp != null) {
                delete(tmp);
            }
        }
    }

    /** Older appliances (a kernel or libguestfs update made a new one); running VMs keep their open files. */
    private void removeOthers(Path keep) {
        try (Stream<Path> s = Files.list(cache)) {
            for (Path p : s.toList()) {
                String n = p.getFileName().toString();
                if (!p.equals(keep) && (n.startsWith("appliance-") || n.startsWith("build-"))) {
                    delete(p);
                }
            }
        } catch (IOException e) {
            log.accept("cannot clean " + cache + ": " + e.getMessage());
        }
    }

    private static void delete(Path p) {
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        } catch (IOException e) {
            // a leftover in a cache directory
        }
    }

    /** A hash of what the appliance is built from: the supermin description and the kernels. */
    private String stamp() throws IOException {
        List<Path> inputs = new ArrayList<>();
        try (Stream<Path> s = Files.list(superminD)) {
            inputs.addAll(s.sorted().toList());
        }
        inputs.addAll(kernels());
        StringBuilder b = new StringBuilder();
        for (Path p : inputs) {
            b.append(p)
                    .append(' ')
                    .append(Files.size(p))
                    .append(' ')
                    .append(Files.getLastModifiedTime(p).toMillis())
                    .append('\n');
        }
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(b.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(h, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
