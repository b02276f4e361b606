package io.cairn.vsphere.connect;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/**
 * A man in the middle for tests: a TCP forwarder on a free loopback port that passes every new
 * connection to the real server until {@link #divert()}, and from then on to an impostor TLS server
 * with a certificate of its own (made by the JDK's keytool), which completes the handshake and hangs up.
 */
final class Diversion implements AutoCloseable {
    private final ServerSocket front;
    private final SSLServerSocket impostor;
    private final int realPort;
    private volatile boolean diverted;
    private volatile boolean closed;

    private Diversion(ServerSocket front, SSLServerSocket impostor, int realPort) {
        this.front = front;
        this.impostor = impostor;
        this.realPort = realPort;
    }

    /** Forwards to {@code 127.0.0.1:realPort}; the impostor's key pair is made in {@code dir}. */
    static Diversion to(int realPort, Path dir) throws Exception {
        Path ks = dir.resolve("impostor.p12");
        Files.deleteIfExists(ks);
        Process p = new ProcessBuilder(List.of(
                        Path.of(System.getProperty("java.home"), "bin", "keytool")
                                .toString(),
                        "-genkeypair",
                        "-keystore",
                        ks.toString(),
                        "-storetype",
                        "PKCS12",
                        "-storepass",
                        "impostor",
                        "-alias",
                        "impostor",
                        "-keyalg",
                        "EC",
                        "-dname",
                        "CN=127.0.0.1",
                        "-validity",
                        "2"))
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("keytool failed: " + out);
        }
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(ks)) {
            store.load(in, "impostor".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, "impostor".toCharArray());
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        InetAddress lo = InetAddress.getLoopbackAddress();
        SSLServerSocket impostor =
                (SSLServerSocket) ctx.getServerSocketFactory().createServerSocket(0, 50, lo);
        ServerSocket front = new ServerSocket(0, 50, lo);
        Diversion d = new Diversion(front, impostor, realPort);
        d.daemon(d::acceptFront);
        d.daemon(d::acceptImpostor);
        return d;
    }

    int port() {
        return front.getLocalPort();
    }

    /** From now on, new connections reach the impostor. */
    void divert() {
        diverted = true;
    }

    private void acceptFront() {
        while (!closed) {
            try {
                Socket client = front.accept();
                int to = diverted ? impostor.getLocalPort() : realPort;
                Socket server = new Socket();
                server.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), to), 10_000);
                daemon(() -> pipe(client, server));
                daemon(() -> pipe(server, client));
            } catch (IOException e) {
                // closed, or one connection failed: the next accept decides
            }
        }
    }

    private void acceptImpostor() {
        while (!closed) {
            try (SSLSocket s = (SSLSocket) impostor.accept()) {
                s.setSoTimeout(10_000);
                s.startHandshake();
            } catch (IOException e) {
                // the client refused the impostor's certificate: what the test wants
            }
        }
    }

    private static void pipe(Socket from, Socket to) {
        try (InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream()) {
            in.transferTo(out);
        } catch (IOException e) {
            // either side hung up
        } finally {
            try {
                from.close();
                to.close();
            } catch (IOException ignored) {
                // already closed
            }
        }
    }

    private void daemon(Runnable r) {
        Thread t = new Thread(r, "diversion");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() throws IOException {
        closed = true;
        front.close();
        impostor.close();
    }
}
