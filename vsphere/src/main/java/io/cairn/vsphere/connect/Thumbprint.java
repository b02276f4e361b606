package io.cairn.vsphere.connect;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Certificate thumbprints as vSphere shows them: SHA-1 (vCenter's UI, {@code govc about.cert
 * -thumbprint}) or SHA-256, upper-case hex pairs joined by colons. A pin is accepted with or
 * without colons (or spaces), in any case; its length says which digest it is.
 */
public final class Thumbprint {
    private static final HexFormat COLONS = HexFormat.ofDelimiter(":").withUpperCase();

    private Thumbprint() {}

    /**
     * The canonical form of a pinned thumbprint: upper-case hex with colons.
     *
     * @throws IllegalArgumentException if it is not 20 (SHA-1) or 32 (SHA-256) bytes of hex
     */
    public static String normalize(String pin) {
        String hex =
                pin.replace(":", "").replace(" ", "").replace("-", "").strip().toUpperCase(Locale.ROOT);
        if (!hex.matches("[0-9A-F]*") || (hex.length() != 40 && hex.length() != 64)) {
            throw new IllegalArgumentException("thumbprint '" + pin
                    + "' is neither a SHA-1 (40 hex digits) nor a SHA-256 (64 hex digits) thumbprint");
        }
        return COLONS.formatHex(HexFormat.of().parseHex(hex));
    }

    /** SHA-1 of the DER-encoded certificate, upper-case hex with colons. */
    public static String sha1(X509Certificate cert) {
        return digest("SHA-1", cert);
    }

    /** SHA-256 of the DER-encoded certificate, upper-case hex with colons. */
    public static String sha256(X509Certificate cert) {
        return digest("SHA-256", cert);
    }

    /** Whether {@code pin} (any accepted form, SHA-1 or SHA-256) is this certificate's thumbprint. */
    public static boolean matches(String pin, X509Certificate cert) {
        String p = normalize(pin);
        return p.length() == 59 ? p.equals(sha1(cert)) : p.equals(sha256(cert));
    }

    /** The thumbprint of {@code cert} in the same digest as {@code pin}, for "expected vs server" messages. */
    static String sameKind(String pin, X509Certificate cert) {
        return normalize(pin).length() == 59 ? sha1(cert) : sha256(cert);
    }

    private static String digest(String algorithm, X509Certificate cert) {
        try {
            return COLONS.formatHex(MessageDigest.getInstance(algorithm).digest(cert.getEncoded()));
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new IllegalStateException("cannot compute the " + algorithm + " thumbprint of a certificate", e);
        }
    }
}
