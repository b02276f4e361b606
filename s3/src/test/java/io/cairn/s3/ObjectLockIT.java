package io.cairn.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.repository.RepositoryConfig;
import io.cairn.repository.format.FormatConstants;
import io.cairn.repository.store.ObjectLockedException;
import io.cairn.s3.testing.Rgw;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ObjectVersion;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * S3 Object Lock on a real RADOS Gateway: what a backup writes cannot be deleted or overwritten
 * before its retention ends, neither by cairn's prune and gc (refused, reported) nor by someone
 * holding the same credentials and talking S3 directly (the "thief" client below).
 */
@DisplayName("Object Lock on a real RADOS Gateway")
class ObjectLockIT {
    private static Rgw rgw;
    private static String bucket;
    private static S3Client thief;
    private static final RepositoryConfig.ObjectLock RULE =
            new RepositoryConfig.ObjectLock(FormatConstants.OBJECT_LOCK_COMPLIANCE, 2);

    @BeforeAll
    static void cluster() throws Exception {
        rgw = Rgw.shared();
        bucket = rgw.newBucket("lock", true);
        // Someone with the appliance's credentials who talks S3 directly, as a thief would.
        thief = S3Client.builder()
                .endpointOverride(rgw.endpoint2())
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
                        rgw.credentials().accessKeyId(), rgw.credentials().secretAccessKey())))
                .forcePathStyle(true)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .httpClient(UrlConnectionHttpClient.create())
                .build();
    }

    @AfterAll
    static void close() {
        thief.close();
    }

    private static S3Store store(String prefix) throws Exception {
        S3Store s = S3Store.connect(new S3Location(bucket, prefix), rgw.settings());
        assertTrue(s.objectLockEnabled(), "the bucket was created with Object Lock");
        s.retain(RULE);
        return s;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<ObjectVersion> versions(String objectKey) {
        return thief.listObjectVersions(b -> b.bucket(bucket).prefix(objectKey)).versions().stream()
                .filter(v -> v.key().equals(objectKey))
                .toList();
    }

    @Test
    @DisplayName("a chunk is written retained until midnight UTC after the rule's days, and cairn's delete is refused")
    void retainedAndRefused() throws Exception {
        try (S3Store s = store("refused")) {
            Instant before = Instant.now();
            s.put("chunks/abcd/abcd10", bytes("chunk"));
            var head = thief.headObject(b -> b.bucket(bucket).key("refused/chunks/abcd/abcd10"));
            assertEquals("COMPLIANCE", head.objectLockModeAsString());
            Instant until = head.objectLockRetainUntilDate();
            assertFalse(until.isBefore(before.plus(Duration.ofDays(2))), until.toString());
            assertTrue(until.isBefore(before.plus(Duration.ofDays(3)).plusSeconds(5)), until.toString());

            ObjectLockedException e = assertThrows(ObjectLockedException.class, () -> s.delete("chunks/abcd/abcd10"));
            assertEquals(until, e.retainUntil());
            assertTrue(
                    e.getMessage().contains("chunks/abcd/abcd10")
                            && e.getMessage().contains("retains it until"),
                    e.getMessage());
            assertArrayEquals(bytes("chunk"), s.get("chunks/abcd/abcd10"));
            // Locks and clock probes are not retained: they come and go.
            s.put("locks/0011", bytes("lock"));
            s.delete("locks/0011");
            assertTrue(s.stat("locks/0011").isEmpty());
            assertTrue(versions("refused/locks/0011").isEmpty(), "every version of a lock is deleted");
        }
    }

    @Test
    @DisplayName("the thief's delete of the version is refused by the store; a delete marker only hides it")
    void thiefCannotDelete() throws Exception {
        try (S3Store s = store("thief")) {
            s.put("backups/vm/0123456789abcdef/manifest", bytes("the commit"));
            String key = "thief/backups/vm/0123456789abcdef/manifest";
            String version = versions(key).get(0).versionId();
            S3Exception refused = assertThrows(
                    S3Exception.class,
                    () -> thief.deleteObject(b -> b.bucket(bucket).key(key).versionId(version)));
            assertEquals(403, refused.statusCode());
            assertEquals("AccessDenied", refused.awsErrorDetails().errorCode());
            // A DELETE without a version only puts a delete marker on top: the version stays.
            thief.deleteObject(b -> b.bucket(bucket).key(key));
            assertTrue(s.stat("backups/vm/0123456789abcdef/manifest").isEmpty(), "hidden behind the marker");
            byte[] kept = thief.getObjectAsBytes(b -> b.bucket(bucket).key(key).versionId(version))
                    .asByteArray();
            assertArrayEquals(bytes("the commit"), kept);
        }
    }

    @Test
    @DisplayName("an overwrite by the thief is a new version on top; the retained first version is intact")
    void thiefCannotOverwrite() throws Exception {
        try (S3Store s = store("overwrite")) {
            s.put("chunks/abcd/abcd11", bytes("good"));
            String key = "overwrite/chunks/abcd/abcd11";
            String version = versions(key).get(0).versionId();
            thief.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString("ransom"));
            assertEquals(2, versions(key).size());
            byte[] kept = thief.getObjectAsBytes(b -> b.bucket(bucket).key(key).versionId(version))
                    .asByteArray();
            assertArrayEquals(bytes("good"), kept);
        }
    }

    @Test
    @DisplayName(
            "RGW ignores If-None-Match on a versioned bucket (measured), so cairn looks before it writes a backup file")
    void firstWriterOnVersionedBucket() throws Exception {
        try (S3Store s = store("once")) {
            // The measurement: a conditional PUT over an existing object makes a second version.
            thief.putObject(b -> b.bucket(bucket).key("once/probe"), RequestBody.fromString("1"));
            thief.putObject(b -> b.bucket(bucket).key("once/probe").ifNoneMatch("*"), RequestBody.fromString("2"));
            assertEquals(2, versions("once/probe").size());
            // cairn's own second writer of a manifest is refused all the same.
            s.put("backups/vm/0123456789abcdef/manifest", bytes("first"));
            s.put("backups/vm/0123456789abcdef/manifest", bytes("first")); // a retry: the same bytes
            var e = assertThrows(
                    io.cairn.repository.error.RepositoryException.class,
                    () -> s.put("backups/vm/0123456789abcdef/manifest", bytes("second")));
            assertTrue(e.getMessage().contains("already exists with other content"), e.getMessage());
            assertEquals(
                    1, versions("once/backups/vm/0123456789abcdef/manifest").size());
            assertArrayEquals(bytes("first"), s.get("backups/vm/0123456789abcdef/manifest"));
        }
    }

    @Test
    @DisplayName("reusing a chunk whose retention ends too soon extends it by the rule and up to a week more")
    void touchExtends() throws Exception {
        try (S3Store s = store("extend")) {
            s.retain(new RepositoryConfig.ObjectLock(FormatConstants.OBJECT_LOCK_COMPLIANCE, 1));
            s.put("chunks/abcd/abcd13", bytes("reused"));
            Instant first = thief.headObject(b -> b.bucket(bucket).key("extend/chunks/abcd/abcd13"))
                    .objectLockRetainUntilDate();
            s.retain(RULE); // the rule grew from one day to two
            assertTrue(s.touch("chunks/abcd/abcd13"));
            Instant extended = thief.headObject(b -> b.bucket(bucket).key("extend/chunks/abcd/abcd13"))
                    .objectLockRetainUntilDate();
            assertTrue(extended.isAfter(first.plus(Duration.ofDays(1))), first + " -> " + extended);
            assertEquals(1, versions("extend/chunks/abcd/abcd13").size(), "extending makes no new version");
            // Long enough now: a second touch changes nothing (one HEAD).
            assertTrue(s.touch("chunks/abcd/abcd13"));
            assertEquals(
                    extended,
                    thief.headObject(b -> b.bucket(bucket).key("extend/chunks/abcd/abcd13"))
                            .objectLockRetainUntilDate());
        }
    }
}
