package io.cairn.repository.crypto;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.cairn.repository.format.FormatConstants;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A key file ({@code keys/<id>}): the repository's 64 bytes of key material, wrapped with AES-256-GCM
 * under a key derived from the password by scrypt.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record KeyFile(int version, String created, String host, Kdf kdf, String nonce, String data) {

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Kdf(String algorithm, int N, int r, int p, String salt) {}

    /** Wraps {@code material} under {@code password} with fresh salt and nonce. */
    public static KeyFile wrap(byte[] material, char[] password, String created, String host) {
        SecureRandom rnd = new SecureRandom();
        byte[] salt = new byte[FormatConstants.SALT_SIZE];
        byte[] nonce = new byte[FormatConstants.GCM_NONCE_SIZE];
        rnd.nextBytes(salt);
        rnd.nextBytes(nonce);
        Kdf kdf = new Kdf(
                FormatConstants.KDF_SCRYPT,
                FormatConstants.SCRYPT_N,
                FormatConstants.SCRYPT_R,
                FormatConstants.SCRYPT_P,
                b64(salt));
        byte[] kek = derive(password, kdf);
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(kek, "AES"), new GCMParameterSpec(128, nonce));
            c.updateAAD(aad(FormatConstants.KEY_FILE_VERSION));
            return new KeyFile(
                    FormatConstants.KEY_FILE_VERSION, created, host, kdf, b64(nonce), b64(c.doFinal(material)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM unavailable", e);
        } finally {
            Arrays.fill(kek, (byte) 0);
        }
    }

    /**
     * Unwraps the key material. @throws AEADBadTagException if the password is wrong (or the file
     * was altered: the two cannot be told apart, by design)
     */
    public byte[] unwrap(char[] password) throws AEADBadTagException {
        if (version < FormatConstants.KEY_FILE_VERSION_1 || version > FormatConstants.KEY_FILE_VERSION) {
            throw new IllegalArgumentException("unsupported key file version " + version);
        }
        if (kdf == null || !FormatConstants.KDF_SCRYPT.equals(kdf.algorithm())) {
            throw new IllegalArgumentException(
                    "unsupported key derivation: " + (kdf == null ? "none" : kdf.algorithm()));
        }
        // The storage may be hostile: parameters are bounded before any work is done.
        if (kdf.N() > FormatConstants.SCRYPT_MAX_N
                || kdf.r() > FormatConstants.SCRYPT_MAX_R
                || kdf.p() > FormatConstants.SCRYPT_MAX_P
                || kdf.salt() == null
                || kdf.salt().length() > 128
                || nonce == null
                || nonce.length() > 32
                || data == null
                || data.length() > 256) {
            throw new IllegalArgumentException("key file parameters out of bounds (N " + kdf.N() + ", r " + kdf.r()
                    + ", p " + kdf.p() + "; at most N 2^20, r 32, p 16)");
        }
        byte[] kek = derive(password, kdf);
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(
                    Cipher.DECRYPT_MODE,
                    new SecretKeySpec(kek, "AES"),
                    new GCMParameterSpec(128, Base64.getDecoder().decode(nonce)));
            c.updateAAD(aad(version));
            return c.doFinal(Base64.getDecoder().decode(data));
        } catch (AEADBadTagException e) {
            throw e;
        } catch (GeneralSecurityException e) {
            throw new AEADBadTagException("key file cannot be opened: " + e.getMessage());
        } finally {
            Arrays.fill(kek, (byte) 0);
        }
    }

    /** The envelope's associated data: it binds the version, so a version cannot be edited. */
    private static byte[] aad(int version) {
        String aad = version >= FormatConstants.KEY_FILE_VERSION
                ? FormatConstants.KEY_FILE_AAD_V2
                : FormatConstants.KEY_FILE_AAD;
        return aad.getBytes(StandardCharsets.US_ASCII);
    }

    /** True when the repository's config must carry a valid {@code mac} (version 2 and later). */
    public boolean authenticatesConfig() {
        return version >= FormatConstants.KEY_FILE_VERSION;
    }

    private static byte[] derive(char[] password, Kdf kdf) {
        ByteBuffer bb = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
        byte[] pw = new byte[bb.remaining()];
        bb.get(pw);
        try {
            return Scrypt.derive(pw, Base64.getDecoder().decode(kdf.salt()), kdf.N(), kdf.r(), kdf.p(), 32);
        } finally {
            Arrays.fill(pw, (byte) 0);
            if (bb.hasArray()) {
                Arrays.fill(bb.array(), (byte) 0);
            }
        }
    }

    private static String b64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }
}
