package io.cairn.repository.chunk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.repository.crypto.DataKeys;
import io.cairn.repository.error.CorruptObjectException;
import io.cairn.repository.format.FormatConstants;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BlobCodecTest {
    static final byte[] NAME = new byte[32];

    static byte[] text(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) ("the quick brown fox ".charAt(i % 20));
        }
        return b;
    }

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    static DataKeys keys(long seed) {
        return new DataKeys(random(64, seed));
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {0, 1, 65535, 65536, 65537, 1 << 20, (1 << 20) + 123})
    @DisplayName("plain and encrypted blobs round-trip at segment boundaries and odd sizes")
    void roundTrip(int n) throws Exception {
        for (BlobCodec c :
                new BlobCodec[] {new BlobCodec(3, null), new BlobCodec(3, keys(1)), new BlobCodec(0, keys(1))}) {
            byte[] data = n % 2 == 0 ? text(n) : random(n, n);
            byte[] blob = c.encode(FormatConstants.BLOB_TYPE_CHUNK, NAME, data, 0, n);
            assertArrayEquals(data, c.decode(FormatConstants.BLOB_TYPE_CHUNK, NAME, "k", blob));
        }
    }

    @Test
    @DisplayName("compressible data is stored compressed, random data is stored raw")
    void compressionChoice() throws Exception {
        BlobCodec c = new BlobCodec(3, null);
        byte[] t = c.encode(FormatConstants.BLOB_TYPE_CHUNK, NAME, text(1 << 20), 0, 1 << 20);
        assertEquals(FormatConstants.COMPRESSION_ZSTD, t[6]);
        assertTrue(t.length < 1 << 16);
        byte[] r = c.encode(FormatConstants.BLOB_TYPE_CHUNK, NAME, random(1 << 20, 7), 0, 1 << 20);
        assertEquals(FormatConstants.COMPRESSION_NONE, r[6]);
        assertEquals((1 << 20) + FormatConstants.BLOB_HEADER_SIZE, r.length);
    }

    @Test
    @DisplayName("any flipped byte is detected, in the header or the payload")
    void flippedBytes() {
        for (BlobCodec c : new BlobCodec[] {new BlobCodec(3, null), new BlobCodec(3, keys(2))}) {
            byte[] blob = c.encode(FormatConstants.BLOB_TYPE_CHUNK, NAME, text(200_000), 0, 200_000);
            for (int pos : new int[] {0, 4, 6, 8, 12, 16, blob.length / 2, blob.length - 1}) {
                byte[] bad = blob.clone();
                bad[pos] ^= 0x40;
                assertThrows(
                        CorruptObjectException.class,
                        () -> c.decode(FormatConstants.BLOB_TYPE_CHUNK, NAME, "k", bad),
                        "flip at " + pos);
            }
        }
    }

    @Test
    @DisplayName("a truncated blob is an error, never a short result")
    void truncated() {
        BlobCodec c = new BlobCodec(3, keys(3));
        byte[] blob = c.encode(FormatConstants.BLOB_TYPE_CHUNK, NAME, random(300_000, 3), 0, 300_000);
        for (int len : new int[] {0, 10, 16, 100, 65536 + 16 + 12 + 16, blob.length - 1}) {
            byte[] cut = Arrays.copyOf(blob, len);
            assertThrows(CorruptObjectException.class, () -> c.decode(FormatConstants.BLOB_TYPE_CHUNK, NAME, "k", cut));
        }
    }

    @Test
    @DisplayName("an encrypted blob cannot be opened under another name, type or key, even with a fixed-up checksum")
    void bound() throws Exception {
        BlobCodec c = new BlobCodec(3, keys(4));
        byte[] blob = c.encode(
                FormatConstants.BLOB_TYPE_MANIFEST,
                "backups/a/b/manifest".getBytes(StandardCharsets.UTF_8),
                text(1000),
                0,
                1000);
        assertThrows(
                CorruptObjectException.class,
                () -> c.decode(
                        FormatConstants.BLOB_TYPE_MANIFEST,
                        "backups/a/c/manifest".getBytes(StandardCharsets.UTF_8),
                        "k",
                        blob));
        assertThrows(
                CorruptObjectException.class,
                () -> c.decode(
                        FormatConstants.BLOB_TYPE_CHUNK,
                        "backups/a/b/manifest".getBytes(StandardCharsets.UTF_8),
                        "k",
                        blob));
        assertThrows(
                CorruptObjectException.class,
                () -> new BlobCodec(3, keys(5))
                        .decode(
                                FormatConstants.BLOB_TYPE_MANIFEST,
                                "backups/a/b/manifest".getBytes(StandardCharsets.UTF_8),
                                "k",
                                blob));
        assertThrows(
                CorruptObjectException.class,
                () -> new BlobCodec(3, null)
                        .decode(
                                FormatConstants.BLOB_TYPE_MANIFEST,
                                "backups/a/b/manifest".getBytes(StandardCharsets.UTF_8),
                                "k",
                                blob));
    }

    @Test
    @DisplayName("the encrypted payload reveals nothing of the plaintext, and two encryptions differ")
    void ciphertextDiffers() {
        BlobCodec c = new BlobCodec(0, keys(6));
        byte[] data = text(4096);
        byte[] a = c.encode(FormatConstants.BLOB_TYPE_CHUNK, NAME, data, 0, data.length);
        byte[] b = c.encode(FormatConstants.BLOB_TYPE_CHUNK, NAME, data, 0, data.length);
        assertTrue(!Arrays.equals(a, b));
        String s = new String(a, StandardCharsets.ISO_8859_1);
        assertTrue(!s.contains("quick brown"));
    }
}
