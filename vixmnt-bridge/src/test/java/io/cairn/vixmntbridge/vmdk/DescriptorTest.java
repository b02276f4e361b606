package io.cairn.vixmntbridge.vmdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.vixmntbridge.VixException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The text descriptor parser")
class DescriptorTest {
    static final String BASE = "# Disk DescriptorFile\n"
            + "version=1\n"
            + "encoding=\"UTF-8\"\n"
            + "CID=6f51e6f8\n"
            + "parentCID=ffffffff\n"
            + "createType=\"twoGbMaxExtentFlat\"\n"
            + "\n"
            + "# Extent description\n"
            + "RW 4194304 FLAT \"disk name-f001.vmdk\" 0\n"
            + "RDONLY 2048 FLAT \"disk name-f002.vmdk\" 17\n"
            + "RW 100 ZERO\n"
            + "\n"
            + "# The Disk Data Base\n"
            + "#DDB\n"
            + "\n"
            + "ddb.virtualHWVersion = \"14\"\n"
            + "ddb.adapterType = \"lsilogic\"\n"
            + "ddb.uuid = \"60 00 C2 9d\"\n"
            + "ddb.longContentID = \"abc\"\n";

    static VixException fails(String text) {
        return Fixtures.assertVix(VixException.VIX_E_DISK_INVALID_DESCRIPTOR, () -> Descriptor.parse(text, "d.vmdk"));
    }

    @Test
    @DisplayName("reads the header keys, every extent line and every ddb key")
    void parsesEverything() throws Exception {
        Descriptor d = Descriptor.parse(BASE, "d.vmdk");
        assertEquals(1, d.version());
        assertEquals(0x6f51e6f8L, d.cid());
        assertFalse(d.hasParent());
        assertNull(d.parentFileNameHint());
        assertEquals("twoGbMaxExtentFlat", d.createType());
        assertEquals(
                List.of(
                        new Descriptor.ExtentLine(
                                "RW", 4194304, Descriptor.ExtentType.FLAT, "FLAT", "disk name-f001.vmdk", 0, 9),
                        new Descriptor.ExtentLine(
                                "RDONLY", 2048, Descriptor.ExtentType.FLAT, "FLAT", "disk name-f002.vmdk", 17, 10),
                        new Descriptor.ExtentLine("RW", 100, Descriptor.ExtentType.ZERO, "ZERO", null, 0, 11)),
                d.extents());
        assertEquals(4194304 + 2048 + 100, d.capacitySectors());
        assertEquals(
                Map.of(
                        "ddb.virtualHWVersion",
                        "14",
                        "ddb.adapterType",
                        "lsilogic",
                        "ddb.uuid",
                        "60 00 C2 9d",
                        "ddb.longContentID",
                        "abc"),
                d.ddb());
    }

    @Test
    @DisplayName("reads a child's parentCID and parentFileNameHint, CIDs without zero padding, CRLF and NUL padding")
    void child() throws Exception {
        String text = BASE.replace("parentCID=ffffffff", "parentCID=1a2b\nparentFileNameHint=\"../base.vmdk\"")
                        .replace("\n", "\r\n")
                + "\0\0\0\0";
        Descriptor d = Descriptor.parse(text, "d.vmdk");
        assertTrue(d.hasParent());
        assertEquals(0x1a2bL, d.parentCid());
        assertEquals("../base.vmdk", d.parentFileNameHint());
    }

    @Test
    @DisplayName("a garbled line is refused naming the file and the line")
    void garbledLine() {
        VixException x = fails(BASE.replace("#DDB\n", "#DDB\nthis is not a key\n"));
        Fixtures.assertMessageNames(x, "d.vmdk", "line 15", "this is not a key");
    }

    @Test
    @DisplayName("a malformed extent line is refused naming its line")
    void badExtent() {
        Fixtures.assertMessageNames(fails(BASE.replace("RW 100 ZERO", "RW 1x0 ZERO")), "line 11");
        Fixtures.assertMessageNames(fails(BASE.replace("RW 100 ZERO", "RW 100 FLAT")), "line 11", "file name");
        Fixtures.assertMessageNames(fails(BASE.replace("RW 100 ZERO", "RW 0 ZERO")), "line 11");
    }

    @Test
    @DisplayName("missing createType, CID or extents, a bad CID and an unknown version are refused")
    void missingPieces() {
        Fixtures.assertMessageNames(fails(BASE.replace("createType=\"twoGbMaxExtentFlat\"\n", "")), "createType");
        Fixtures.assertMessageNames(fails(BASE.replace("CID=6f51e6f8\n", "")), "CID");
        Fixtures.assertMessageNames(fails(BASE.replaceAll("(?m)^R.*\n", "")), "no extent");
        Fixtures.assertMessageNames(fails(BASE.replace("CID=6f51e6f8", "CID=6f51e6f8aa")), "line 4", "CID");
        Fixtures.assertMessageNames(fails(BASE.replace("version=1", "version=9")), "line 2", "version");
        Fixtures.assertMessageNames(fails(BASE.replace("\"UTF-8\"", "\"UTF-8")), "line 3", "unterminated");
        Fixtures.assertMessageNames(fails(BASE + "\0garbage"), "NUL");
        fails("");
    }

    @Test
    @DisplayName("white space among the NUL padding is padding (qemu-io leaves \\0\\n after rewriting a descriptor)")
    void paddingWithNewline() throws Exception {
        assertEquals(
                Descriptor.parse(BASE, "base.vmdk").cid(),
                Descriptor.parse(BASE + "\0\n", "padded.vmdk").cid());
        assertEquals(
                Descriptor.parse(BASE, "base.vmdk").cid(),
                Descriptor.parse(BASE + "\0\0\r\n \0", "padded.vmdk").cid());
    }

    @Test
    @DisplayName("a child without a parentFileNameHint is VIX_E_DISK_PARTIALCHAIN")
    void childWithoutHint() {
        Fixtures.assertVix(
                VixException.VIX_E_DISK_PARTIALCHAIN,
                () -> Descriptor.parse(BASE.replace("parentCID=ffffffff", "parentCID=12"), "d.vmdk"));
    }
}
