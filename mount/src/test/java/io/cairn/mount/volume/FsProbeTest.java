package io.cairn.mount.volume;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cairn.mount.mutation.PatchedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Superblocks written by hand at the offsets of the cited specifications; the real ones are in the fixture tests. */
@DisplayName("FsProbe recognises superblocks")
class FsProbeTest {

    static PatchedImage ext(long compat, long incompat, long roCompat) {
        PatchedImage d = ZeroImage.disk(1 << 20);
        d.set(1024 + 56, (byte) 0x53, (byte) 0xEF); // s_magic 0xEF53, little-endian
        d.setU32(1024 + 0x5C, compat).setU32(1024 + 0x60, incompat).setU32(1024 + 0x64, roCompat);
        d.set(1024 + 0x78, "LBL".getBytes(StandardCharsets.US_ASCII));
        d.set(1024 + 0x68, (byte) 0x12, (byte) 0x34);
        return d;
    }

    @Test
    @DisplayName("ext2, ext3 and ext4 by feature flags, and a journal that needs recovery")
    void ext() throws IOException {
        assertEquals(
                new FsInfo(FsType.EXT2, "LBL", "12340000-0000-0000-0000-000000000000", false),
                FsProbe.probe(ext(0, 0x2, 0x1)));
        assertEquals(FsType.EXT3, FsProbe.probe(ext(0x4, 0x2, 0x3)).type());
        assertEquals(FsType.EXT4, FsProbe.probe(ext(0x4, 0x2 | 0x40, 0x3)).type()); // extents
        assertEquals(FsType.EXT4, FsProbe.probe(ext(0x4, 0x2, 0x3 | 0x400)).type()); // metadata_csum
        FsInfo dirty = FsProbe.probe(ext(0x4, 0x2 | 0x4, 0x3));
        assertEquals(FsType.EXT3, dirty.type());
        assertEquals(true, dirty.needsRecovery());
        assertEquals(FsType.UNKNOWN, FsProbe.probe(ext(0, 0x8, 0)).type(), "an external journal device");
    }

    @Test
    @DisplayName("swap, btrfs, exFAT, NTFS, ISO 9660, XFS")
    void others() throws IOException {
        PatchedImage swap = ZeroImage.disk(1 << 20)
                .set(4096 - 10, "SWAPSPACE2".getBytes(StandardCharsets.US_ASCII))
                .set(1024 + 28, "swp".getBytes(StandardCharsets.US_ASCII));
        assertEquals(new FsInfo(FsType.SWAP, "swp", null, false), FsProbe.probe(swap));
        PatchedImage btrfs = ZeroImage.disk(1 << 20)
                .set(0x10040, "_BHRfS_M".getBytes(StandardCharsets.US_ASCII))
                .set(0x1012b, "bt".getBytes(StandardCharsets.US_ASCII));
        assertEquals(FsType.BTRFS, FsProbe.probe(btrfs).type());
        assertEquals("bt", FsProbe.probe(btrfs).label());
        PatchedImage exfat = ZeroImage.disk(1 << 20)
                .set(3, "EXFAT   ".getBytes(StandardCharsets.US_ASCII))
                .setU32(100, 0x1234ABCDL);
        assertEquals(new FsInfo(FsType.EXFAT, null, "1234-ABCD", false), FsProbe.probe(exfat));
        PatchedImage ntfs = ZeroImage.disk(1 << 20)
                .set(3, "NTFS    ".getBytes(StandardCharsets.US_ASCII))
                .setU32(0x48, 0x89ABCDEFL)
                .setU32(0x4C, 0x01234567L);
        assertEquals(new FsInfo(FsType.NTFS, null, "0123456789ABCDEF", false), FsProbe.probe(ntfs));
        PatchedImage iso = ZeroImage.disk(1 << 20)
                .set(32769, "CD001".getBytes(StandardCharsets.US_ASCII))
                .set(32768 + 40, "DVD                             ".getBytes(StandardCharsets.US_ASCII));
        assertEquals(new FsInfo(FsType.ISO9660, "DVD", null, false), FsProbe.probe(iso));
        PatchedImage xfs = ZeroImage.disk(1 << 20)
                .set(0, "XFSB".getBytes(StandardCharsets.US_ASCII))
                .set(108, "x1".getBytes(StandardCharsets.US_ASCII));
        assertEquals(FsType.XFS, FsProbe.probe(xfs).type());
        assertEquals("x1", FsProbe.probe(xfs).label());
    }

    /** A 1.44 MB floppy's boot sector as mkfs.fat writes it. */
    static PatchedImage floppy() {
        PatchedImage d = ZeroImage.disk(2880 * 512);
        d.set(0, (byte) 0xEB, (byte) 0x3C, (byte) 0x90);
        d.set(11, (byte) 0x00, (byte) 0x02); // 512 bytes per sector
        d.set(13, (byte) 1); // sectors per cluster
        d.set(14, (byte) 1, (byte) 0); // reserved sectors
        d.set(16, (byte) 2); // FATs
        d.set(17, (byte) 224, (byte) 0); // root entries
        d.set(19, (byte) 0x40, (byte) 0x0B); // 2880 sectors
        d.set(21, (byte) 0xF0); // media
        d.set(22, (byte) 9, (byte) 0); // sectors per FAT
        d.set(38, (byte) 0x29).setU32(39, 0xCAFE0001L).set(43, "FLOPPY     ".getBytes(StandardCharsets.US_ASCII));
        d.set(510, (byte) 0x55, (byte) 0xAA);
        return d;
    }

    @Test
    @DisplayName("FAT12 by cluster count, with label and serial from the boot sector")
    void fat12() throws IOException {
        assertEquals(new FsInfo(FsType.FAT12, "FLOPPY", "CAFE-0001", false), FsProbe.probe(floppy()));
        assertEquals(
                FsType.UNKNOWN,
                FsProbe.probe(floppy().set(11, (byte) 0x00, (byte) 0x03)).type(),
                "768 bytes per sector is not a power of two");
    }

    @Test
    @DisplayName("nothing, or too little, is UNKNOWN")
    void unknown() throws IOException {
        assertEquals(FsInfo.UNKNOWN, FsProbe.probe(ZeroImage.disk(1 << 20)));
        assertEquals(FsInfo.UNKNOWN, FsProbe.probe(new ZeroImage(100)));
    }
}
