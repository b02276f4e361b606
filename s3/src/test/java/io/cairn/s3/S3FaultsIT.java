package io.cairn.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.repository.error.RepositoryException;
import io.cairn.s3.testing.FaultProxy;
import io.cairn.s3.testing.Rgw;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Faults between cairn and a real RADOS Gateway: throttling and stalls (through {@link FaultProxy}),
 * wrong credentials, a missing bucket, an untrusted certificate, and a gateway killed while in use.
 * Each either heals by retrying or fails with one line naming the object, the bucket and the gateway.
 */
@DisplayName("S3Store under faults, against a real RADOS Gateway")
class S3FaultsIT {
    private static Rgw rgw;
    private static String bucket;

    @BeforeAll
    static void cluster() throws Exception {
        rgw = Rgw.shared();
        bucket = rgw.newBucket("faults", false);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static S3Settings settings(URI endpoint, Duration timeout, int attempts) {
        return rgw.settings(endpoint).withTimeout(timeout, attempts);
    }

    private static void assertOneLine(String message, String... fragments) {
        assertFalse(message.contains("\n"), "one line: " + message);
        for (String f : fragments) {
            assertTrue(message.contains(f), "'" + f + "' in: " + message);
        }
    }

    @Test
    @DisplayName("503 SlowDown on every other request: retried with backoff, every object written and read")
    void throttlingHeals() throws Exception {
        try (FaultProxy proxy = new FaultProxy(rgw.endpoint())) {
            proxy.policy((n, method, path) -> n % 2 == 1 ? FaultProxy.Action.THROTTLE : FaultProxy.Action.PASS);
            try (S3Store s = S3Store.connect(
                    new S3Location(bucket, "throttled"), settings(proxy.endpoint(), Duration.ofSeconds(10), 8))) {
                for (int i = 0; i < 10; i++) {
                    s.put("chunks/abcd/t" + i, bytes("chunk " + i));
                }
                for (int i = 0; i < 10; i++) {
                    assertArrayEquals(bytes("chunk " + i), s.get("chunks/abcd/t" + i));
                }
                assertEquals(10, StoreKeys.of(s, "chunks/").size());
            }
            assertTrue(proxy.throttled() >= 10, "throttled " + proxy.throttled() + " of " + proxy.requests());
        }
    }

    @Test
    @DisplayName("a store that throttles every request: the write fails after its attempts, in one line")
    void throttlingForever() throws Exception {
        try (FaultProxy proxy = new FaultProxy(rgw.endpoint())) {
            proxy.policy((n, method, path) -> FaultProxy.Action.THROTTLE);
            try (S3Store s = S3Store.connect(
                    new S3Location(bucket, "throttled-forever"),
                    settings(proxy.endpoint(), Duration.ofSeconds(10), 3))) {
                RepositoryException e =
                        assertThrows(RepositoryException.class, () -> s.put("chunks/abcd/x1", bytes("x")));
                assertOneLine(
                        e.getMessage(),
                        "writing chunks/abcd/x1",
                        "s3://" + bucket + "/throttled-forever",
                        proxy.endpoint().toString(),
                        "503",
                        "throttling",
                        "3 attempts");
            }
            assertEquals(3, proxy.throttled());
        }
    }

    @Test
    @DisplayName("answers slower than the timeout: the request is abandoned and retried, and the object arrives")
    void slowAnswersHeal() throws Exception {
        try (FaultProxy proxy = new FaultProxy(rgw.endpoint())) {
            proxy.delay(Duration.ofSeconds(4))
                    .policy((n, method, path) -> n % 3 == 0 ? FaultProxy.Action.SLOW : FaultProxy.Action.PASS);
            try (S3Store s = S3Store.connect(
                    new S3Location(bucket, "slow"), settings(proxy.endpoint(), Duration.ofSeconds(1), 6))) {
                for (int i = 0; i < 4; i++) {
                    s.put("chunks/abcd/s" + i, bytes("slow " + i));
                    assertArrayEquals(bytes("slow " + i), s.get("chunks/abcd/s" + i));
                }
            }
            assertTrue(proxy.slowed() >= 2, "slowed " + proxy.slowed());
        }
    }

    @Test
    @DisplayName("a store that never answers in time: one line saying how long it waited and how often")
    void slowForever() throws Exception {
        try (FaultProxy proxy = new FaultProxy(rgw.endpoint())) {
            proxy.delay(Duration.ofSeconds(3)).policy((n, method, path) -> FaultProxy.Action.SLOW);
            try (S3Store s = S3Store.connect(
                    new S3Location(bucket, "slow-forever"), settings(proxy.endpoint(), Duration.ofSeconds(1), 2))) {
                RepositoryException e = assertThrows(RepositoryException.class, () -> s.get("config"));
                assertOneLine(e.getMessage(), "reading config", proxy.endpoint().toString(), "no answer within 1 s");
            }
        }
    }

    @Test
    @DisplayName("an unknown access key and a wrong secret are told apart, in one line each")
    void wrongCredentials() throws Exception {
        S3Settings unknown = new S3Settings(
                List.of(rgw.endpoint()),
                null,
                new S3Credentials("NOSUCHKEY", "secret"),
                null,
                false,
                Duration.ofSeconds(10),
                2,
                null);
        try (S3Store s = S3Store.connect(new S3Location(bucket, "creds"), unknown)) {
            RepositoryException e = assertThrows(RepositoryException.class, s::checkBucket);
            assertOneLine(
                    e.getMessage(),
                    "NOSUCHKEY",
                    "InvalidAccessKeyId",
                    rgw.endpoint().toString());
        }
        S3Settings wrongSecret = new S3Settings(
                List.of(rgw.endpoint()),
                null,
                new S3Credentials(rgw.credentials().accessKeyId(), "not-the-secret"),
                null,
                false,
                Duration.ofSeconds(10),
                2,
                null);
        try (S3Store s = S3Store.connect(new S3Location(bucket, "creds"), wrongSecret)) {
            RepositoryException e = assertThrows(RepositoryException.class, () -> s.put("locks/x", bytes("x")));
            assertOneLine(e.getMessage(), "writing locks/x", "SignatureDoesNotMatch", "AWS_SECRET_ACCESS_KEY");
        }
    }

    @Test
    @DisplayName("a missing bucket is named")
    void missingBucket() throws Exception {
        try (S3Store s = S3Store.connect(new S3Location("no-such-bucket-cairn", "x"), rgw.settings())) {
            RepositoryException e = assertThrows(RepositoryException.class, s::checkBucket);
            assertOneLine(e.getMessage(), "no-such-bucket-cairn", "the bucket does not exist", "NoSuchBucket");
            assertFalse(s.bucketExists());
        }
    }

    @Test
    @DisplayName(
            "https: the gateway's certificate is verified against the CA file, refused without it, accepted only with --s3-insecure")
    void tls() throws Exception {
        S3Settings base = rgw.settings(rgw.tlsEndpoint());
        S3Settings withCa = new S3Settings(
                base.endpoints(), null, base.credentials(), rgw.caFile(), false, base.timeout(), 2, null);
        try (S3Store s = S3Store.connect(new S3Location(bucket, "tls"), withCa)) {
            s.put("locks/tls", bytes("over TLS"));
            assertArrayEquals(bytes("over TLS"), s.get("locks/tls"));
        }
        try (S3Store s = S3Store.connect(new S3Location(bucket, "tls"), base.withTimeout(base.timeout(), 1))) {
            RepositoryException e = assertThrows(RepositoryException.class, () -> s.get("locks/tls"));
            assertOneLine(e.getMessage(), "reading locks/tls", "TLS failed", "--s3-ca-file");
        }
        S3Settings insecure =
                new S3Settings(base.endpoints(), null, base.credentials(), null, true, base.timeout(), 2, null);
        try (S3Store s = S3Store.connect(new S3Location(bucket, "tls"), insecure)) {
            assertArrayEquals(bytes("over TLS"), s.get("locks/tls"));
        }
    }

    @Test
    @DisplayName("gateway 1 killed: requests go on through gateway 2, and messages name the gateway in use")
    void gatewayKilled() throws Exception {
        S3Settings both = rgw.settings(rgw.endpoint(), rgw.endpoint2()).withTimeout(Duration.ofSeconds(5), 2);
        try (S3Store s = S3Store.connect(new S3Location(bucket, "failover"), both)) {
            s.put("chunks/abcd/f0", bytes("before"));
            assertTrue(s.describe().endsWith(rgw.endpoint().toString()), s.describe());
            rgw.killGateway(1);
            try {
                s.put("chunks/abcd/f1", bytes("after"));
                assertArrayEquals(bytes("before"), s.get("chunks/abcd/f0"));
                assertArrayEquals(bytes("after"), s.get("chunks/abcd/f1"));
                assertTrue(s.describe().endsWith(rgw.endpoint2().toString()), s.describe());
            } finally {
                rgw.startGateway(1);
            }
        }
    }
}
