package io.cairn.vixmntbridge.vmdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.vixmntbridge.VixException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The public descriptor view")
class VmdkDescriptorTest {

    @Test
    @DisplayName("reads back what VmdkWriter.flatDescriptor writes")
    void flatDescriptorRoundTrip() throws VixException {
        String text = VmdkWriter.flatDescriptor(
                "web01-flat.vmdk", 8L << 20, Map.of("adapterType", "pvscsi", "uuid", "60 00"), 0x1234abcdL);
        VmdkDescriptor d = VmdkDescriptor.parse(text, "web01.vmdk");
        assertEquals(1, d.version());
        assertEquals(0x1234abcdL, d.cid());
        assertEquals(VmdkDescriptor.NO_PARENT, d.parentCid());
        assertFalse(d.hasParent());
        assertNull(d.parentFileNameHint());
        assertEquals("monolithicFlat", d.createType());
        assertEquals(List.of(new VmdkDescriptor.Extent("RW", 16384, "FLAT", "web01-flat.vmdk", 0)), d.extents());
        assertTrue(d.extents().get(0).isFlat());
        assertEquals(8L << 20, d.capacityBytes());
        assertEquals("pvscsi", d.ddb().get("ddb.adapterType"));
        assertEquals("pvscsi", d.metadata().get("adapterType"));
        assertEquals("60 00", d.metadata().get("uuid"));
        assertEquals("255", d.metadata().get("geometry.heads"));
    }

    @Test
    @DisplayName("keeps every extent of a split disk with its type, file and offset")
    void multiExtent() throws VixException {
        String text = """
                # Disk DescriptorFile
                version=1
                CID=fffffffe
                parentCID=ffffffff
                createType="twoGbMaxExtentFlat"
                RW 100 FLAT "a-f001.vmdk" 0
                RW 50 VMFS "a-f002.vmdk" 7
                RDONLY 10 ZERO
                RW 20 SPARSE "a-s003.vmdk"
                ddb.adapterType = "lsilogic"
                """;
        VmdkDescriptor d = VmdkDescriptor.parse(text, "a.vmdk");
        assertEquals(
                List.of(
                        new VmdkDescriptor.Extent("RW", 100, "FLAT", "a-f001.vmdk", 0),
                        new VmdkDescriptor.Extent("RW", 50, "VMFS", "a-f002.vmdk", 7),
                        new VmdkDescriptor.Extent("RDONLY", 10, "ZERO", null, 0),
                        new VmdkDescriptor.Extent("RW", 20, "SPARSE", "a-s003.vmdk", 0)),
                d.extents());
        assertTrue(d.extents().get(1).isFlat());
        assertTrue(d.extents().get(2).isZero());
        assertFalse(d.extents().get(3).isFlat());
        assertEquals(180, d.capacitySectors());
    }

    @Test
    @DisplayName("reports a snapshot child's parent")
    void child() throws VixException {
        String text = "version=1\nCID=2\nparentCID=1\ncreateType=\"vmfsSparse\"\n"
                + "parentFileNameHint=\"base.vmdk\"\nRW 100 VMFSSPARSE \"c-delta.vmdk\"\n";
        VmdkDescriptor d = VmdkDescriptor.parse(text, "c.vmdk");
        assertTrue(d.hasParent());
        assertEquals(1, d.parentCid());
        assertEquals("base.vmdk", d.parentFileNameHint());
    }

    @Test
    @DisplayName("refuses text that is not a descriptor, naming the source")
    void invalid() {
        VixException e = assertThrows(VixException.class, () -> VmdkDescriptor.parse("hello world\n", "x.vmdk"));
        assertEquals(VixException.VIX_E_DISK_INVALID_DESCRIPTOR, e.code());
        assertTrue(e.getMessage().contains("x.vmdk"), e.getMessage());
    }
}
