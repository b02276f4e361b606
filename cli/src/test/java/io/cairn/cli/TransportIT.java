package io.cairn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * VMware's VDDK cannot be installed here: these tests check the path every machine without it
 * takes. The binding itself is compiled and its struct layouts are pinned in vixmnt-bridge.
 */
class TransportIT {
    @TempDir
    Path dir;

    final Cairn cairn = new Cairn();

    @AfterEach
    void stop() {
        cairn.close();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"nbd", "nbdssl", "hotadd", "san"})
    @DisplayName("a VDDK transport without the VDDK fails at once with one line saying how to point cairn at it")
    void needsVddk(String mode) throws Exception {
        Path repo = dir.resolve("repo");
        cairn.init(repo);
        Path img = dir.resolve("d.img");
        Util.randomFile(img, 1 << 20, 1);
        Cairn.Result r = cairn.run(
                        Map.of(), "backup", "--repo", repo.toString(), "--vm", "file:" + img, "--transport", mode)
                .expectFailure(1, "backup", "VDDK", "--vddk", "VDDK_HOME", mode);
        assertEquals(1, r.errLines().size(), r.describe());
        Path empty = Files.createDirectories(dir.resolve("empty-vddk"));
        cairn.run(
                        "backup",
                        "--repo",
                        repo.toString(),
                        "--vm",
                        "file:" + img,
                        "--transport",
                        mode,
                        "--vddk",
                        empty.toString())
                .expectFailure(1, "backup", "VDDK", empty.toString());
        assertTrue(cairn.listIds(repo).isEmpty());
    }

    @Test
    @DisplayName("an unknown transport, or https with a file source, is a usage error")
    void usage() throws Exception {
        Path repo = dir.resolve("repo");
        cairn.init(repo);
        Path img = dir.resolve("d.img");
        Util.randomFile(img, 1 << 20, 1);
        cairn.run("backup", "--repo", repo.toString(), "--vm", "file:" + img, "--transport", "carrier-pigeon")
                .expectFailure(2, "backup", "carrier-pigeon");
        cairn.run("backup", "--repo", repo.toString(), "--vm", "file:" + img, "--transport", "https")
                .expectFailure(2, "backup", "vCenter");
    }
}
