package io.cairn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Restores a VMDK backup in every format the CLI offers and checks each with qemu-img. */
class RestoreFormatIT {
    @TempDir
    Path dir;

    final Cairn cairn = new Cairn();
    Path raw;
    Path repo;
    String id;

    @BeforeEach
    void backup() throws Exception {
        raw = dir.resolve("db.raw");
        Util.ext4Image(raw, 48, 6, 6, 3);
        Path vmdk = dir.resolve("db.vmdk");
        Util.sh(
                "qemu-img",
                "convert",
                "-f",
                "raw",
                "-O",
                "vmdk",
                "-o",
                "subformat=monolithicSparse,adapter_type=buslogic",
                raw.toString(),
                vmdk.toString());
        repo = dir.resolve("repo");
        cairn.init(repo);
        id = cairn.backup(repo, vmdk);
    }

    @AfterEach
    void stop() {
        cairn.close();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "vmdk-sparse,monolithicSparse,true",
        "vmdk-stream,streamOptimized,true",
        "vmdk-2gbsparse,twoGbMaxExtentSparse,true",
        "vmdk-flat,monolithicFlat,false"
    })
    @DisplayName("a restored VMDK passes qemu-img check, converts back to the original bytes and keeps the disk's keys")
    void format(String format, String createType, boolean checkable) throws Exception {
        Path out = dir.resolve("out-" + format);
        cairn.run("restore", "--repo", repo.toString(), id, "--to", out.toString(), "--format", format)
                .ok();
        Path vmdk = out.resolve("db.vmdk");
        String descriptor = Util.sh("qemu-img", "info", vmdk.toString());
        assertTrue(descriptor.contains("create type: " + createType), descriptor);
        if (checkable) {
            Util.sh("qemu-img", "check", vmdk.toString()); // throws on a non-zero exit
        }
        Path back = dir.resolve("back-" + format + ".raw");
        Util.sh("qemu-img", "convert", "-O", "raw", vmdk.toString(), back.toString());
        assertEquals(Util.sha256(raw), Util.sha256(back));
        String text = format.equals("vmdk-flat")
                ? Files.readString(vmdk)
                : Util.sh("sh", "-c", "head -c 16384 '" + vmdk + "' | tr -d '\\000'");
        assertTrue(text.contains("ddb.adapterType = \"buslogic\""), text);
        try (var left = Files.list(out)) {
            assertTrue(left.noneMatch(p -> p.getFileName().toString().startsWith(".")), "no scratch files left behind");
        }
    }

    @Test
    @DisplayName("an unknown format is a usage error, and an existing target is kept unless overwrite is asked")
    void errors() throws Exception {
        cairn.run(
                        "restore",
                        "--repo",
                        repo.toString(),
                        id,
                        "--to",
                        dir.resolve("x").toString(),
                        "--format",
                        "qcow2")
                .expectFailure(2, "restore", "qcow2");
        Path out = dir.resolve("o");
        cairn.run("restore", "--repo", repo.toString(), id, "--to", out.toString(), "--format", "vmdk-sparse")
                .ok();
        long size = Files.size(out.resolve("db.vmdk"));
        cairn.run("restore", "--repo", repo.toString(), id, "--to", out.toString(), "--format", "vmdk-sparse")
                .expectFailure(1, "restore", "exists");
        assertEquals(size, Files.size(out.resolve("db.vmdk")));
        cairn.run(
                        "restore",
                        "--repo",
                        repo.toString(),
                        id,
                        "--to",
                        out.toString(),
                        "--format",
                        "vmdk-sparse",
                        "--on-conflict",
                        "overwrite")
                .ok();
    }
}
