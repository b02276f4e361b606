package io.cairn.operations;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

/** Test disks made by real tools ({@code mkfs.ext4}, {@code qemu-img}), and their hashes. */
public final class Images {
    private Images() {}

    /** Runs a command and fails with its output when it exits non-zero. */
    public static void sh(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", cmd) + " exited " + p.exitValue() + ": " + out);
        }
    }

    /** An ext4 image of {@code mib} MiB made by {@code mkfs.ext4 -d} from a tree of random and text files. */
    public static Path ext4(Path img, int mib, long seed) throws IOException, InterruptedException {
        Path tree = Files.createDirectories(img.resolveSibling(img.getFileName() + ".tree"));
        Random r = new Random(seed);
        byte[] random = new byte[(mib / 4) << 20];
        r.nextBytes(random);
        Files.write(tree.resolve("random.bin"), random);
        StringBuilder text = new StringBuilder();
        for (int i = 0; text.length() < (mib / 8) << 20; i++) {
            text.append("line ").append(i).append(" of ").append(seed).append('\n');
        }
        Files.writeString(tree.resolve("log.txt"), text);
        sh("truncate", "-s", mib + "M", img.toString());
        sh("mkfs.ext4", "-q", "-F", "-d", tree.toString(), img.toString());
        List<Path> files = new ArrayList<>();
        try (var s = Files.walk(tree)) {
            s.forEach(files::add);
        }
        for (int i = files.size() - 1; i >= 0; i--) {
            Files.delete(files.get(i));
        }
        return img;
    }

    /** {@code qemu-img convert -O vmdk} of a raw image into a VMDK of the given subformat. */
    public static Path vmdk(Path raw, Path vmdk, String subformat) throws IOException, InterruptedException {
        sh(
                "qemu-img",
                "convert",
                "-f",
                "raw",
                "-O",
                "vmdk",
                "-o",
                "subformat=" + subformat + ",adapter_type=lsilogic",
                raw.toString(),
                vmdk.toString());
        return vmdk;
    }

    /** A raw image of random MiBs with every third one zero. */
    public static Path random(Path img, int mib, long seed) throws IOException {
        byte[] b = new byte[mib << 20];
        Random r = new Random(seed);
        for (int i = 0; i < mib; i++) {
            if (i % 3 != 2) {
                byte[] m = new byte[1 << 20];
                r.nextBytes(m);
                System.arraycopy(m, 0, b, i << 20, 1 << 20);
            }
        }
        Files.write(img, b);
        return img;
    }

    public static String sha256(Path f) throws IOException {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            try (var in = Files.newInputStream(f)) {
                byte[] buf = new byte[1 << 20];
                for (int n; (n = in.read(buf)) > 0; ) {
                    md.update(buf, 0, n);
                }
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
