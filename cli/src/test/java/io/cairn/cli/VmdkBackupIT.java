package io.cairn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Backups of VMDK files made by qemu-img, restored and compared with the raw disk they hold. */
class VmdkBackupIT {
    @TempDir
    Path dir;

    final Cairn cairn = new Cairn();

    @AfterEach
    void stop() {
        cairn.close();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"monolithicSparse", "streamOptimized", "twoGbMaxExtentFlat"})
    @DisplayName("a VMDK backs up with its metadata keys, skips unallocated grains, and restores the disk's bytes")
    void vmdk(String subformat) throws Exception {
        Path raw = dir.resolve("web.img");
        Util.ext4Image(raw, 64, 8, 8, 7); // 64 MiB, about a quarter used
        Path vmdk = dir.resolve("web.vmdk");
        Util.sh(
                "qemu-img",
                "convert",
                "-f",
                "raw",
                "-O",
                "vmdk",
                "-o",
                "subformat=" + subformat + ",adapter_type=lsilogic,hwversion=14",
                raw.toString(),
                vmdk.toString());
        Path repo = dir.resolve("repo");
        cairn.init(repo);
        String id = cairn.backup(repo, vmdk);

        JsonNode disk = cairn.run("list", "--repo", repo.toString(), "--json")
                .ok()
                .json()
                .get(0)
                .get("disks")
                .get(0);
        assertEquals("lsilogic", disk.get("metadata").get("adapterType").asText());
        assertEquals("14", disk.get("metadata").get("virtualHWVersion").asText());
        assertEquals(64L << 20, disk.get("capacity").asLong());
        if (!subformat.endsWith("Flat")) {
            long read = disk.get("stats").get("readChunks").asLong();
            assertTrue(read < 64, "unallocated grains should not be read, read " + read + " of 64 chunks");
        }
        // The VMDK restores as a raw image named after it: compare with the raw source.
        Path restored = cairn.restore(repo, id, dir, "web.img");
        assertEquals(Util.sha256(raw), Util.sha256(restored));
    }
}
