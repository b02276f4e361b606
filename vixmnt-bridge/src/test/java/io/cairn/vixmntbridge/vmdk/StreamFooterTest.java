package io.cairn.vixmntbridge.vmdk;

import static io.cairn.vixmntbridge.vmdk.Fixtures.H_GD_OFFSET;
import static io.cairn.vixmntbridge.vmdk.Fixtures.MIB;
import static io.cairn.vixmntbridge.vmdk.Fixtures.SECTOR;

import io.cairn.vixmntbridge.VirtualDisk;
import io.cairn.vixmntbridge.VixException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * qemu-img writes the grain directory's offset into the first header of a streamOptimized file; VMware
 * (ovftool, ESXi exports) writes GD_AT_END there and the real header as a footer. These tests turn a
 * qemu-img file into the VMware layout: footer marker, footer header, end-of-stream marker.
 */
@DisplayName("A streamOptimized file with its grain directory at the end")
class StreamFooterTest {
    static final int SIZE = 2 * MIB + 5 * SECTOR;

    @TempDir
    Path dir;

    byte[] raw;
    Path p;
    long realGd;

    @BeforeEach
    void build() throws Exception {
        raw = Fixtures.rawImage(SIZE, 11);
        p = Fixtures.convert(Fixtures.writeRaw(dir, "src.raw", raw), "streamOptimized", dir.resolve("s.vmdk"));
        byte[] header = Arrays.copyOf(Files.readAllBytes(p), SECTOR);
        realGd = Fixtures.u64(p, H_GD_OFFSET);
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            long end = f.length();
            ByteBuffer marker = ByteBuffer.allocate(3 * SECTOR).order(ByteOrder.LITTLE_ENDIAN);
            marker.putLong(0, 1).putInt(8, 0).putInt(12, 3); // footer marker: numSectors 1, type 3
            marker.position(SECTOR);
            marker.put(header); // footer: the header with the real gdOffset
            f.seek(end);
            f.write(marker.array()); // then the EOS marker: all zeros
        }
        Fixtures.putU64(p, H_GD_OFFSET, 0xffffffffffffffffL);
    }

    @Test
    @DisplayName("reads every byte through the footer's grain directory")
    void readsThroughFooter() throws Exception {
        try (VirtualDisk d = VmdkDisks.open(p)) {
            Fixtures.assertSameBytes(raw, Fixtures.readAll(d, 1000));
        }
    }

    @Test
    @DisplayName("whose footer is missing fails to open")
    void footerMissing() throws Exception {
        Fixtures.truncate(p, Files.size(p) - 3 * SECTOR);
        Fixtures.assertVix(
                VixException.VIX_E_DISK_INVAL, () -> VmdkDisks.open(p).close());
    }

    @Test
    @DisplayName("whose footer says GD_AT_END too fails to open")
    void footerAtEndToo() throws Exception {
        Fixtures.putU64(p, Files.size(p) - 2 * SECTOR + H_GD_OFFSET, 0xffffffffffffffffL);
        Fixtures.assertVix(
                VixException.VIX_E_DISK_INVAL, () -> VmdkDisks.open(p).close());
    }
}
