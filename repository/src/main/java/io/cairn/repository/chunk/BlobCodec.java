package io.cairn.repository.chunk;

import io.cairn.repository.crypto.DataKeys;
import io.cairn.repository.error.CorruptObjectException;
import io.cairn.repository.format.FormatConstants;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.zip.CRC32C;
import javax.crypto.AEADBadTagException;

/**
 * Encodes and decodes the blob format (header, optional zstd, optional segmented AES-GCM, CRC-32C)
 * described in docs/repository-format.md. Thread-safe.
 */
public final class BlobCodec {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final Zstd zstd;
    private final DataKeys keys;
    private final ThreadLocal<byte[]> scratch = new ThreadLocal<>();

    /**
     * @param compressionLevel zstd level, or 0 to store uncompressed
     * @param keys null for an unencrypted repository
     */
    public BlobCodec(int compressionLevel, DataKeys keys) {
        this.zstd = compressionLevel == 0 ? null : new Zstd(compressionLevel);
        this.keys = keys;
    }

    public boolean encrypted() {
        return keys != null;
    }

    /**
     * @param name the blob's name bound into encryption (chunk id bytes, or the manifest's key)
     */
    public byte[] encode(int type, byte[] name, byte[] src, int off, int len) {
        if (len > FormatConstants.BLOB_MAX_PLAINTEXT) {
            throw new IllegalArgumentException("blob of " + len + " bytes exceeds the format's limit");
        }
        byte[] payload = src;
        int pOff = off;
        int pLen = len;
        int compression = FormatConstants.COMPRESSION_NONE;
        if (zstd != null && len > 0) {
            int bound = Zstd.maxCompressedSize(len);
            byte[] buf = scratch.get();
            if (buf == null || buf.length < bound) {
                buf = new byte[bound];
                scratch.set(buf);
            }
            int c = zstd.compress(src, off, len, buf, 0);
            // Store raw unless compression saves at least 1/64: decompression is not free.
            if (c <= len - (len >>> 6)) {
                payload = buf;
                pOff = 0;
                pLen = c;
                compression = FormatConstants.COMPRESSION_ZSTD;
            }
        }
        int encryption =
                keys == null ? FormatConstants.ENCRYPTION_NONE : FormatConstants.ENCRYPTION_AES256_GCM_SEGMENTED;
        int bodyLen = keys == null ? pLen : DataKeys.sealedSize(pLen);
        byte[] out = new byte[FormatConstants.BLOB_HEADER_SIZE + bodyLen];
        writeHeader(out, type, compression, encryption, len);
        if (keys == null) {
            System.arraycopy(payload, pOff, out, FormatConstants.BLOB_HEADER_SIZE, pLen);
        } else {
            byte[] nonce = new byte[FormatConstants.GCM_NONCE_SIZE];
            RANDOM.nextBytes(nonce);
            keys.seal(aad(out, name), nonce, payload, pOff, pLen, out, FormatConstants.BLOB_HEADER_SIZE);
        }
        CRC32C crc = new CRC32C();
        crc.update(out, FormatConstants.BLOB_HEADER_SIZE, bodyLen);
        ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).putInt(12, (int) crc.getValue());
        return out;
    }

    /**
     * Decodes a blob. @param key the store key, for messages
     * @throws CorruptObjectException on any format, checksum, authentication or codec failure
     */
    public byte[] decode(int type, byte[] name, String key, byte[] blob) throws CorruptObjectException {
        Header h = Header.parse(blob, key);
        if (h.type != type) {
            throw new CorruptObjectException(key, "blob type " + h.type + " where " + type + " was expected");
        }
        CRC32C crc = new CRC32C();
        crc.update(blob, FormatConstants.BLOB_HEADER_SIZE, blob.length - FormatConstants.BLOB_HEADER_SIZE);
        if ((int) crc.getValue() != h.crc) {
            throw new CorruptObjectException(key, "checksum mismatch (the stored bytes changed)");
        }
        byte[] payload = blob;
        int pOff = FormatConstants.BLOB_HEADER_SIZE;
        int pLen = blob.length - FormatConstants.BLOB_HEADER_SIZE;
        if (h.encryption == FormatConstants.ENCRYPTION_AES256_GCM_SEGMENTED) {
            if (keys == null) {
                throw new CorruptObjectException(key, "encrypted blob in an unencrypted repository");
            }
            try {
                payload = keys.open(aad(blob, name), blob, pOff, pLen);
            } catch (AEADBadTagException e) {
                throw new CorruptObjectException(key, "authentication failed (damaged, moved or forged)");
            }
            pOff = 0;
            pLen = payload.length;
        } else if (h.encryption != FormatConstants.ENCRYPTION_NONE) {
            throw new CorruptObjectException(key, "unknown encryption " + h.encryption);
        } else if (keys != null) {
            throw new CorruptObjectException(key, "unencrypted blob in an encrypted repository");
        }
        if (h.compression == FormatConstants.COMPRESSION_ZSTD) {
            try {
                return Zstd.decompress(payload, pOff, pLen, h.plainLength);
            } catch (IOException e) {
                throw new CorruptObjectException(key, e.getMessage());
            }
        } else if (h.compression == FormatConstants.COMPRESSION_NONE) {
            if (pLen != h.plainLength) {
                throw new CorruptObjectException(key, "holds " + pLen + " bytes, header says " + h.plainLength);
            }
            return pOff == 0 && payload.length == pLen ? payload : Arrays.copyOfRange(payload, pOff, pOff + pLen);
        }
        throw new CorruptObjectException(key, "unknown compression " + h.compression);
    }

    private static void writeHeader(byte[] out, int type, int compression, int encryption, int plainLength) {
        System.arraycopy(FormatConstants.BLOB_MAGIC, 0, out, 0, 4);
        out[4] = (byte) FormatConstants.BLOB_VERSION;
        out[5] = (byte) type;
        out[6] = (byte) compression;
        out[7] = (byte) encryption;
        ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).putInt(8, plainLength);
    }

    private static byte[] aad(byte[] header, byte[] name) {
        byte[] a = new byte[12 + name.length];
        System.arraycopy(header, 0, a, 0, 12);
        System.arraycopy(name, 0, a, 12, name.length);
        return a;
    }

    /** The parsed fixed part of a blob. */
    public record Header(int type, int compression, int encryption, int plainLength, int crc) {
        public static Header parse(byte[] blob, String key) throws CorruptObjectException {
            if (blob.length < FormatConstants.BLOB_HEADER_SIZE) {
                throw new CorruptObjectException(
                        key, "truncated: " + blob.length + " bytes, shorter than a blob header");
            }
            if (!Arrays.equals(blob, 0, 4, FormatConstants.BLOB_MAGIC, 0, 4)) {
                throw new CorruptObjectException(key, "not a cairn blob (wrong magic)");
            }
            if (blob[4] != FormatConstants.BLOB_VERSION) {
                throw new CorruptObjectException(key, "blob format version " + blob[4] + " is not supported");
            }
            ByteBuffer b = ByteBuffer.wrap(blob).order(ByteOrder.LITTLE_ENDIAN);
            int plain = b.getInt(8);
            if (plain < 0 || plain > FormatConstants.BLOB_MAX_PLAINTEXT) {
                throw new CorruptObjectException(key, "implausible length " + Integer.toUnsignedString(plain));
            }
            return new Header(blob[5], blob[6], blob[7], plain, b.getInt(12));
        }
    }
}
