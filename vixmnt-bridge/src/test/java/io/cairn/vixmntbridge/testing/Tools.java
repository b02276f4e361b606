package io.cairn.vixmntbridge.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the real tools that make test disks (qemu-img, sfdisk, mkfs.ext4); a failure fails the test. */
public final class Tools {
    private Tools() {}

    /** Runs {@code cmd} in {@code dir} (null: the current directory), with {@code stdin} fed if given. */
    public static String run(Path dir, String stdin, String... cmd) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(List.of(cmd)).redirectErrorStream(true);
        if (dir != null) {
            pb.directory(dir.toFile());
        }
        Process p = pb.start();
        try (var in = p.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(2, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            fail("'" + String.join(" ", cmd) + "' did not finish within 2 minutes");
        }
        if (p.exitValue() != 0) {
            fail("'" + String.join(" ", cmd) + "' failed (exit " + p.exitValue() + "): " + out.strip());
        }
        return out;
    }

    /**
     * {@code qemu-img convert} of a raw image into a monolithicFlat VMDK pair {@code dir/name.vmdk} +
     * {@code dir/name-flat.vmdk} (LSI Logic adapter), as vSphere keeps a thick disk on a datastore.
     */
    public static Path flatVmdk(Path raw, Path dir, String name) throws IOException, InterruptedException {
        Path vmdk = dir.resolve(name + ".vmdk");
        run(
                null,
                null,
                "qemu-img",
                "convert",
                "-f",
                "raw",
                "-O",
                "vmdk",
                "-o",
                "subformat=monolithicFlat,adapter_type=lsilogic",
                raw.toString(),
                vmdk.toString());
        return vmdk;
    }
}
