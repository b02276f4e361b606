package io.cairn.mount.fat;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real tools that build FAT fixtures: {@code mkfs.fat} (Debian package dosfstools) and
 * mtools ({@code mcopy}, {@code mdir}). A missing tool fails the test, naming the package: the
 * fixtures are the point of these tests, so skipping would hide that they did not run.
 *
 * <p>mtools run with {@code MTOOLS_SKIP_CHECK=1} (our images have no partition table geometry to
 * check), {@code LC_ALL=C.UTF-8} (file names are UTF-8 on the host side) and {@code TZ=UTC}
 * (mtools writes local time; UTC matches how {@link FatEntry} reads it).
 */
final class FatTools {

    private FatTools() {}

    /** {@code mkfs.fat -C image sizeKiB} with {@code options} before the target. */
    static void mkfs(Path image, long sizeKiB, String... options) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(tool("mkfs.fat", "dosfstools"));
        cmd.addAll(List.of(options));
        cmd.add("-C");
        cmd.add(image.toString());
        cmd.add(Long.toString(sizeKiB));
        run(cmd);
    }

    /** Copies every child of {@code tree} into the root of {@code image}, keeping modification times. */
    static void mcopyTree(Path image, Path tree) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(tool("mcopy", "mtools"), "-s", "-m", "-i", image.toString()));
        try (var children = Files.list(tree)) {
            children.sorted().forEach(p -> cmd.add(p.toString()));
        }
        cmd.add("::/");
        run(cmd);
    }

    /** {@code mdir -/ -b}: every path, directories with a trailing '/', as "::/a/b". */
    static List<String> mdirRecursive(Path image) throws Exception {
        return run(List.of(tool("mdir", "mtools"), "-/", "-b", "-i", image.toString(), "::/"));
    }

    /**
     * Sleuth Kit {@code fls -r -p}: lines like "r/r 517:\tdir/name" ("d/d" for directories), plus
     * the label and the virtual $MBR/$FAT/$OrphanFiles entries.
     */
    static List<String> flsRecursive(Path image) throws Exception {
        return run(List.of(tool("fls", "sleuthkit"), "-r", "-p", image.toString()));
    }

    /** The "N bytes free" that plain {@code mdir} prints for the root directory. */
    static long mdirBytesFree(Path image) throws Exception {
        for (String line : run(List.of(tool("mdir", "mtools"), "-i", image.toString(), "::/"))) {
            if (line.endsWith("bytes free")) {
                return Long.parseLong(line.replace("bytes free", "").replaceAll("[^0-9]", ""));
            }
        }
        throw new AssertionError("mdir printed no 'bytes free' line for " + image);
    }

    static List<String> run(List<String> cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.put("MTOOLS_SKIP_CHECK", "1");
        env.put("LC_ALL", "C.UTF-8");
        env.put("TZ", "UTC");
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(cmd.get(0) + " did not finish in 120 s");
        }
        String text = new String(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            fail(String.join(" ", cmd) + " failed with exit code " + p.exitValue() + ":\n" + text);
        }
        return text.lines().toList();
    }

    /** The absolute path of {@code name} on PATH or in the sbin directories mkfs lives in. */
    static String tool(String name, String debianPackage) {
        List<String> dirs =
                new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(":")));
        dirs.addAll(List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin"));
        for (String dir : dirs) {
            if (dir.isEmpty()) {
                continue;
            }
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return fail("'" + name + "' is not installed; these tests build FAT images with it:"
                + " install the Debian package " + debianPackage + " (apt-get install " + debianPackage + ")");
    }

    /** Overwrites bytes of a file in place (for damaging fixtures). */
    static void patch(Path file, long offset, byte... bytes) throws IOException {
        try (var ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(bytes), offset);
        }
    }
}
