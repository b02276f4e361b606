package io.cairn.httpui.tls;

import io.cairn.httpui.auth.Users;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * The server's TLS key: an administrator's PKCS12 keystore, or one generated at first start with
 * the JDK's {@code keytool} (EC P-256, self-signed, 10 years, SAN localhost and 127.0.0.1) as
 * {@code tls.p12} in the state directory, its random password in {@code tls.pass} (0600).
 */
public final class Certificates {
    /** A keystore ready for Jetty, with its certificate's SHA-256 fingerprint (colon-separated hex). */
    public record Keys(Path keystore, char[] password, String fingerprint) {}

    private Certificates() {}

    public static Keys generatedOrExisting(Path stateDir) throws IOException {
        Path ks = stateDir.resolve("tls.p12");
        Path pass = stateDir.resolve("tls.pass");
        if (!Files.exists(ks) || !Files.exists(pass)) {
            String pw = Users.randomPassword(32);
            Path tmp = stateDir.resolve(".tls.p12.tmp");
            Files.deleteIfExists(tmp);
            Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
            List<String> cmd = new ArrayList<>(List.of(
                    keytool.toString(),
                    "-genkeypair",
                    "-alias",
                    "cairn",
                    "-keyalg",
                    "EC",
                    "-groupname",
                    "secp256r1",
                    "-validity",
                    "3650",
                    "-dname",
                    "CN=cairn",
                    "-ext",
                    "SAN=dns:localhost,ip:127.0.0.1",
                    "-storetype",
                    "PKCS12",
                    "-keystore",
                    tmp.toString(),
                    "-storepass:env",
                    "CAIRN_KS_PASS",
                    "-keypass:env",
                    "CAIRN_KS_PASS"));
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            // a clean environment: keytool needs nothing of the server's (which may hold CAIRN_PASSWORD)
            pb.environment().clear();
            pb.environment().put("PATH", "/usr/local/bin:/usr/bin:/bin");
            pb.environment().put("LC_ALL", "C");
            pb.environment().put("CAIRN_KS_PASS", pw); // never on the command line
            Process p = pb.start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            try {
                if (p.waitFor() != 0) {
                    throw new IOException("keytool could not create a certificate: " + out.replace('\n', ' '));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while creating the certificate");
            }
            Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            Users.writeAtomically(pass, (pw + "\n").getBytes(StandardCharsets.UTF_8));
            Files.move(
                    tmp,
                    ks,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
        char[] pw = Files.readString(pass, StandardCharsets.UTF_8).strip().toCharArray();
        return load(ks, pw);
    }

    /** Opens a PKCS12 keystore and reads the fingerprint of its first key entry's certificate. */
    public static Keys load(Path keystore, char[] password) throws IOException {
        try (InputStream in = Files.newInputStream(keystore)) {
            KeyStore k = KeyStore.getInstance("PKCS12");
            k.load(in, password);
            for (String alias : Collections.list(k.aliases())) {
                if (k.isKeyEntry(alias)) {
                    return new Keys(keystore, password, fingerprint(k.getCertificate(alias)));
                }
            }
            throw new IOException("keystore " + keystore + " holds no private key");
        } catch (GeneralSecurityException e) {
            throw new IOException("keystore " + keystore + " cannot be read: " + e.getMessage());
        }
    }

    public static String fingerprint(Certificate c) throws GeneralSecurityException {
        byte[] d = MessageDigest.getInstance("SHA-256").digest(c.getEncoded());
        return HexFormat.ofDelimiter(":").withUpperCase().formatHex(d).toUpperCase(Locale.ROOT);
    }
}
