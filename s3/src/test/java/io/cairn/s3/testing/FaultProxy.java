package io.cairn.s3.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A fault-injecting HTTP proxy in front of a real gateway, for tests only: it passes each S3
 * request through unchanged, or answers it with {@code 503 SlowDown} (throttling, as S3 and RGW's
 * rate limiter answer), or holds the gateway's answer back for a while (a slow store), as its
 * {@link Policy} decides per request. RGW cannot be made to throttle or stall on demand; this
 * proxy is the stand-in for those two behaviours only, while every byte that does pass is served
 * by the real gateway. Connections are closed after each answer (simple framing).
 */
public final class FaultProxy implements AutoCloseable {

    /** What to do with one request. */
    public enum Action {
        PASS,
        THROTTLE,
        SLOW
    }

    /** Decides per request: {@code number} counts requests from 0; {@code method} and {@code path} as sent. */
    @FunctionalInterface
    public interface Policy {
        Action decide(long number, String method, String path);
    }

    private final ServerSocket server;
    private final InetSocketAddress upstream;
    private final Thread acceptor;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong throttled = new AtomicLong();
    private final AtomicLong slowed = new AtomicLong();
    private volatile Policy policy = (n, m, p) -> Action.PASS;
    private volatile Duration delay = Duration.ofSeconds(5);
    private volatile boolean closed;

    /** A proxy on a free port of 127.0.0.1 in front of {@code gateway} (http only). */
    public FaultProxy(URI gateway) throws IOException {
        this.upstream = new InetSocketAddress(gateway.getHost(), gateway.getPort());
        this.server = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::accept, "fault-proxy");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** {@code http://127.0.0.1:PORT}: give this to cairn as its endpoint. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    public FaultProxy policy(Policy p) {
        this.policy = p;
        return this;
    }

    /** How long a {@link Action#SLOW} answer is held back. */
    public FaultProxy delay(Duration d) {
        this.delay = d;
        return this;
    }

    public long requests() {
        return requests.get();
    }

    public long throttled() {
        return throttled.get();
    }

    public long slowed() {
        return slowed.get();
    }

    private void accept() {
        while (!closed) {
            try {
                Socket client = server.accept();
                Thread t = new Thread(() -> serve(client), "fault-proxy-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                if (!closed) {
                    continue;
                }
                return;
            }
        }
    }

    private void serve(Socket client) {
        try (client) {
            InputStream in = client.getInputStream();
            byte[] head = readHead(in);
            if (head == null) {
                return;
            }
            String text = new String(head, StandardCharsets.ISO_8859_1);
            String[] first = text.substring(0, text.indexOf("\r\n")).split(" ");
            long n = requests.getAndIncrement();
            Action a = policy.decide(n, first[0], first.length > 1 ? first[1] : "");
            if (a == Action.THROTTLE) {
                throttled.incrementAndGet();
                if (!text.toLowerCase(Locale.ROOT).contains("\r\nexpect: 100-continue")) {
                    in.skipNBytes(contentLength(text)); // the body was sent already: read it
                }
                byte[] body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>SlowDown</Code>"
                                + "<Message>Please reduce your request rate.</Message></Error>")
                        .getBytes(StandardCharsets.UTF_8);
                OutputStream out = client.getOutputStream();
                out.write(("HTTP/1.1 503 Slow Down\r\nContent-Type: application/xml\r\nContent-Length: " + body.length
                                + "\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
                out.write(body);
                out.flush();
                return;
            }
            try (Socket up = new Socket()) {
                up.connect(upstream, 5000);
                OutputStream toUp = up.getOutputStream();
                toUp.write(withConnectionClose(text).getBytes(StandardCharsets.ISO_8859_1));
                toUp.flush();
                Thread body = new Thread(
                        () -> {
                            try {
                                in.transferTo(toUp);
                            } catch (IOException e) {
                                // the exchange is over
                            }
                        },
                        "fault-proxy-body");
                body.setDaemon(true);
                body.start();
                InputStream fromUp = up.getInputStream();
                OutputStream toClient = client.getOutputStream();
                if (a == Action.SLOW) {
                    slowed.incrementAndGet();
                    int b = fromUp.read(); // the gateway has answered: hold the answer back
                    Thread.sleep(delay.toMillis());
                    if (b < 0) {
                        return;
                    }
                    toClient.write(b);
                }
                fromUp.transferTo(toClient);
                toClient.flush();
            }
        } catch (IOException | InterruptedException e) {
            // the client gave up (a timeout), or the gateway went away: the client sees it
        }
    }

    private static long contentLength(String head) {
        for (String line : head.split("\r\n")) {
            int c = line.indexOf(':');
            if (c > 0 && line.substring(0, c).trim().equalsIgnoreCase("content-length")) {
                return Long.parseLong(line.substring(c + 1).trim());
            }
        }
        return 0;
    }

    private static String withConnectionClose(String head) {
        StringBuilder b = new StringBuilder();
        for (String line : head.split("\r\n")) {
            if (line.isEmpty()) {
                continue;
            }
            int c = line.indexOf(':');
            if (c > 0 && line.substring(0, c).trim().equalsIgnoreCase("connection")) {
                continue;
            }
            b.append(line).append("\r\n");
        }
        return b.append("Connection: close\r\n\r\n").toString();
    }

    /** The request line and headers, up to and including the blank line; null at end of stream. */
    private static byte[] readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            head.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
                    ? matched + 1
                    : (b == '\r' ? 1 : 0);
            if (head.size() > 64 * 1024) {
                throw new IOException("request head too long");
            }
        }
        return head.toByteArray();
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
    }
}
