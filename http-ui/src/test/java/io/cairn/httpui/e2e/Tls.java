package io.cairn.httpui.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
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

    /** Makes a self-signed EC P-256 key for localhost/127.0.0.1 with the JDK's keytool. */
    static Path selfSigned(Path p12, char[] password) throws IOException {
        Files.deleteIfExists(p12);
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        ProcessBuilder pb = new ProcessBuilder(
                        keytool.toString(),
                        "-genkeypair",
                        "-alias",
                        "ui",
                        "-keyalg",
                        "EC",
                        "-groupname",
                        "secp256r1",
                        "-validity",
                        "30",
                        "-dname",
                        "CN=localhost",
                        "-ext",
                        "SAN=dns:localhost,ip:127.0.0.1",
                        "-storetype",
                        "PKCS12",
                        "-keystore",
                        p12.toString(),
                        "-storepass",
                        new String(password),
                        "-keypass",
                        new String(password))
                .redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (p.waitFor() != 0) {
                throw new IOException("keytool failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted");
        }
        return p12;
    }

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
