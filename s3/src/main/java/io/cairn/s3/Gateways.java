package io.cairn.s3;

import io.cairn.repository.error.RepositoryException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpConfigurationOption;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.utils.AttributeMap;

/**
 * The S3 clients of a store, one per gateway, and the one place where S3's failures become
 * {@link RepositoryException}s with one line naming the object, the bucket and the gateway.
 *
 * <p>Each request is retried by the SDK on its gateway (5xx, 503 SlowDown, timeouts, broken
 * connections; exponential backoff with jitter, longer for throttling, no circuit breaker that
 * would stop retrying a busy store). When a gateway still fails to answer, the request goes to the
 * next one, and so do the requests after it: two RADOS Gateways of one cluster serve the same
 * objects. Only the HTTP clients of this class talk to the network.
 */
final class Gateways implements AutoCloseable {
    static {
        // The JDK keeps at most 5 idle connections per host unless told otherwise (read once, when its
        // keep-alive cache is first used): with 8 or more workers the rest would reconnect for every
        // request. Measured here: +20-50 % requests per second with 8 workers.
        if (System.getProperty("http.maxConnections") == null) {
            System.setProperty("http.maxConnections", "64");
        }
    }

    private final List<URI> endpoints;
    private final List<S3Client> clients = new ArrayList<>();
    private final List<SdkHttpClient> http = new ArrayList<>();
    private final AtomicInteger current = new AtomicInteger();
    private final S3Settings settings;
    private final String location;

    Gateways(S3Settings settings, S3Location location) throws IOException {
        this.settings = settings;
        this.endpoints = settings.endpoints();
        this.location = location.toString();
        TrustManager[] trust = settings.caFile() != null ? trustFrom(settings.caFile()) : null;
        for (URI endpoint : endpoints) {
            UrlConnectionHttpClient.Builder b = UrlConnectionHttpClient.builder()
                    .connectionTimeout(settings.timeout())
                    .socketTimeout(settings.timeout());
            if (trust != null) {
                b.tlsTrustManagersProvider(() -> trust);
            }
            SdkHttpClient h = settings.insecure()
                    ? b.buildWithDefaults(AttributeMap.builder()
                            .put(SdkHttpConfigurationOption.TRUST_ALL_CERTIFICATES, Boolean.TRUE)
                            .build())
                    : b.build();
            http.add(h);
            clients.add(S3Client.builder()
                    .endpointOverride(endpoint)
                    .region(Region.of(settings.region()))
                    .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
                            settings.credentials().accessKeyId(),
                            settings.credentials().secretAccessKey())))
                    // Path-style: bucket names need no DNS (Ceph, MinIO, any IP address).
                    .forcePathStyle(true)
                    // A PUT is one plain body, its SHA-256 signed over http (over https S3 needs
                    // none), not aws-chunked with a signature per chunk: Ceph Pacific rejects an
                    // empty aws-chunked body (XAmzContentSHA256Mismatch, measured on a versioned
                    // bucket), and one pass over the bytes costs less.
                    .serviceConfiguration(S3Configuration.builder()
                            .chunkedEncodingEnabled(false)
                            .build())
                    // Only the checksums S3 requires: newer SDKs otherwise send CRC trailers with
                    // chunked uploads that Ceph Pacific answers with HTTP 400. Content-MD5 is sent
                    // by S3Store itself.
                    .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                    .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                    .httpClient(h)
                    .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder()
                                    .maxAttempts(settings.maxAttempts())
                                    .backoffStrategy(BackoffStrategy.exponentialDelay(
                                            Duration.ofMillis(100), Duration.ofSeconds(10)))
                                    .throttlingBackoffStrategy(BackoffStrategy.exponentialDelay(
                                            Duration.ofMillis(500), Duration.ofSeconds(20)))
                                    .circuitBreakerEnabled(false)
                                    .build())
                            .apiCallAttemptTimeout(settings.timeout()))
                    .build());
        }
    }

    /** Certificates from a PEM file (one or more), as the only ones trusted. */
    static TrustManager[] trustFrom(Path pem) throws IOException {
        try (InputStream in = Files.newInputStream(pem)) {
            Collection<? extends Certificate> certs =
                    CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certs.isEmpty()) {
                throw new RepositoryException("CA file " + pem + " holds no certificate");
            }
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            int i = 0;
            for (Certificate c : certs) {
                ks.setCertificateEntry("ca" + i++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            return tmf.getTrustManagers();
        } catch (NoSuchFileException e) {
            throw new RepositoryException("CA file " + pem + " does not exist");
        } catch (GeneralSecurityException e) {
            throw new RepositoryException("CA file " + pem + " is not a PEM certificate: " + e.getMessage());
        }
    }

    /** One S3 request. */
    @FunctionalInterface
    interface Call<T> {
        T on(S3Client client);
    }

    /**
     * Runs {@code call} on the current gateway and, when that one does not answer, on the next ones.
     *
     * @param what for the message: {@code writing chunks/3fa2/…}
     * @throws RepositoryException naming what failed, where, and why, in one line
     */
    <T> T call(String what, Call<T> call) throws RepositoryException {
        return callExpecting(what, call);
    }

    /**
     * As {@link #call}, but an S3 error answer with one of {@code statuses} (404, 412, …) is thrown
     * as it is, for the caller to decide what it means.
     */
    <T> T callExpecting(String what, Call<T> call, int... statuses) throws RepositoryException {
        int first = current.get();
        SdkException last = null;
        for (int tried = 0; tried < clients.size(); tried++) {
            int i = (first + tried) % clients.size();
            try {
                T result = call.on(clients.get(i));
                if (tried > 0) {
                    current.compareAndSet(first, i);
                }
                return result;
            } catch (S3Exception e) {
                for (int s : statuses) {
                    if (e.statusCode() == s) {
                        throw e;
                    }
                }
                if (e.statusCode() < 500) {
                    throw translate(what, i, e);
                }
                last = e;
            } catch (SdkException e) {
                last = e;
            }
        }
        throw translate(what, first, last);
    }

    /** The gateway in use now, for messages. */
    URI endpoint() {
        return endpoints.get(current.get());
    }

    String describe() {
        return location + " at " + endpoint();
    }

    /** A failure on the gateway in use, as one line. */
    RepositoryException translate(String what, SdkException e) {
        return translate(what, current.get(), e);
    }

    /** A failure as one line: {@code writing K in s3://b/p at http://h:p failed: the bucket does not exist}. */
    RepositoryException translate(String what, int gateway, SdkException e) {
        String where = location + " at " + endpoints.get(gateway);
        return new RepositoryException(what + " in " + where + " failed: " + reason(e), e);
    }

    String reason(SdkException e) {
        if (e instanceof S3Exception s3) {
            String code = s3.awsErrorDetails() != null ? s3.awsErrorDetails().errorCode() : null;
            int status = s3.statusCode();
            if ("NoSuchBucket".equals(code)) {
                return "the bucket does not exist (HTTP 404 NoSuchBucket)";
            }
            if ("InvalidAccessKeyId".equals(code)) {
                return "the store does not know the access key "
                        + settings.credentials().accessKeyId()
                        + " (HTTP 403 InvalidAccessKeyId): check AWS_ACCESS_KEY_ID or the credentials file";
            }
            if ("SignatureDoesNotMatch".equals(code)) {
                return "the secret key does not match the access key "
                        + settings.credentials().accessKeyId()
                        + " (HTTP 403 SignatureDoesNotMatch): check AWS_SECRET_ACCESS_KEY or the credentials file";
            }
            if (status == 404 && code == null) {
                return "not found (HTTP 404): the bucket may not exist";
            }
            if (status == 403 && code == null) {
                // a HEAD's answer has no body, so no code: any of the reasons above
                return "access denied (HTTP 403): the access key "
                        + settings.credentials().accessKeyId()
                        + " or its secret is wrong, or the key may not use this bucket";
            }
            if ("AccessDenied".equals(code)) {
                return "access denied (HTTP 403 AccessDenied): the access key "
                        + settings.credentials().accessKeyId() + " may not do this";
            }
            if ("SlowDown".equals(code) || status == 503) {
                return "the store is throttling requests (HTTP 503 " + (code != null ? code : "")
                        + ") and still was after " + settings.maxAttempts() + " attempts with backoff";
            }
            return "HTTP " + status + (code != null ? " " + code : "")
                    + (s3.awsErrorDetails() != null
                                    && s3.awsErrorDetails().errorMessage() != null
                                    && !s3.awsErrorDetails().errorMessage().isBlank()
                            ? ": " + s3.awsErrorDetails().errorMessage()
                            : "");
        }
        if (e instanceof ApiCallAttemptTimeoutException || e instanceof ApiCallTimeoutException) {
            return "no answer within " + seconds(settings.timeout()) + " (tried " + settings.maxAttempts() + " times)";
        }
        Throwable root = e;
        boolean tls = false;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
            if (root instanceof ApiCallAttemptTimeoutException) {
                return "no answer within " + seconds(settings.timeout()) + " (tried " + settings.maxAttempts()
                        + " times)";
            }
            tls |= root instanceof SSLException;
        }
        if (tls || root instanceof java.security.cert.CertificateException) {
            return "TLS failed (" + oneLine(root.getMessage()) + "): give the CA that signed the gateway's"
                    + " certificate with --s3-ca-file FILE";
        }
        if (root instanceof ConnectException) {
            return "cannot connect (" + root.getMessage() + ")";
        }
        if (root instanceof UnknownHostException) {
            return "unknown host " + root.getMessage();
        }
        if (e instanceof SdkClientException && root != e) {
            return oneLine(root.getClass().getSimpleName() + ": " + root.getMessage());
        }
        return oneLine(e.getMessage());
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s+", " ").strip();
    }

    @Override
    public void close() {
        clients.forEach(S3Client::close);
        http.forEach(SdkHttpClient::close);
    }
}
