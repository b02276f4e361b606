package io.cairn.repository.crypto;

import io.cairn.repository.format.FormatConstants;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The two secrets of an encrypted repository: the AES-256 data key and the HMAC-SHA-256 id key.
 * Encrypts and decrypts blob payloads in 64 KiB AES-GCM segments (see docs/repository-format.md).
 * Thread-safe: JCE objects are per thread.
 */
public final class DataKeys {
    private final SecretKeySpec dataKey;
    private final SecretKeySpec idKey;
    private final ThreadLocal<Cipher> ciphers = ThreadLocal.withInitial(DataKeys::newCipher);
    private final ThreadLocal<Mac> macs;

    public DataKeys(byte[] material) {
        if (material.length != 64) {
            throw new IllegalArgumentException("key material must be 64 bytes");
        }
        this.dataKey = new SecretKeySpec(Arrays.copyOfRange(material, 0, 32), "AES");
        this.idKey = new SecretKeySpec(Arrays.copyOfRange(material, 32, 64), "HmacSHA256");
        this.macs = ThreadLocal.withInitial(() -> {
            try {
                Mac m = Mac.getInstance("HmacSHA256");
                m.init(idKey);
                return m;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA256 unavailable", e);
            }
        });
    }

    /** The keyed chunk id: HMAC-SHA-256(idKey, data). */
    public byte[] id(byte[] data, int off, int len) {
        Mac mac = macs.get();
        mac.update(data, off, len);
        return mac.doFinal();
    }

    /**
     * The authentication code of the repository's {@code config}: HMAC-SHA-256 under the id key of
     * {@code "cairn config mac v1\0"} followed by the canonical bytes of the document without its
     * {@code mac} field. The prefix keeps it apart from chunk ids, which use the same key.
     */
    public byte[] configMac(byte[] canonical) {
        Mac mac = macs.get();
        mac.update(FormatConstants.CONFIG_MAC_DOMAIN.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        mac.update((byte) 0);
        mac.update(canonical);
        return mac.doFinal();
    }

    /**
     * The content-defined chunker's secret seed: the first 8 bytes (little-endian) of HMAC-SHA-256
     * under the data key of {@code "cairn chunker seed v1"}. The data key, not the id key: every value
     * HMAC(id key, m) can appear as a chunk id in the store (a chunk whose content is m), so a seed
     * derived under the id key could be published by a guest file with the right content.
     */
    public long chunkerSeed() {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(new SecretKeySpec(dataKey.getEncoded(), "HmacSHA256"));
            byte[] h =
                    m.doFinal(FormatConstants.CHUNKER_SEED_DOMAIN.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            return ByteBuffer.wrap(h, 0, 8)
                    .order(java.nio.ByteOrder.LITTLE_ENDIAN)
                    .getLong();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    /** Size of the ciphertext for {@code plainLength} bytes: nonce + data + one tag per segment. */
    public static int sealedSize(int plainLength) {
        int segments =
                Math.max(1, (plainLength + FormatConstants.GCM_SEGMENT_SIZE - 1) / FormatConstants.GCM_SEGMENT_SIZE);
        return FormatConstants.GCM_NONCE_SIZE + plainLength + segments * FormatConstants.GCM_TAG_SIZE;
    }

    /**
     * Encrypts {@code src[off..off+len)} into {@code dst} at {@code dstOff}.
     * @param aadPrefix header bytes and blob name, bound to every segment
     * @return bytes written
     */
    public int seal(byte[] aadPrefix, byte[] nonce, byte[] src, int off, int len, byte[] dst, int dstOff) {
        System.arraycopy(nonce, 0, dst, dstOff, FormatConstants.GCM_NONCE_SIZE);
        int out = dstOff + FormatConstants.GCM_NONCE_SIZE;
        int segments = Math.max(1, (len + FormatConstants.GCM_SEGMENT_SIZE - 1) / FormatConstants.GCM_SEGMENT_SIZE);
        Cipher c = ciphers.get();
        try {
            for (int k = 0; k < segments; k++) {
                int segOff = off + k * FormatConstants.GCM_SEGMENT_SIZE;
                int segLen = Math.min(FormatConstants.GCM_SEGMENT_SIZE, off + len - segOff);
                c.init(Cipher.ENCRYPT_MODE, dataKey, new GCMParameterSpec(128, segmentNonce(nonce, k)));
                c.updateAAD(segmentAad(aadPrefix, k, k == segments - 1));
                out += c.doFinal(src, segOff, segLen, dst, out);
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM encryption failed", e);
        }
        return out - dstOff;
    }

    /**
     * Decrypts a sealed payload. @return the plaintext
     * @throws AEADBadTagException when any segment fails authentication
     */
    public byte[] open(byte[] aadPrefix, byte[] src, int off, int len) throws AEADBadTagException {
        if (len < FormatConstants.GCM_NONCE_SIZE + FormatConstants.GCM_TAG_SIZE) {
            throw new AEADBadTagException("sealed payload too short");
        }
        byte[] nonce = Arrays.copyOfRange(src, off, off + FormatConstants.GCM_NONCE_SIZE);
        int in = off + FormatConstants.GCM_NONCE_SIZE;
        int end = off + len;
        int full = FormatConstants.GCM_SEGMENT_SIZE + FormatConstants.GCM_TAG_SIZE;
        int segments = Math.max(1, (end - in + full - 1) / full);
        byte[] plain = new byte[end - in - segments * FormatConstants.GCM_TAG_SIZE];
        int out = 0;
        Cipher c = ciphers.get();
        try {
            for (int k = 0; k < segments; k++) {
                int segLen = Math.min(full, end - in);
                c.init(Cipher.DECRYPT_MODE, dataKey, new GCMParameterSpec(128, segmentNonce(nonce, k)));
                c.updateAAD(segmentAad(aadPrefix, k, k == segments - 1));
                out += c.doFinal(src, in, segLen, plain, out);
                in += segLen;
            }
        } catch (AEADBadTagException e) {
            throw e;
        } catch (GeneralSecurityException e) {
            throw new AEADBadTagException("AES-GCM decryption failed: " + e.getMessage());
        }
        return plain;
    }

    private static byte[] segmentNonce(byte[] base, int k) {
        byte[] n = base.clone();
        n[8] ^= (byte) (k >>> 24);
        n[9] ^= (byte) (k >>> 16);
        n[10] ^= (byte) (k >>> 8);
        n[11] ^= (byte) k;
        return n;
    }

    private static byte[] segmentAad(byte[] prefix, int k, boolean last) {
        return ByteBuffer.allocate(prefix.length + 5)
                .put(prefix)
                .putInt(k)
                .put((byte) (last ? 1 : 0))
                .array();
    }

    /** Constant-time comparison of ids and tags. */
    public static boolean same(byte[] a, byte[] b) {
        return MessageDigest.isEqual(a, b);
    }

    private static Cipher newCipher() {
        try {
            return Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM unavailable", e);
        }
    }
}
