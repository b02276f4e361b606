package io.cairn.httpui.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.Collections;

/** Certificate helpers for the browser tests. */
public final class Tls {
    private Tls() {}

    /** Base64 SHA-256 of the SubjectPublicKeyInfo of the first key entry in a PKCS12 keystore. */
    static String spkiSha256(Path p12, char[] password) throws IOException {
        try (InputStream in = Files.newInputStream(p12)) {
            KeyStore k = KeyStore.getInstance("PKCS12");
            k.load(in, password);
            for (String alias : Collections.list(k.aliases())) {
                if (k.isKeyEntry(alias)) {
                    return spkiSha256(k.getCertificate(alias));
                }
            }
            throw new IOException(p12 + " holds no key entry");
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot read " + p12 + ": " + e.getMessage(), e);
        }
    }

    /** {@code PublicKey.getEncoded()} is the DER SubjectPublicKeyInfo (X.509 encoding). */
    public static String spkiSha256(Certificate c) throws GeneralSecurityException {
        byte[] d = MessageDigest.getInstance("SHA-256").digest(c.getPublicKey().getEncoded());
        return Base64.getEncoder().encodeToString(d);
    }
}
