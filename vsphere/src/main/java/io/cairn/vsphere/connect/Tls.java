package io.cairn.vsphere.connect;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * The TLS settings of one connection: a trust manager that accepts exactly the pinned leaf
 * certificate (or, with {@code insecure}, any), and a host-name verifier that accepts a host whose
 * certificate is the pinned one. Nothing JVM-wide is read or changed (no default SSLContext, no
 * default HostnameVerifier), so two connections in one process can pin different servers.
 *
 * <p>The trust manager keeps the leaf certificate it accepted ({@link #accepted}): what cairn hands
 * VMware's VixDiskLib as the server's thumbprint is that certificate's, never one read from a
 * handshake that trusted anything (a server that changed its certificate, or a man in the middle,
 * after the pin was checked would otherwise have its own thumbprint passed on).
 */
final class Tls {
    static final int CONNECT_TIMEOUT_MS = 20_000;

    private final String pin; // normalized, or null when insecure
    private final SSLSocketFactory socketFactory;
    private final HostnameVerifier hostnameVerifier;
    private final AtomicReference<X509Certificate> accepted = new AtomicReference<>();

    private Tls(String pin) {
        this.pin = pin;
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {new PinningTrustManager(pin, accepted)}, null);
            this.socketFactory = ctx.getSocketFactory();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up TLS", e);
        }
        // With a pin the certificate identifies the server, so the host name need not be in it (ESXi
        // hosts are often reached by IP with a certificate for their FQDN); the session's leaf is
        // checked against the pin again here. With insecure, anything goes, by the user's choice.
        this.hostnameVerifier = (host, session) -> {
            if (pin == null) {
                return true;
            }
            try {
                return session.getPeerCertificates()[0] instanceof X509Certificate leaf
                        && Thumbprint.matches(pin, leaf);
            } catch (SSLPeerUnverifiedException e) {
                return false;
            }
        };
    }

    static Tls pinned(String thumbprint) {
        return new Tls(Thumbprint.normalize(thumbprint));
    }

    static Tls insecure() {
        return new Tls(null);
    }

    SSLSocketFactory socketFactory() {
        return socketFactory;
    }

    HostnameVerifier hostnameVerifier() {
        return hostnameVerifier;
    }

    /**
     * The leaf certificate this connection's trust manager accepted: the pinned one (or, with
     * {@code insecure}, the last one seen). Without a handshake yet, one is made now through this
     * connection's own socket factory, so it is verified like every other.
     *
     * @throws VsphereException when the server cannot be reached or its certificate is not the pinned one
     */
    X509Certificate accepted(URI url) throws VsphereException {
        X509Certificate leaf = accepted.get();
        if (leaf == null) {
            handshake(url, socketFactory);
            leaf = accepted.get();
            if (leaf == null) {
                throw new VsphereException("connecting to " + url + " failed: the server sent no certificate");
            }
        }
        return leaf;
    }

    /**
     * The server's leaf certificate, read with one TLS handshake that trusts anything (it is only
     * looked at, nothing is sent): for the message that shows an unpinned server's thumbprints.
     */
    static X509Certificate serverCertificate(URI url) throws VsphereException {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {new PinningTrustManager(null, new AtomicReference<>())}, null);
            return handshake(url, ctx.getSocketFactory());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up TLS", e);
        }
    }

    /** One TLS handshake with {@code url}'s server through {@code factory}; its leaf certificate. */
    private static X509Certificate handshake(URI url, SSLSocketFactory factory) throws VsphereException {
        String host = url.getHost();
        int port = url.getPort() < 0 ? 443 : url.getPort();
        try {
            try (SSLSocket s = (SSLSocket) factory.createSocket()) {
                s.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MS);
                s.setSoTimeout(CONNECT_TIMEOUT_MS);
                s.startHandshake();
                if (s.getSession().getPeerCertificates()[0] instanceof X509Certificate leaf) {
                    return leaf;
                }
                throw new VsphereException("connecting to " + url + " failed: the server's certificate is not X.509");
            }
        } catch (IOException e) {
            if (e instanceof VsphereException ve) {
                throw ve;
            }
            throw Faults.translate("connecting to " + url, null, e);
        }
    }

    /**
     * Checks the pin against the server's certificate up front, through this connection's own trust
     * manager (which keeps the certificate it accepted), with a message that shows both thumbprints.
     */
    void check(URI url) throws VsphereException {
        if (pin == null) {
            return;
        }
        try {
            handshake(url, socketFactory);
        } catch (VsphereException e) {
            X509Certificate leaf = serverCertificate(url);
            if (!Thumbprint.matches(pin, leaf)) {
                throw new VsphereException("refusing " + url + ": the server certificate's thumbprint is "
                        + Thumbprint.sameKind(pin, leaf) + ", expected " + pin);
            }
            throw e;
        }
    }

    /** The one-line refusal when neither a pin nor insecure was given. */
    static VsphereException unpinned(URI url, X509Certificate leaf) {
        return new VsphereException("the certificate of " + url + " is not trusted: SHA-1 "
                + Thumbprint.sha1(leaf) + ", SHA-256 " + Thumbprint.sha256(leaf)
                + "; check it and pin it with --thumbprint THUMBPRINT, or accept any certificate with --insecure");
    }

    /**
     * Trusts the leaf whose thumbprint is pinned; {@code pin == null} trusts everything. The leaf it
     * accepted goes to {@code accepted}; a refused one never does.
     */
    private record PinningTrustManager(String pin, AtomicReference<X509Certificate> accepted)
            implements X509TrustManager {
        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            if (chain == null || chain.length == 0) {
                if (pin == null) {
                    return;
                }
                throw new CertificateException("the server sent no certificate");
            }
            if (pin != null && !Thumbprint.matches(pin, chain[0])) {
                throw new ThumbprintMismatchException(pin, Thumbprint.sameKind(pin, chain[0]));
            }
            accepted.set(chain[0]);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("not a server");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
