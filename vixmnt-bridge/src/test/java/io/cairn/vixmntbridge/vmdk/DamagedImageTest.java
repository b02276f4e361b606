package io.cairn.vixmntbridge.vmdk;

import static io.cairn.vixmntbridge.vmdk.Fixtures.H_CAPACITY;
import static io.cairn.vixmntbridge.vmdk.Fixtures.H_DESC_SIZE;
import static io.cairn.vixmntbridge.vmdk.Fixtures.H_GD_OFFSET;
import static io.cairn.vixmntbridge.vmdk.Fixtures.H_GRAIN_SIZE;
import static io.cairn.vixmntbridge.vmdk.Fixtures.H_VERSION;
import static io.cairn.vixmntbridge.vmdk.Fixtures.MIB;
import static io.cairn.vixmntbridge.vmdk.Fixtures.SECTOR;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.vixmntbridge.VirtualDisk;
import io.cairn.vixmntbridge.VixException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Damaged images give a clear VixException, never a wrong byte")
class DamagedImageTest {
    static final int SIZE = MIB + 37 * SECTOR;

    @TempDir
    Path dir;

    Path raw;

    @BeforeEach
    void source() throws Exception {
        raw = Fixtures.writeRaw(dir, "src.raw", Fixtures.rawImage(SIZE, 3));
    }

    Path make(String subformat) throws Exception {
        return Fixtures.convert(raw, subformat, dir.resolve(subformat + ".vmdk"));
    }

    /** Opening or reading every byte fails with {@code code}; returns the exception. */
    VixException openOrReadFails(long code, Path p) {
        return Fixtures.assertVix(code, () -> {
            try (VirtualDisk d = VmdkDisks.open(p)) {
                Fixtures.readAll(d, 1024);
            }
        });
    }

    @Nested
    @DisplayName("a sparse extent")
    class Sparse {
        @Test
        @DisplayName("cut short inside its grains fails on the read of the missing data, naming the file")
        void truncatedData() throws Exception {
            Path p = make("monolithicSparse");
            Fixtures.truncate(p, Files.size(p) - 3 * 65536 - 100);
            VixException x = openOrReadFails(VixException.VIX_E_DISK_INVAL, p);
            Fixtures.assertMessageNames(x, "monolithicSparse.vmdk");
        }

        @Test
        @DisplayName("cut inside its header fails to open")
        void truncatedHeader() throws Exception {
            Path p = make("monolithicSparse");
            Fixtures.truncate(p, 300);
            VixException x = openOrReadFails(VixException.VIX_E_DISK_INVAL, p);
            Fixtures.assertMessageNames(x, "truncated");
        }

        @Test
        @DisplayName("with a wrong magic fails to open instead of reading as a raw image")
        void wrongMagic() throws Exception {
            Path p = make("monolithicSparse");
            Fixtures.put(p, 0, "KDMX".getBytes(StandardCharsets.US_ASCII));
            VixException x = openOrReadFails(VixException.VIX_E_DISK_INVAL, p);
            Fixtures.assertMessageNames(x, "magic");
        }

        @Test
        @DisplayName("named by a split descriptor but with a wrong magic fails to open")
        void wrongMagicInSplitExtent() throws Exception {
            Path p = make("twoGbMaxExtentSparse");
            Fixtures.put(dir.resolve("twoGbMaxExtentSparse-s001.vmdk"), 0, new byte[] {0, 0, 0, 0});
            VixException x = openOrReadFails(VixException.VIX_E_DISK_INVAL, p);
            Fixtures.assertMessageNames(x, "twoGbMaxExtentSparse-s001.vmdk", "magic");
        }

        @Test
        @DisplayName("whose grain directory points a table past the end of the file fails on read")
        void tablePastEnd() throws Exception {
            Path p = make("monolithicSparse");
            long gd = Fixtures.u64(p, H_GD_OFFSET) * SECTOR;
            Fixtures.putU32(p, gd, (int) (Files.size(p) / SECTOR + 10));
            VixException x = openOrReadFails(VixException.VIX_E_DISK_INVAL, p);
            Fixtures.assertMessageNames(x, "grain directory entry 0", "past the end");
        }

        @Test
        @DisplayName("whose grain table points a grain past the end of the file fails on read")
        void grainPastEnd() throws Exception {
            Path p = make("monolithicSparse");
            Fixtures.putU32(p, Fixtures.gteOffset(p, 3), (int) (Files.size(p) / SECTOR - 64));
            VixException x = openOrReadFails(VixException.VIX_E_DISK_INVAL, p);
            Fixtures.assertMessageNames(x, "entry 3", "disk sector 384");
        }

        @Test
        @DisplayName("whose grain table points a grain into the header fails on read")
        void grainInMetadata() throws Exception {
            Path p = make("monolithicSparse");
            Fixtures.putU32(p, Fixtures.gteOffset(p, 0), 2);
            openOrReadFails(VixException.VIX_E_DISK_INVAL, p);
        }

        @Test
        @DisplayName("whose grain directory lies past the end of the file fails to open")
        void directoryPastEnd() throws Exception {
            Path p = make("monolithicSparse");
            Fixtures.putU64(p, H_GD_OFFSET, Files.size(p) / SECTOR);
            VixException x = openOrReadFails(VixException.VIX_E_DISK_INVAL, p);
            Fixtures.assertMessageNames(x, "grain directory");
        }

        @Test
        @DisplayName("whose grain directory or descriptor offset is a huge 64-bit number fails to open")
        void hugeOffsets() throws Exception {
            Path p = make("monolithicSparse");
            Fixtures.putU64(p, H_GD_OFFSET, (1L << 60) + 1);
            openOrReadFails(VixException.VIX_E_DISK_INVAL, p);
            Path q = make("streamOptimized");
            Fixtures.putU64(q, Fixtures.H_DESC_OFFSET, (1L << 56) + 1);
            VixException x = openOrReadFails(VixException.VIX_E_DISK_INVALID_DESCRIPTOR, q);
            Fixtures.assertMessageNames(x, "embedded descriptor");
        }

        @Test
        @DisplayName("with a grain size that is not a power of two fails to open")
        void grainNotPowerOfTwo() throws Exception {
            Path p = make("monolithicSparse");
            Fixtures.putU64(p, H_GRAIN_SIZE, 100);
            VixException x = openOrReadFails(VixException.VIX_E_DISK_INVAL, p);
            Fixtures.assertMessageNames(x, "grain size 100");
        }

        @Test
        @DisplayName("with an absurd grain size fails to open")
        void grainAbsurd() throws Exception {
            Path p = make("monolithicSparse");
            Fixtures.putU64(p, H_GRAIN_SIZE, 1L << 40);
            openOrReadFails(VixException.VIX_E_DISK_INVAL, p);
        }

        @Test
        @DisplayName("with a capacity smaller than its extent line fails to open")
        void capacityTooSmall() throws Exception {
            Path p = make("monolithicSparse");
            Fixtures.putU64(p, H_CAPACITY, 128);
            openOrReadFails(VixException.VIX_E_DISK_INVAL, p);
        }

        @Test
        @DisplayName("of an unknown format version is VIX_E_NOT_SUPPORTED")
        void unknownVersion() throws Exception {
            Path p = make("monolithicSparse");
            Fixtures.putU32(p, H_VERSION, 4);
            openOrReadFails(VixException.VIX_E_NOT_SUPPORTED, p);
        }

        @Test
        @DisplayName("whose newline check bytes were rewritten by a text-mode copy fails to open")
        void newlineCheck() throws Exception {
            Path p = make("monolithicSparse");
            Fixtures.put(p, 75, new byte[] {'\n', 0});
            VixException x = openOrReadFails(VixException.VIX_E_DISK_INVAL, p);
            Fixtures.assertMessageNames(x, "text mode");
        }

        @Test
        @DisplayName("without an embedded descriptor is VIX_E_DISK_INVALID_DESCRIPTOR")
        void noEmbeddedDescriptor() throws Exception {
            Path p = make("monolithicSparse");
            Fixtures.putU64(p, H_DESC_SIZE, 0);
            openOrReadFails(VixException.VIX_E_DISK_INVALID_DESCRIPTOR, p);
        }

        @Test
        @DisplayName("that is one extent of a split disk, opened alone, says to open its descriptor")
        void splitExtentAlone() throws Exception {
            make("twoGbMaxExtentSparse");
            VixException x = openOrReadFails(
                    VixException.VIX_E_DISK_INVALID_DESCRIPTOR, dir.resolve("twoGbMaxExtentSparse-s001.vmdk"));
            Fixtures.assertMessageNames(x, "descriptor file");
        }

        @Test
        @DisplayName("whose embedded descriptor is garbled names the file and the line")
        void garbledEmbeddedDescriptor() throws Exception {
            Path p = make("monolithicSparse");
            Fixtures.replaceText(p, "RW " + SIZE / SECTOR, "RW " + (SIZE / SECTOR + "").replace('2', 'x'));
            VixException x = openOrReadFails(VixException.VIX_E_DISK_INVALID_DESCRIPTOR, p);
            // line 8: qemu-img writes a blank line after createType
            Fixtures.assertMessageNames(x, "monolithicSparse.vmdk", "line 8", "extent line");
        }
    }

    @Nested
    @DisplayName("a streamOptimized extent")
    class Stream {
        long grainMarker(Path p, long grain) throws Exception {
            return Integer.toUnsignedLong(Fixtures.u32(p, Fixtures.gteOffset(p, grain))) * SECTOR;
        }

        @Test
        @DisplayName("with damaged deflate data fails on read")
        void badDeflate() throws Exception {
            Path p = make("streamOptimized");
            Fixtures.put(
                    p, grainMarker(p, 1) + 12, new byte[] {0x78, (byte) 0x9c, (byte) 0xff, (byte) 0xff, 1, 2, 3, 4});
            VixException x = openOrReadFails(VixException.VIX_E_DISK_INVAL, p);
            Fixtures.assertMessageNames(x, "streamOptimized.vmdk", "disk sector 128");
        }

        @Test
        @DisplayName("whose grain marker names another sector fails on read")
        void wrongMarker() throws Exception {
            Path p = make("streamOptimized");
            Fixtures.putU64(p, grainMarker(p, 2), 999);
            VixException x = openOrReadFails(VixException.VIX_E_DISK_INVAL, p);
            Fixtures.assertMessageNames(x, "marker says disk sector 999");
        }

        @Test
        @DisplayName("whose compressed size runs past the end of the file fails on read")
        void sizePastEnd() throws Exception {
            Path p = make("streamOptimized");
            Fixtures.putU32(p, grainMarker(p, 0) + 8, 100_000);
            Fixtures.truncate(p, grainMarker(p, 0) + 50_000);
            openOrReadFails(VixException.VIX_E_DISK_INVAL, p);
        }
    }

    @Nested
    @DisplayName("a flat disk")
    class Flat {
        @Test
        @DisplayName("whose data file is shorter than its extent line fails to open")
        void truncatedFlat() throws Exception {
            Path p = make("monolithicFlat");
            Path data = dir.resolve("monolithicFlat-flat.vmdk");
            Fixtures.truncate(data, Files.size(data) - SECTOR);
            VixException x = openOrReadFails(VixException.VIX_E_DISK_INVAL, p);
            Fixtures.assertMessageNames(x, "monolithicFlat-flat.vmdk", "truncated");
        }

        @Test
        @DisplayName("whose data file is missing is VIX_E_FILE_NOT_FOUND naming it")
        void missingExtent() throws Exception {
            Path p = make("twoGbMaxExtentFlat");
            Files.delete(dir.resolve("twoGbMaxExtentFlat-f001.vmdk"));
            VixException x = openOrReadFails(VixException.VIX_E_FILE_NOT_FOUND, p);
            Fixtures.assertMessageNames(x, "twoGbMaxExtentFlat-f001.vmdk");
        }

        @Test
        @DisplayName("whose descriptor is garbled is VIX_E_DISK_INVALID_DESCRIPTOR naming file and line")
        void garbledDescriptor() throws Exception {
            Path p = make("monolithicFlat");
            Fixtures.replaceText(p, "createType=", "createType ");
            VixException x = openOrReadFails(VixException.VIX_E_DISK_INVALID_DESCRIPTOR, p);
            Fixtures.assertMessageNames(x, "monolithicFlat.vmdk", "line 5", "createType");
        }

        @Test
        @DisplayName("whose descriptor is empty is VIX_E_DISK_INVALID_DESCRIPTOR")
        void emptyDescriptor() throws Exception {
            Path p = dir.resolve("empty.vmdk");
            Files.write(p, new byte[0]);
            openOrReadFails(VixException.VIX_E_DISK_INVALID_DESCRIPTOR, p);
        }

        @Test
        @DisplayName("with an extent type this reader does not know is VIX_E_NOT_SUPPORTED")
        void unsupportedExtentType() throws Exception {
            Path p = make("monolithicFlat");
            Fixtures.replaceText(p, " FLAT ", " RAWX ");
            VixException x = openOrReadFails(VixException.VIX_E_NOT_SUPPORTED, p);
            assertTrue(x.getMessage().contains("RAWX"), x.getMessage());
        }
    }
}
