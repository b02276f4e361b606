package io.cairn.cli;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Files, disk images and external tools for the integration tests. */
final class Util {
    static final int MiB = 1024 * 1024;

    private Util() {}

    // ---- external commands ----

    record Cmd(int exit, String output) {}

    /** Runs a system command (stdout and stderr merged); never throws on a non-zero exit. */
    static Cmd exec(String... cmd) {
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            Process p = pb.start();
            byte[] out;
            try (InputStream in = p.getInputStream()) {
                out = in.readAllBytes();
            }
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail(String.join(" ", cmd) + " did not finish within 120 s");
            }
            return new Cmd(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", cmd), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Runs a system command that must succeed; returns its output. */
    static String sh(String... cmd) {
        Cmd c = exec(cmd);
        if (c.exit() != 0) {
            fail("'" + String.join(" ", cmd) + "' exited with " + c.exit() + ": "
                    + c.output().strip());
        }
        return c.output();
    }

    // ---- data ----

    static String sha256(Path file) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] buf = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buf)) >= 0) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** Fills {@code len} bytes of {@code out} with pseudo-random data from {@code rnd}. */
    static void writeRandom(OutputStream out, long len, Random rnd) throws IOException {
        byte[] buf = new byte[1 << 20];
        for (long done = 0; done < len; ) {
            int n = (int) Math.min(buf.length, len - done);
            rnd.nextBytes(buf);
            out.write(buf, 0, n);
            done += n;
        }
    }

    /** Text that zstd compresses well, but not to nothing: numbered log lines with a random word. */
    static void writeCompressible(OutputStream out, long len, Random rnd) throws IOException {
        StringBuilder sb = new StringBuilder();
        long line = 0;
        long done = 0;
        String[] words = {"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"};
        while (done < len) {
            sb.setLength(0);
            for (int i = 0; i < 512; i++) {
                sb.append("2026-11-23T10:15:")
                        .append(line % 60)
                        .append(" host web01 kernel: event ")
                        .append(line++)
                        .append(' ')
                        .append(words[rnd.nextInt(words.length)])
                        .append(" value=")
                        .append(rnd.nextInt(1000))
                        .append('\n');
            }
            byte[] b = sb.toString().getBytes(StandardCharsets.US_ASCII);
            int n = (int) Math.min(b.length, len - done);
            out.write(b, 0, n);
            done += n;
        }
    }

    static void randomFile(Path f, long len, long seed) throws IOException {
        try (OutputStream out = Files.newOutputStream(f)) {
            writeRandom(out, len, new Random(seed));
        }
    }

    /**
     * A raw image written by Java: random, compressible and all-zero stretches, in that order, each
     * {@code size / 4} bytes and then random to the end.
     */
    static void mixedImage(Path f, long size, long seed) throws IOException {
        Random rnd = new Random(seed);
        long q = size / 4;
        try (OutputStream out = Files.newOutputStream(f)) {
            writeRandom(out, q, rnd);
            writeCompressible(out, q, rnd);
        }
        try (var ch = java.nio.channels.FileChannel.open(f, StandardOpenOption.WRITE)) {
            ch.position(3 * q); // the third quarter stays a hole: zeros
            try (OutputStream out = java.nio.channels.Channels.newOutputStream(ch)) {
                writeRandom(out, size - 3 * q, rnd);
            }
        }
    }

    /**
     * A real ext4 file system image of {@code sizeMiB} MiB made by {@code mkfs.ext4 -d} from a
     * generated tree: {@code randomMiB} MiB of random files and {@code textMiB} MiB of log files.
     */
    static void ext4Image(Path img, int sizeMiB, int randomMiB, int textMiB, long seed) throws IOException {
        Path tree = img.resolveSibling(img.getFileName() + ".tree");
        Files.createDirectories(tree.resolve("var/log"));
        Files.createDirectories(tree.resolve("srv/data"));
        Random rnd = new Random(seed);
        int files = Math.max(1, randomMiB / 16);
        for (int i = 0; i < files; i++) {
            long len = (long) randomMiB * MiB / files + rnd.nextInt(4096);
            try (OutputStream out = Files.newOutputStream(tree.resolve("srv/data/blob" + i + ".bin"))) {
                writeRandom(out, len, rnd);
            }
        }
        for (int i = 0; i < Math.max(1, textMiB / 8); i++) {
            try (OutputStream out = Files.newOutputStream(tree.resolve("var/log/syslog." + i))) {
                writeCompressible(out, (long) Math.min(8, textMiB) * MiB + rnd.nextInt(4096), rnd);
            }
        }
        Files.writeString(tree.resolve("hostname"), "web" + seed + "\n");
        sh("truncate", "-s", sizeMiB + "M", img.toString());
        sh("mkfs.ext4", "-q", "-F", "-d", tree.toString(), img.toString());
        deleteTree(tree);
    }

    // ---- trees ----

    static void deleteTree(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (NoSuchFileException e) {
            // gone already
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Copies a directory tree, keeping modification times (chunk ages matter to gc). */
    static void copyTree(Path from, Path to) throws IOException {
        sh("cp", "-a", from.toString(), to.toString());
    }

    /** Regular files under {@code dir}, relative, sorted; empty when the directory does not exist. */
    static List<String> files(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile)
                    .map(p -> dir.relativize(p).toString())
                    .sorted(Comparator.naturalOrder())
                    .toList();
        }
    }

    /**
     * Counts regular files under {@code dir} whose name ends with {@code suffix}, while another
     * process may be deleting them (vanished entries are skipped, not errors).
     */
    static int countWhileChanging(Path dir, String suffix) {
        int[] n = {0};
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    if (attrs.isRegularFile() && file.getFileName().toString().endsWith(suffix)) {
                        n[0]++;
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException exc) {
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            return n[0];
        }
        return n[0];
    }

    /** Disk usage in KiB as du reports it. */
    static long duKiB(Path dir) {
        String out = sh("du", "-sk", dir.toString());
        return Long.parseLong(out.trim().split("\\s+")[0]);
    }
}
