package io.cairn.httpui.vcenter;

import io.cairn.vsphere.connect.Thumbprint;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A server's certificate, read with one TLS handshake that trusts anything, for the administrator to
 * compare and pin before a connection is saved: nothing is sent over that connection.
 */
public final class CertificateProbe {
    private static final int TIMEOUT_MILLIS = 20_000;

    /**
     * What the administrator compares.
     *
     * @param sha1 and {@code sha256}: the thumbprints, upper-case hex with colons
     * @param notAfter the expiry, ISO-8601
     */
    public record Seen(String url, String sha1, String sha256, String subject, String issuer, String notAfter) {}

    private CertificateProbe() {}

    /**
     * Reads the leaf certificate of {@code sdk}'s server.
     *
     * @throws IOException when the server cannot be reached or does not complete a TLS handshake
     */
    public static Seen probe(URI sdk) throws IOException {
        X509Certificate leaf = certificate(sdk);
        try {
            return new Seen(
                    sdk.toString(),
                    Thumbprint.sha1(leaf),
                    Thumbprint.sha256(leaf),
                    leaf.getSubjectX500Principal().getName(),
                    leaf.getIssuerX500Principal().getName(),
                    leaf.getNotAfter().toInstant().toString());
        } catch (RuntimeException e) {
            throw new IOException("cannot read the certificate of " + sdk + ": " + e.getMessage(), e);
        }
    }

    private static X509Certificate certificate(URI sdk) throws IOException {
        int port = sdk.getPort() < 0 ? 443 : sdk.getPort();
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {new LookOnly()}, null);
            try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket()) {
                s.connect(new InetSocketAddress(sdk.getHost(), port), TIMEOUT_MILLIS);
                s.setSoTimeout(TIMEOUT_MILLIS);
                s.startHandshake();
                if (s.getSession().getPeerCertificates()[0] instanceof X509Certificate leaf) {
                    return leaf;
                }
                throw new IOException("the certificate is not X.509");
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up TLS", e);
        }
    }

    /** Accepts any server certificate: used only to read it, see {@link #certificate}. */
    private static final class LookOnly implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("not a server");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
            // looked at, not trusted: nothing is sent over this connection
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
