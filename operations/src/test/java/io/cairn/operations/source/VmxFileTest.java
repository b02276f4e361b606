package io.cairn.operations.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.operations.roots.SourceRoots;
import io.cairn.repository.error.RepositoryException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VmxFileTest {
    @TempDir
    Path dir;

    @Test
    @DisplayName("present VMDK disks in bus, controller and unit order; CD-ROMs and absent devices left out")
    void disks() throws Exception {
        Path vmx = dir.resolve("web.vmx");
        Files.writeString(
                vmx,
                ".encoding = \"UTF-8\"\nDisplayName = \"Web\"\n"
                        + "sata0:1.present = \"TRUE\"\nsata0:1.fileName = \"b.vmdk\"\n"
                        + "scsi1:0.present = \"TRUE\"\nscsi1:0.fileName = \"/abs/c.vmdk\"\n"
                        + "scsi0:2.present = \"TRUE\"\nscsi0:2.fileName = \"a.vmdk\"\n"
                        + "scsi0:3.present = \"FALSE\"\nscsi0:3.fileName = \"gone.vmdk\"\n"
                        + "ide1:0.deviceType = \"cdrom-image\"\nide1:0.fileName = \"x.vmdk\"\n");
        VmxFile v = VmxFile.read(vmx, SourceRoots.unconfined());
        assertEquals("Web", v.displayName(), "keys are case-insensitive");
        assertEquals(
                List.of(dir.resolve("a.vmdk"), Path.of("/abs/c.vmdk"), dir.resolve("b.vmdk")),
                v.disks().stream().map(VmxFile.Disk::file).toList());
        assertEquals("web", FileVm.defaultName(dir.resolve("web.img"), SourceRoots.unconfined()));
        assertEquals("Web", FileVm.defaultName(vmx, SourceRoots.unconfined()));
    }

    @Test
    @DisplayName("a line that is not key = \"value\", and a file far larger than a .vmx, are refused in one line")
    void refusals() throws Exception {
        Path bad = dir.resolve("bad.vmx");
        Files.writeString(bad, "displayName = \"x\"\nthis is not a vmx line\n");
        RepositoryException e =
                assertThrows(RepositoryException.class, () -> VmxFile.read(bad, SourceRoots.unconfined()));
        assertTrue(e.getMessage().contains("line 2"), e.getMessage());
        Path huge = dir.resolve("huge.vmx");
        Files.write(huge, new byte[(int) VmxFile.MAX_BYTES + 1]);
        RepositoryException big =
                assertThrows(RepositoryException.class, () -> VmxFile.read(huge, SourceRoots.unconfined()));
        assertTrue(big.getMessage().contains("too large for a .vmx"), big.getMessage());
        assertTrue(assertThrows(
                        RepositoryException.class,
                        () -> VmxFile.read(dir.resolve("nope.vmx"), SourceRoots.unconfined()))
                .getMessage()
                .endsWith("does not exist"));
    }
}
