package io.cairn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A .vmx with two disks on two controllers, a CD-ROM and an NVRAM file, backed up as one VM. */
class VmxBackupIT {
    @TempDir
    Path dir;

    final Cairn cairn = new Cairn();

    @AfterEach
    void stop() {
        cairn.close();
    }

    @Test
    @DisplayName(
            "every disk of a .vmx is backed up in controller order with the .vmx and NVRAM, and all restore exactly")
    void vmx() throws Exception {
        Path vmDir = Files.createDirectories(dir.resolve("web01"));
        Path raw0 = dir.resolve("d0.raw");
        Path raw1 = dir.resolve("d1.raw");
        Util.ext4Image(raw0, 32, 4, 4, 1);
        Util.mixedImage(raw1, 16L << 20, 2);
        Util.sh(
                "qemu-img",
                "convert",
                "-f",
                "raw",
                "-O",
                "vmdk",
                "-o",
                "subformat=monolithicSparse,adapter_type=lsilogic",
                raw0.toString(),
                vmDir.resolve("web01.vmdk").toString());
        Util.sh(
                "qemu-img",
                "convert",
                "-f",
                "raw",
                "-O",
                "vmdk",
                "-o",
                "subformat=streamOptimized,adapter_type=ide",
                raw1.toString(),
                vmDir.resolve("web01_1.vmdk").toString());
        Files.write(vmDir.resolve("web01.nvram"), new byte[] {1, 2, 3, 4, 5});
        String vmx = ".encoding = \"UTF-8\"\n"
                + "config.version = \"8\"\nvirtualHW.version = \"14\"\n"
                + "displayName = \"Web 01\"\nguestOS = \"ubuntu-64\"\nnumvcpus = \"2\"\nmemsize = \"2048\"\n"
                + "uuid.bios = \"56 4d 12 34 56 78 9a bc-de f0 12 34 56 78 9a bc\"\n"
                + "sata0:1.present = \"TRUE\"\nsata0:1.fileName = \"web01_1.vmdk\"\n"
                + "scsi0:0.present = \"TRUE\"\nscsi0:0.fileName = \"web01.vmdk\"\n"
                + "ide1:0.present = \"TRUE\"\nide1:0.deviceType = \"cdrom-image\"\nide1:0.fileName = \"ubuntu.iso\"\n"
                + "scsi0:1.present = \"FALSE\"\nscsi0:1.fileName = \"gone.vmdk\"\n"
                + "nvram = \"web01.nvram\"\n";
        Path vmxPath = vmDir.resolve("web01.vmx");
        Files.writeString(vmxPath, vmx);

        Path repo = dir.resolve("repo");
        cairn.init(repo);
        cairn.run("backup", "--repo", repo.toString(), "--vm", "file:" + vmxPath)
                .ok();
        JsonNode b = cairn.run("list", "--repo", repo.toString(), "--json")
                .ok()
                .json()
                .get(0);
        assertEquals("Web 01", b.get("vm").asText());
        assertEquals("564d123456789abcdef0123456789abc", b.get("vmIdentity").asText());
        assertEquals(2, b.get("disks").size());
        assertEquals("web01.vmdk", b.get("disks").get(0).get("name").asText(), "scsi0:0 comes before sata0:1");
        assertEquals("web01_1.vmdk", b.get("disks").get(1).get("name").asText());

        Path out = dir.resolve("out");
        cairn.run("restore", "--repo", repo.toString(), "Web 01@latest", "--to", out.toString())
                .ok();
        assertEquals(Util.sha256(raw0), Util.sha256(out.resolve("web01.img")));
        assertEquals(Util.sha256(raw1), Util.sha256(out.resolve("web01_1.img")));
        assertEquals(vmx, Files.readString(out.resolve("web01.vmx")));
        assertEquals(5, Files.size(out.resolve("web01.nvram")));

        // A .vmx that names a missing disk fails with one line naming it.
        Files.writeString(vmxPath, vmx.replace("web01_1.vmdk", "missing.vmdk"));
        cairn.run("backup", "--repo", repo.toString(), "--vm", "file:" + vmxPath)
                .expectFailure(1, "backup", "missing.vmdk");
        assertEquals(1, cairn.listIds(repo).size());
    }
}
