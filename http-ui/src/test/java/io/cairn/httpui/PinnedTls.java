package io.cairn.httpui;

import io.cairn.httpui.tls.Certificates;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/** A client TLS context that trusts exactly the server certificate with this SHA-256 fingerprint. */
public final class PinnedTls {
    private PinnedTls() {}

    public static SSLContext context(String fingerprint) throws GeneralSecurityException {
        X509TrustManager tm = new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
                throw new UnsupportedOperationException();
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                try {
                    if (!Certificates.fingerprint(chain[0]).equals(fingerprint)) {
                        throw new CertificateException("fingerprint mismatch");
                    }
                } catch (GeneralSecurityException e) {
                    throw new CertificateException(e);
                }
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        SSLContext c = SSLContext.getInstance("TLS");
        c.init(null, new TrustManager[] {tm}, null);
        return c;
    }
}
