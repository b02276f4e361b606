package io.cairn.appliance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * The appliance's JSON API over HTTPS, trusting exactly the certificate whose SHA-256 fingerprint
 * the console showed (as an administrator compares it in the browser). One session: its cookie, and
 * its CSRF token on every POST.
 */
final class Api {
    static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final String base;
    private String cookie;
    private String csrf;

    private Api(HttpClient http, String base) {
        this.http = http;
        this.base = base;
    }

    /** A client of {@code https://127.0.0.1:port} pinned to {@code fingerprint} (colon-separated hex). */
    static Api pinned(int port, String fingerprint) throws GeneralSecurityException {
        X509TrustManager tm = new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                throw new CertificateException("no client certificates here");
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                try {
                    byte[] d = MessageDigest.getInstance("SHA-256").digest(chain[0].getEncoded());
                    String fp = HexFormat.ofDelimiter(":").formatHex(d).toUpperCase(Locale.ROOT);
                    if (!fp.equals(fingerprint)) {
                        throw new CertificateException("the server's certificate is " + fp + ", not " + fingerprint);
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
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, new TrustManager[] {tm}, null);
        HttpClient http = HttpClient.newBuilder()
                .sslContext(tls)
                .connectTimeout(Duration.ofSeconds(20))
                .build();
        return new Api(http, "https://127.0.0.1:" + port);
    }

    /** Logs in; returns the status (200 on success), keeping the session when it worked. */
    int login(String user, String password) throws Exception {
        HttpResponse<String> r =
                send("POST", "/api/v1/login", JSON.writeValueAsString(Map.of("user", user, "password", password)));
        if (r.statusCode() == 200) {
            String c = r.headers().firstValue("set-cookie").orElseThrow();
            cookie = c.substring(0, c.indexOf(';'));
            csrf = JSON.readTree(r.body()).get("csrf").asText();
        }
        return r.statusCode();
    }

    HttpResponse<String> get(String path) throws Exception {
        return send("GET", path, null);
    }

    /** GET that must answer 200, as JSON. */
    JsonNode json(String path) throws Exception {
        HttpResponse<String> r = get(path);
        assertEquals(200, r.statusCode(), () -> "GET " + path + ": " + r.body());
        return JSON.readTree(r.body());
    }

    /** POST of a JSON body that must answer {@code status}, as JSON. */
    JsonNode post(String path, Object body, int status) throws Exception {
        HttpResponse<String> r = send("POST", path, JSON.writeValueAsString(body));
        assertEquals(status, r.statusCode(), () -> "POST " + path + ": " + r.body());
        return JSON.readTree(r.body());
    }

    byte[] bytes(String path) throws Exception {
        HttpResponse<byte[]> r = http.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode(), () -> "GET " + path + ": " + new String(r.body()));
        return r.body();
    }

    /** Waits for a job to finish; returns it (its "state" SUCCEEDED, FAILED or CANCELLED). */
    JsonNode awaitJob(String id, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JsonNode j = json("/api/v1/jobs/" + id);
            String state = j.get("state").asText();
            if (!state.equals("QUEUED") && !state.equals("RUNNING")) {
                return j;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "job " + id + " still " + state + " after " + timeout.toSeconds() + " s: " + j);
            }
            Thread.sleep(2000);
        }
    }

    private HttpRequest.Builder request(String path) {
        // generous: a TCG guest on a busy machine runs the server 20-50 times slower than hardware,
        // and the first vCenter call builds the whole vim25 SOAP client
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(600));
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        return b;
    }

    private HttpResponse<String> send(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = request(path);
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (!method.equals("GET") && csrf != null) {
            b.header("X-CSRF-Token", csrf);
        }
        b.method(
                method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
