package io.cairn.s3;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How to reach an object store, validated once.
 *
 * @param endpoints the gateways, in order of preference ({@code http(s)://host:port}); when one does
 *     not answer, requests go to the next (two RADOS Gateways of one Ceph cluster, say)
 * @param region the signing region ({@code us-east-1} for Ceph and MinIO)
 * @param credentials the access key
 * @param caFile PEM certificates to trust for an {@code https} endpoint instead of the JDK's CAs, or null
 * @param insecure accept any certificate (only ever when the user asks: {@code --s3-insecure})
 * @param timeout how long one request may take before it is abandoned and retried
 * @param maxAttempts how often one request is tried (5xx, 503 SlowDown, timeouts; with backoff)
 * @param cacheDir where manifests, indexes and key files are kept locally, or null for no cache
 * @param renewAfter a reused chunk's time is renewed (a server-side copy) only when older than this;
 *     garbage collection moves its cutoff back by as much (null: {@link #DEFAULT_RENEW_AFTER})
 */
public record S3Settings(
        List<URI> endpoints,
        String region,
        S3Credentials credentials,
        Path caFile,
        boolean insecure,
        Duration timeout,
        int maxAttempts,
        Path cacheDir,
        Duration renewAfter) {
    public static final String DEFAULT_REGION = "us-east-1";
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
    public static final int DEFAULT_ATTEMPTS = 8;
    /**
     * 15 minutes: a dedup hit on a chunk written or reused within it costs one HEAD instead of a
     * copy, while gc's default one-hour margin still protects a chunk 45 minutes after its last use.
     */
    public static final Duration DEFAULT_RENEW_AFTER = Duration.ofMinutes(15);

    /** Settings with the default renewal threshold. */
    public S3Settings(
            List<URI> endpoints,
            String region,
            S3Credentials credentials,
            Path caFile,
            boolean insecure,
            Duration timeout,
            int maxAttempts,
            Path cacheDir) {
        this(endpoints, region, credentials, caFile, insecure, timeout, maxAttempts, cacheDir, null);
    }

    public S3Settings {
        Objects.requireNonNull(credentials, "credentials");
        if (endpoints == null || endpoints.isEmpty()) {
            throw new IllegalArgumentException("an S3 repository needs --endpoint URL (or CAIRN_S3_ENDPOINT)");
        }
        endpoints = List.copyOf(endpoints);
        for (URI u : endpoints) {
            if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme()))
                    || u.getHost() == null
                    || (u.getPath() != null
                            && !u.getPath().isEmpty()
                            && !u.getPath().equals("/"))
                    || u.getQuery() != null
                    || u.getUserInfo() != null) {
                throw new IllegalArgumentException(
                        "'" + u + "' is not an S3 endpoint: give http(s)://HOST[:PORT] (no path, no credentials)");
            }
        }
        region = region == null || region.isBlank() ? DEFAULT_REGION : region;
        if (insecure && caFile != null) {
            throw new IllegalArgumentException("give either a CA file or --s3-insecure, not both");
        }
        timeout = timeout == null ? DEFAULT_TIMEOUT : timeout;
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("the S3 request timeout must be positive");
        }
        if (maxAttempts < 1 || maxAttempts > 20) {
            throw new IllegalArgumentException("S3 attempts must be 1 to 20, not " + maxAttempts);
        }
        renewAfter = renewAfter == null ? DEFAULT_RENEW_AFTER : renewAfter;
        if (renewAfter.isNegative() || renewAfter.compareTo(Duration.ofHours(24)) > 0) {
            throw new IllegalArgumentException("the renewal threshold must be 0 to 24h, not " + renewAfter);
        }
    }

    /** Parses a comma-separated list of endpoints ({@code --endpoint A,B}). */
    public static List<URI> endpoints(String commaSeparated) {
        if (commaSeparated == null || commaSeparated.isBlank()) {
            return List.of();
        }
        return java.util.Arrays.stream(commaSeparated.split(","))
                .map(String::strip)
                .filter(s -> !s.isEmpty())
                .map(s -> {
                    try {
                        return new URI(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
                    } catch (java.net.URISyntaxException e) {
                        throw new IllegalArgumentException("'" + s + "' is not an S3 endpoint URL");
                    }
                })
                .toList();
    }

    public S3Settings withCacheDir(Path dir) {
        return new S3Settings(endpoints, region, credentials, caFile, insecure, timeout, maxAttempts, dir, renewAfter);
    }

    public S3Settings withRenewAfter(Duration d) {
        return new S3Settings(endpoints, region, credentials, caFile, insecure, timeout, maxAttempts, cacheDir, d);
    }

    public S3Settings withTimeout(Duration t, int attempts) {
        return new S3Settings(endpoints, region, credentials, caFile, insecure, t, attempts, cacheDir, renewAfter);
    }
}
