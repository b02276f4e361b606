package io.cairn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A VM folder as copied from an ESXi datastore while the VM had snapshots: the .vmx names the
 * newest link of each disk, one disk a vmfsSparse chain (VMFS 5: base, two {@code -delta.vmdk}),
 * the other a seSparse child (VMFS 6: {@code -sesparse.vmdk}) with zeroed grains. The snapshot
 * files are written by the recipe {@code vixmnt-bridge/src/test/fixtures/esx-snapshot.py} (no tool
 * here creates them) and checked against qemu-img's reading first; the backup must restore to
 * exactly what the newest links read as.
 */
class EsxSnapshotFolderIT {
    static final Path RECIPE =
            Path.of("../vixmnt-bridge/src/test/fixtures/esx-snapshot.py").toAbsolutePath();

    @TempDir
    Path dir;

    final Cairn cairn = new Cairn();

    @AfterEach
    void stop() {
        cairn.close();
    }

    private static void recipe(String... args) {
        List<String> cmd = new ArrayList<>(List.of("python3", RECIPE.toString()));
        cmd.addAll(List.of(args));
        Util.sh(cmd.toArray(String[]::new));
    }

    /** qemu-img's reading of {@code desc} as raw: the fixture's own check. */
    private Path byQemu(Path desc) {
        Path out = dir.resolve(desc.getFileName() + ".qemu.raw");
        Util.sh("qemu-img", "convert", "-f", "vmdk", "-O", "raw", desc.toString(), out.toString());
        return out;
    }

    @Test
    @DisplayName("a .vmx whose disks are vmfsSparse and seSparse snapshot chains backs up and restores bit-exact")
    void folderWithSnapshots() throws Exception {
        Path vm = Files.createDirectories(dir.resolve("db01"));
        Path raw0 = dir.resolve("d0.raw");
        Path raw1 = dir.resolve("d1.raw");
        Util.ext4Image(raw0, 32, 4, 4, 41);
        Util.mixedImage(raw1, 16L << 20, 42);
        recipe("base", raw0.toString(), vm.resolve("db01.vmdk").toString());
        Path e1 = dir.resolve("d0-1.raw");
        recipe(
                "child",
                "vmfsSparse",
                vm.resolve("db01.vmdk").toString(),
                raw0.toString(),
                vm.resolve("db01-000001.vmdk").toString(),
                e1.toString(),
                "--seed",
                "1",
                "1048576:131072",
                "5000192:1536",
                "0:4096");
        Path e2 = dir.resolve("d0-2.raw");
        recipe(
                "child",
                "vmfsSparse",
                vm.resolve("db01-000001.vmdk").toString(),
                e1.toString(),
                vm.resolve("db01-000002.vmdk").toString(),
                e2.toString(),
                "--seed",
                "2",
                "1114112:65536",
                "33553920:512");
        recipe("base", raw1.toString(), vm.resolve("db01_1.vmdk").toString());
        Path f1 = dir.resolve("d1-1.raw");
        recipe(
                "child",
                "seSparse",
                vm.resolve("db01_1.vmdk").toString(),
                raw1.toString(),
                vm.resolve("db01_1-000001.vmdk").toString(),
                f1.toString(),
                "--seed",
                "3",
                "2097152:1048576",
                "4096:8192:zero",
                "9437184:65536:unmap",
                "12582912:2560");
        assertEquals(Util.sha256(e2), Util.sha256(byQemu(vm.resolve("db01-000002.vmdk"))), "fixture check");
        assertEquals(Util.sha256(f1), Util.sha256(byQemu(vm.resolve("db01_1-000001.vmdk"))), "fixture check");
        String vmx = ".encoding = \"UTF-8\"\nconfig.version = \"8\"\nvirtualHW.version = \"19\"\n"
                + "displayName = \"db01\"\nguestOS = \"ubuntu-64\"\nnumvcpus = \"2\"\nmemsize = \"2048\"\n"
                + "uuid.bios = \"42 1e 77 10 aa bb cc dd-ee ff 00 11 22 33 44 55\"\n"
                + "scsi0.present = \"TRUE\"\nscsi0.virtualDev = \"lsilogic\"\n"
                + "scsi0:0.present = \"TRUE\"\nscsi0:0.fileName = \"db01-000002.vmdk\"\n"
                + "scsi0:1.present = \"TRUE\"\nscsi0:1.fileName = \"db01_1-000001.vmdk\"\n";
        Path vmxPath = vm.resolve("db01.vmx");
        Files.writeString(vmxPath, vmx);

        Path repo = dir.resolve("repo");
        cairn.init(repo);
        cairn.run("backup", "--repo", repo.toString(), "--vm", "file:" + vmxPath)
                .ok();
        JsonNode b = cairn.run("list", "--repo", repo.toString(), "--json")
                .ok()
                .json()
                .get(0);
        assertEquals(2, b.get("disks").size());
        assertEquals("db01-000002.vmdk", b.get("disks").get(0).get("name").asText());
        assertEquals("db01_1-000001.vmdk", b.get("disks").get(1).get("name").asText());

        Path out = dir.resolve("out");
        cairn.run("restore", "--repo", repo.toString(), "db01@latest", "--to", out.toString())
                .ok();
        assertEquals(Util.sha256(e2), Util.sha256(out.resolve("db01-000002.img")));
        assertEquals(Util.sha256(f1), Util.sha256(out.resolve("db01_1-000001.img")));
    }
}
