package io.cairn.repository.crypto;

import java.util.Objects;
import org.bouncycastle.crypto.generators.SCrypt;

/**
 * The scrypt password-based key derivation function of
 * <a href="https://www.rfc-editor.org/rfc/rfc7914">RFC 7914</a>, computed by Bouncy Castle's
 * {@link SCrypt}: a key-derivation function is a cryptographic primitive, so it comes from a vetted,
 * maintained library rather than from cairn's own code. This class only fixes the small API the key
 * files use and the bounds cairn puts on parameters read from them (a key file is repository storage,
 * i.e. untrusted input: its N, r and p must not make cairn allocate gigabytes).
 *
 * <p>The output is byte-for-byte that of RFC 7914 (checked against the test vectors of its section
 * 12, and against the key of the golden v1 key file, which an earlier hand-written implementation
 * derived), so a key derived here equals one derived by any other conforming implementation with the
 * same inputs.
 *
 * <p>This class is stateless and thread-safe. A call allocates about {@code 128 * r * N} bytes of
 * working memory (32 MiB for N=32768, r=8) for its duration.
 */
public final class Scrypt {

    /** Largest working memory, {@code 128 * r * N} (and {@code 128 * r * p}), a call may ask for: 1 GiB, exclusive. */
    static final long MAX_MEMORY_BYTES = 1L << 30;

    /** Largest derived key this class produces. Callers need 32 or 64 bytes; this bound stops absurd requests. */
    static final int MAX_KEY_LENGTH = 1024;

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
     * @param p the parallelization p, at least 1
     * @param keyLength the derived key length in bytes, 1 to 1024
     * @return a new array of {@code keyLength} bytes
     * @throws NullPointerException if {@code password} or {@code salt} is null
     * @throws IllegalArgumentException if a parameter is out of range, including when {@code 128 * r * N}
     *     or {@code 128 * r * p} is 1 GiB or more
     */
    public static byte[] derive(byte[] password, byte[] salt, int n, int r, int p, int keyLength) {
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(salt, "salt");
        // Checked here, before Bouncy Castle allocates anything: its own checks allow tables of many
        // GiB, and its messages do not name cairn's limits.
        validate(n, r, p, keyLength);
        return SCrypt.generate(password, salt, n, r, p, keyLength);
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
}
