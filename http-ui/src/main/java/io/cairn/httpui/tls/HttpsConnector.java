package io.cairn.httpui.tls;

import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * The web UI's only listener: HTTPS with TLS 1.3 and 1.2 (the JDK's cipher defaults) on the given
 * address, never plain HTTP. No SNI host check (the server is reached by IP address or any host
 * name; the browser pins the certificate by its fingerprint) and no server version header.
 */
public final class HttpsConnector {
    private HttpsConnector() {}

    /** A connector for {@code server}, as Javalin's {@code config.jetty.addConnector} asks for one. */
    public static ServerConnector create(
            Server server, HttpConfiguration base, Certificates.Keys keys, String bind, int port) {
        SslContextFactory.Server ssl = new SslContextFactory.Server();
        ssl.setKeyStorePath(keys.keystore().toString());
        ssl.setKeyStorePassword(new String(keys.password()));
        ssl.setKeyStoreType("PKCS12");
        ssl.setIncludeProtocols("TLSv1.3", "TLSv1.2");
        HttpConfiguration https = new HttpConfiguration(base);
        SecureRequestCustomizer src = new SecureRequestCustomizer();
        src.setSniHostCheck(false); // reached by IP or any host name: the certificate is pinned by fingerprint
        https.addCustomizer(src);
        https.setSendServerVersion(false);
        ServerConnector conn = new ServerConnector(
                server, new SslConnectionFactory(ssl, "http/1.1"), new HttpConnectionFactory(https));
        conn.setHost(bind);
        conn.setPort(port);
        return conn;
    }
}
