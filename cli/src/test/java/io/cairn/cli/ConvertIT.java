package io.cairn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** cairn convert between raw and VMDK, checked by qemu-img in both directions. */
class ConvertIT {
    @TempDir
    Path dir;

    final Cairn cairn = new Cairn();

    @AfterEach
    void stop() {
        cairn.close();
    }

    @Test
    @DisplayName(
            "raw to streamOptimized to raw is lossless, qemu-img agrees, and a snapshot child converts with its parent's data")
    void roundTrip() throws Exception {
        Path raw = dir.resolve("a.raw");
        Util.mixedImage(raw, 24L << 20, 5);
        Path stream = dir.resolve("a.vmdk");
        cairn.run("convert", raw.toString(), stream.toString(), "--format", "vmdk-stream")
                .ok();
        Util.sh("qemu-img", "check", stream.toString());
        Path viaQemu = dir.resolve("q.raw");
        Util.sh("qemu-img", "convert", "-O", "raw", stream.toString(), viaQemu.toString());
        assertEquals(Util.sha256(raw), Util.sha256(viaQemu));

        // A qemu-made snapshot child: cairn reads through to the parent, as qemu does.
        Path parent = dir.resolve("p.vmdk");
        Util.sh("qemu-img", "convert", "-f", "raw", "-O", "vmdk", raw.toString(), parent.toString());
        Path child = dir.resolve("c.vmdk");
        Util.sh("qemu-img", "create", "-f", "vmdk", "-b", parent.toString(), "-F", "vmdk", child.toString());
        Util.sh("qemu-io", "-c", "write -P 0x5a 1M 64k", child.toString());
        Path ours = dir.resolve("ours.raw");
        Path theirs = dir.resolve("theirs.raw");
        cairn.run("convert", child.toString(), ours.toString()).ok();
        Util.sh("qemu-img", "convert", "-O", "raw", child.toString(), theirs.toString());
        assertEquals(Util.sha256(theirs), Util.sha256(ours));

        cairn.run("convert", raw.toString(), ours.toString()).expectFailure(1, "convert", "exists");
        cairn.run(
                        "convert",
                        dir.resolve("nope.vmdk").toString(),
                        dir.resolve("x.raw").toString())
                .expectFailure(1, "convert", "does not exist");
        assertEquals(false, Files.exists(dir.resolve("x.raw")));
    }
}
