package io.cairn.repository.crypto;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The scrypt password-based key derivation function, as specified by
 * <a href="https://www.rfc-editor.org/rfc/rfc7914">RFC 7914</a>, in plain Java.
 *
 * <p>The JDK ships no scrypt, and the repository's key files (see {@code docs/repository-format.md})
 * must be openable by every later cairn, so the function is implemented here from the RFC rather than
 * taken from a third-party library: PBKDF2-HMAC-SHA256 comes from {@link Mac}, and the Salsa20/8 core,
 * {@code scryptBlockMix} and {@code scryptROMix} are written out below.
 *
 * <p>The output is byte-for-byte that of RFC 7914 (checked against the test vectors of its section
 * 12), so a key derived here equals one derived by any other conforming implementation with the same
 * inputs.
 *
 * <p>This class is stateless and thread-safe. A call allocates {@code 128 * r * N} bytes of working
 * memory (32 MiB for N=32768, r=8) for its duration and overwrites it with zeros before returning,
 * because it held values derived from the password.
 */
public final class Scrypt {

    /** Largest working memory, {@code 128 * r * N} (and {@code 128 * r * p}), a call may ask for: 1 GiB, exclusive. */
    static final long MAX_MEMORY_BYTES = 1L << 30;

    /** Largest derived key this class produces. Callers need 32 or 64 bytes; this bound stops absurd requests. */
    static final int MAX_KEY_LENGTH = 1024;

    /** PBKDF2 block size: the output length of HMAC-SHA256. */
    private static final int HMAC_SHA256_LENGTH = 32;

    private Scrypt() {}

    /**
     * Derives {@code keyLength} bytes from {@code password} and {@code salt}:
     * {@code scrypt(P = password, S = salt, N = n, r, p, dkLen = keyLength)} of RFC 7914, section 6.
     *
     * <p>Neither argument array is modified or retained. The caller owns the returned array and should
     * zero it when the key is no longer needed.
     *
     * @param password the passphrase bytes (any length, may be empty); the caller chooses the encoding,
     *     which must stay fixed (cairn uses UTF-8)
     * @param salt the salt (any length, may be empty; real use wants at least 16 random bytes)
     * @param n the CPU/memory cost N: a power of two greater than 1 (and, as RFC 7914 requires, less
     *     than {@code 2^(16 * r)}, which only restricts r = 1 to N &lt;= 32768)
     * @param r the block size r, at least 1
     * @param p the parallelization p, at least 1 (the blocks are computed one after another here)
     * @param keyLength the derived key length in bytes, 1 to 1024
     * @return a new array of {@code keyLength} bytes
     * @throws NullPointerException if {@code password} or {@code salt} is null
     * @throws IllegalArgumentException if a parameter is out of range, including when {@code 128 * r * N}
     *     or {@code 128 * r * p} is 1 GiB or more
     */
    public static byte[] derive(byte[] password, byte[] salt, int n, int r, int p, int keyLength) {
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(salt, "salt");
        validate(n, r, p, keyLength);

        Mac hmac = hmacSha256(password);
        int blockInts = 32 * r; // one scrypt block: 128 * r bytes = 2 * r Salsa20 blocks of 16 ints

        // Step 1: B = PBKDF2-HMAC-SHA256(P, S, 1, p * 128 * r).
        byte[] b = pbkdf2Sha256OneIteration(hmac, salt, p * 128 * r);
        int[] v = new int[blockInts * n]; // the N-entry table that makes scrypt memory-hard
        int[] x = new int[blockInts];
        int[] y = new int[blockInts];
        int[] salsa = new int[16];
        try {
            // Step 2: B_i = scryptROMix(r, B_i, N) for each of the p blocks. The p blocks are
            // independent; computing them in turn reuses one table instead of holding p of them.
            for (int i = 0; i < p; i++) {
                int offset = i * 128 * r;
                decodeLittleEndian(b, offset, x);
                roMix(x, y, v, salsa, n, r);
                encodeLittleEndian(x, b, offset);
            }
            // Step 3: DK = PBKDF2-HMAC-SHA256(P, B, 1, dkLen).
            return pbkdf2Sha256OneIteration(hmac, b, keyLength);
        } finally {
            Arrays.fill(b, (byte) 0);
            Arrays.fill(v, 0);
            Arrays.fill(x, 0);
            Arrays.fill(y, 0);
            Arrays.fill(salsa, 0);
        }
    }

    private static void validate(int n, int r, int p, int keyLength) {
        if (n < 2 || (n & (n - 1)) != 0) {
            throw new IllegalArgumentException("scrypt N must be a power of two greater than 1, got " + n);
        }
        if (r < 1) {
            throw new IllegalArgumentException("scrypt r must be at least 1, got " + r);
        }
        if (p < 1) {
            throw new IllegalArgumentException("scrypt p must be at least 1, got " + p);
        }
        // RFC 7914 section 2: N < 2^(128 * r / 8). Integerify only has 16 * r bytes of entropy to pick
        // an index with; for r >= 2 the bound exceeds any int, so only r = 1 is affected.
        if (r == 1 && n >= 1 << 16) {
            throw new IllegalArgumentException("scrypt N must be less than 2^(16 * r) = 65536 when r = 1, got " + n);
        }
        long tableBytes = 128L * r * n;
        if (tableBytes >= MAX_MEMORY_BYTES) {
            throw new IllegalArgumentException(
                    "scrypt 128 * r * N = " + tableBytes + " bytes (r=" + r + ", N=" + n + ") must be less than 1 GiB");
        }
        // This bound is far stricter than RFC 7914's p <= (2^32 - 1) * 32 / (128 * r), so it implies it.
        long blockBytes = 128L * r * p;
        if (blockBytes >= MAX_MEMORY_BYTES) {
            throw new IllegalArgumentException(
                    "scrypt 128 * r * p = " + blockBytes + " bytes (r=" + r + ", p=" + p + ") must be less than 1 GiB");
        }
        if (keyLength < 1 || keyLength > MAX_KEY_LENGTH) {
            throw new IllegalArgumentException(
                    "scrypt key length must be between 1 and " + MAX_KEY_LENGTH + " bytes, got " + keyLength);
        }
    }

    /**
     * scryptROMix (RFC 7914 section 5) on {@code x}, in place. {@code y} is a scratch block of the same
     * size, {@code v} the table of {@code n} blocks, {@code salsa} the 16-int Salsa20 scratch state.
     */
    private static void roMix(int[] x, int[] y, int[] v, int[] salsa, int n, int r) {
        int blockInts = 32 * r;
        // Fill the table: V_0 = X, V_(i+1) = BlockMix(V_i), and finally X = BlockMix(V_(N-1)).
        // BlockMix writes straight into the next table entry, so no block is copied except the first.
        System.arraycopy(x, 0, v, 0, blockInts);
        for (int i = 0; i < n - 1; i++) {
            blockMix(v, i * blockInts, v, (i + 1) * blockInts, salsa, r);
        }
        blockMix(v, (n - 1) * blockInts, x, 0, salsa, r);

        // Read the table back in a data-dependent order: j = Integerify(X) mod N; X = BlockMix(X xor V_j).
        // Integerify reads B[2r-1], the last 64-byte block, as a little-endian integer. N is a power of
        // two below 2^31, so "mod N" only needs the low 32 bits of that integer -- the first int of the
        // last 64-byte block -- and reduces to a mask. (The last block is used, not the first, because
        // it is the one BlockMix finished with: every input word has already influenced it.)
        int mask = n - 1;
        int integerifyIndex = (2 * r - 1) * 16;
        int[] in = x;
        int[] out = y;
        for (int i = 0; i < n; i++) {
            int j = in[integerifyIndex] & mask;
            int vOffset = j * blockInts;
            for (int k = 0; k < blockInts; k++) {
                in[k] ^= v[vOffset + k];
            }
            blockMix(in, 0, out, 0, salsa, r);
            int[] swap = in;
            in = out;
            out = swap;
        }
        // N is even, so after N swaps the result is back in x; the branch is kept for clarity only.
        if (in != x) {
            System.arraycopy(in, 0, x, 0, blockInts);
        }
    }

    /**
     * scryptBlockMix (RFC 7914 section 4): reads the 2r 64-byte blocks of {@code in} at {@code inOffset}
     * and writes the mixed blocks to {@code out} at {@code outOffset} (which must not overlap the input).
     *
     * <p>The RFC computes {@code Y_i = Salsa(X xor B_i)} and then outputs the even-indexed Y first and
     * the odd-indexed Y after; here each {@code Y_i} is written directly into its final position,
     * {@code i / 2} for even i and {@code r + i / 2} for odd i, which saves a separate shuffle buffer.
     */
    private static void blockMix(int[] in, int inOffset, int[] out, int outOffset, int[] salsa, int r) {
        // X = B_(2r-1): the chain starts from the last block so that all of the input feeds block 0.
        System.arraycopy(in, inOffset + (2 * r - 1) * 16, salsa, 0, 16);
        for (int i = 0; i < 2 * r; i++) {
            int blockOffset = inOffset + i * 16;
            for (int k = 0; k < 16; k++) {
                salsa[k] ^= in[blockOffset + k];
            }
            salsa20_8(salsa);
            int destination = (i & 1) == 0 ? i >>> 1 : r + (i >>> 1);
            System.arraycopy(salsa, 0, out, outOffset + destination * 16, 16);
        }
    }

    /**
     * The Salsa20/8 core (RFC 7914 section 3) on the 16 little-endian words of {@code b}, in place:
     * eight rounds (four column/row double rounds), then the input is added back word by word.
     * The state lives in locals so the JIT can keep it in registers.
     */
    private static void salsa20_8(int[] b) {
        int x0 = b[0], x1 = b[1], x2 = b[2], x3 = b[3];
        int x4 = b[4], x5 = b[5], x6 = b[6], x7 = b[7];
        int x8 = b[8], x9 = b[9], x10 = b[10], x11 = b[11];
        int x12 = b[12], x13 = b[13], x14 = b[14], x15 = b[15];
        for (int round = 8; round > 0; round -= 2) {
            // Operate on columns.
            x4 ^= Integer.rotateLeft(x0 + x12, 7);
            x8 ^= Integer.rotateLeft(x4 + x0, 9);
            x12 ^= Integer.rotateLeft(x8 + x4, 13);
            x0 ^= Integer.rotateLeft(x12 + x8, 18);
            x9 ^= Integer.rotateLeft(x5 + x1, 7);
            x13 ^= Integer.rotateLeft(x9 + x5, 9);
            x1 ^= Integer.rotateLeft(x13 + x9, 13);
            x5 ^= Integer.rotateLeft(x1 + x13, 18);
            x14 ^= Integer.rotateLeft(x10 + x6, 7);
            x2 ^= Integer.rotateLeft(x14 + x10, 9);
            x6 ^= Integer.rotateLeft(x2 + x14, 13);
            x10 ^= Integer.rotateLeft(x6 + x2, 18);
            x3 ^= Integer.rotateLeft(x15 + x11, 7);
            x7 ^= Integer.rotateLeft(x3 + x15, 9);
            x11 ^= Integer.rotateLeft(x7 + x3, 13);
            x15 ^= Integer.rotateLeft(x11 + x7, 18);
            // Operate on rows.
            x1 ^= Integer.rotateLeft(x0 + x3, 7);
            x2 ^= Integer.rotateLeft(x1 + x0, 9);
            x3 ^= Integer.rotateLeft(x2 + x1, 13);
            x0 ^= Integer.rotateLeft(x3 + x2, 18);
            x6 ^= Integer.rotateLeft(x5 + x4, 7);
            x7 ^= Integer.rotateLeft(x6 + x5, 9);
            x4 ^= Integer.rotateLeft(x7 + x6, 13);
            x5 ^= Integer.rotateLeft(x4 + x7, 18);
            x11 ^= Integer.rotateLeft(x10 + x9, 7);
            x8 ^= Integer.rotateLeft(x11 + x10, 9);
            x9 ^= Integer.rotateLeft(x8 + x11, 13);
            x10 ^= Integer.rotateLeft(x9 + x8, 18);
            x12 ^= Integer.rotateLeft(x15 + x14, 7);
            x13 ^= Integer.rotateLeft(x12 + x15, 9);
            x14 ^= Integer.rotateLeft(x13 + x12, 13);
            x15 ^= Integer.rotateLeft(x14 + x13, 18);
        }
        b[0] += x0;
        b[1] += x1;
        b[2] += x2;
        b[3] += x3;
        b[4] += x4;
        b[5] += x5;
        b[6] += x6;
        b[7] += x7;
        b[8] += x8;
        b[9] += x9;
        b[10] += x10;
        b[11] += x11;
        b[12] += x12;
        b[13] += x13;
        b[14] += x14;
        b[15] += x15;
    }

    /** An HMAC-SHA256 keyed with {@code password}. */
    private static Mac hmacSha256(byte[] password) {
        // SecretKeySpec rejects an empty key, but RFC 7914's first test vector has an empty password.
        // HMAC zero-pads a short key to the 64-byte block size, so the one-byte key {0x00} pads to exactly
        // the same block as the empty key and yields the same HMAC for every message.
        byte[] key = password.length == 0 ? new byte[1] : password;
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac;
        } catch (GeneralSecurityException e) {
            // Every Java SE platform is required to provide HmacSHA256.
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    /**
     * PBKDF2 (RFC 8018 section 5.2) with HMAC-SHA256 and a single iteration, which is all scrypt uses:
     * with c = 1, block {@code T_i} is just {@code HMAC(P, S || INT_32_BE(i))}, for i counting from 1.
     */
    private static byte[] pbkdf2Sha256OneIteration(Mac hmac, byte[] salt, int length) {
        byte[] result = new byte[length];
        byte[] block = new byte[HMAC_SHA256_LENGTH];
        byte[] counter = new byte[4];
        try {
            for (int offset = 0, i = 1; offset < length; offset += HMAC_SHA256_LENGTH, i++) {
                counter[0] = (byte) (i >>> 24);
                counter[1] = (byte) (i >>> 16);
                counter[2] = (byte) (i >>> 8);
                counter[3] = (byte) i;
                hmac.update(salt);
                hmac.update(counter);
                hmac.doFinal(block, 0);
                System.arraycopy(block, 0, result, offset, Math.min(HMAC_SHA256_LENGTH, length - offset));
            }
        } catch (GeneralSecurityException e) {
            // doFinal(byte[], int) only throws ShortBufferException, and the buffer is exactly 32 bytes.
            throw new IllegalStateException(e);
        } finally {
            Arrays.fill(block, (byte) 0);
        }
        return result;
    }

    /** Reads {@code out.length} little-endian 32-bit words from {@code in} at {@code offset}. */
    private static void decodeLittleEndian(byte[] in, int offset, int[] out) {
        for (int k = 0, i = offset; k < out.length; k++, i += 4) {
            out[k] = (in[i] & 0xff) | (in[i + 1] & 0xff) << 8 | (in[i + 2] & 0xff) << 16 | (in[i + 3] & 0xff) << 24;
        }
    }

    /** Writes the words of {@code in} to {@code out} at {@code offset}, little-endian. */
    private static void encodeLittleEndian(int[] in, byte[] out, int offset) {
        for (int k = 0, i = offset; k < in.length; k++, i += 4) {
            int word = in[k];
            out[i] = (byte) word;
            out[i + 1] = (byte) (word >>> 8);
            out[i + 2] = (byte) (word >>> 16);
            out[i + 3] = (byte) (word >>> 24);
        }
    }
}
