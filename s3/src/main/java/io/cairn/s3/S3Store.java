package io.cairn.s3;

import io.cairn.repository.RepositoryConfig;
import io.cairn.repository.error.ObjectNotFoundException;
import io.cairn.repository.error.RepositoryException;
import io.cairn.repository.format.FormatConstants;
import io.cairn.repository.store.ObjectInfo;
import io.cairn.repository.store.ObjectLockedException;
import io.cairn.repository.store.Store;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.CreateBucketRequest;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListMultipartUploadsResponse;
import software.amazon.awssdk.services.s3.model.ListObjectVersionsResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.MetadataDirective;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.ObjectLockEnabled;
import software.amazon.awssdk.services.s3.model.ObjectLockMode;
import software.amazon.awssdk.services.s3.model.ObjectLockRetention;
import software.amazon.awssdk.services.s3.model.ObjectLockRetentionMode;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The repository's {@link Store} on an S3 object store (Ceph RADOS Gateway, AWS S3, MinIO): each
 * key is one object under the location's prefix (docs/object-store.md has the mapping and what it
 * costs).
 *
 * <ul>
 *   <li>Every write is one PUT with its Content-MD5 (the store rejects bytes damaged on the way).
 *       Write-once keys ({@code chunks/}, {@code backups/}, {@code keys/}, {@code quarantine/}) carry
 *       {@code If-None-Match: *}: the first writer wins, and a second writer of the same name (a dedup
 *       race between appliances, or a retry of a PUT whose answer was lost) gets 412, which is
 *       success when the object holds the same chunk or the same bytes. Multipart uploads are never
 *       used: they ignore the condition.
 *   <li>{@link #touch} renews a time by copying the object onto itself (a server-side copy with new
 *       metadata: one request, no upload), and only when its time is older than
 *       {@link #touchResolution()} ({@link S3Settings#renewAfter()}): a dedup hit on a chunk written
 *       or renewed recently costs one HEAD.
 *       In a repository with Object Lock it extends the retention instead (copies would be new
 *       versions to keep).
 *   <li>{@link #sync()} does nothing: S3 acknowledges a PUT once the object is durable.
 *   <li>Times are the store's, in whole seconds (what {@code Last-Modified} carries), from listings
 *       and HEADs alike.
 * </ul>
 */
public final class S3Store implements Store, AutoCloseable {
    /**
     * Nothing cairn writes is larger (a chunk is at most 8 MiB; an index of a 32 TiB disk at 1 MiB
     * chunks is 1 GiB): a larger object is not read into memory.
     */
    static final long MAX_OBJECT = 1L << 30;

    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME;

    private final S3Location location;
    private final Gateways gateways;
    private final MetadataCache cache;
    private final Duration renewAfter;
    private volatile RepositoryConfig.ObjectLock objectLock;
    private volatile Boolean versioned;

    private S3Store(S3Location location, Gateways gateways, MetadataCache cache, Duration renewAfter) {
        this.location = location;
        this.gateways = gateways;
        this.cache = cache;
        this.renewAfter = renewAfter;
    }

    /** A store on {@code location}, without checking anything yet. */
    public static S3Store connect(S3Location location, S3Settings settings) throws IOException {
        MetadataCache cache = settings.cacheDir() == null
                ? null
                : new MetadataCache(settings.cacheDir().resolve(cacheName(location)));
        return new S3Store(location, new Gateways(settings, location), cache, settings.renewAfter());
    }

    /** The cache folder of a location: readable, and unique per bucket and prefix. */
    static String cacheName(S3Location l) {
        String readable = (l.bucket() + "_" + l.prefix()).replaceAll("[^A-Za-z0-9._-]", "_");
        try {
            byte[] h = MessageDigest.getInstance("SHA-256")
                    .digest(l.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return readable.substring(0, Math.min(readable.length(), 60)) + "-"
                    + java.util.HexFormat.of().formatHex(h, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public S3Location location() {
        return location;
    }

    /** Where metadata is cached, or null. */
    public Path cacheDir() {
        return cache == null ? null : cache.root();
    }

    @Override
    public String describe() {
        return gateways.describe();
    }

    // ---- the bucket ----

    /**
     * Checks that the bucket exists and the credentials open it.
     * @throws RepositoryException naming the bucket and the gateway otherwise
     */
    public void checkBucket() throws RepositoryException {
        // A listing rather than a HEAD: its error answers carry a code (InvalidAccessKeyId, NoSuchBucket…).
        gateways.call(
                "opening the bucket " + location.bucket(),
                c -> c.listObjectsV2(b -> b.bucket(location.bucket())
                        .prefix(location.objectKey(""))
                        .maxKeys(1)));
    }

    /** Whether the bucket exists (false on 404; other failures are thrown). */
    public boolean bucketExists() throws RepositoryException {
        try {
            gateways.callExpecting(
                    "opening the bucket " + location.bucket(),
                    c -> c.headBucket(b -> b.bucket(location.bucket())),
                    404);
            return true;
        } catch (S3Exception e) {
            return false;
        }
    }

    /** Creates the bucket; with Object Lock enabled (and therefore versioning) when asked. */
    public void createBucket(boolean withObjectLock) throws RepositoryException {
        CreateBucketRequest.Builder r = CreateBucketRequest.builder().bucket(location.bucket());
        if (withObjectLock) {
            r.objectLockEnabledForBucket(true);
        }
        gateways.call("creating the bucket " + location.bucket(), c -> c.createBucket(r.build()));
        versioned = withObjectLock ? Boolean.TRUE : null;
    }

    /** Whether the bucket has Object Lock enabled (it was created with it). */
    public boolean objectLockEnabled() throws RepositoryException {
        try {
            var r = gateways.callExpecting(
                    "reading the Object Lock configuration of " + location.bucket(),
                    c -> c.getObjectLockConfiguration(b -> b.bucket(location.bucket())),
                    404,
                    400);
            return r.objectLockConfiguration() != null
                    && r.objectLockConfiguration().objectLockEnabled() == ObjectLockEnabled.ENABLED;
        } catch (S3Exception e) {
            return false; // ObjectLockConfigurationNotFoundError: a bucket without it
        }
    }

    /**
     * From now on, what backups write (chunks, indexes, manifests, key files, the config) is retained
     * by the store as {@code rule} says, and a reused chunk's retention is extended. Null: none.
     */
    public void retain(RepositoryConfig.ObjectLock rule) {
        this.objectLock = rule;
    }

    public RepositoryConfig.ObjectLock retention() {
        return objectLock;
    }

    private boolean versioned() throws RepositoryException {
        Boolean v = versioned;
        if (v == null) {
            var r = gateways.call(
                    "reading the versioning of " + location.bucket(),
                    c -> c.getBucketVersioning(b -> b.bucket(location.bucket())));
            v = r.status() == BucketVersioningStatus.ENABLED || r.status() == BucketVersioningStatus.SUSPENDED;
            versioned = v;
        }
        return v;
    }

    // ---- objects ----

    /** Keys written once and never replaced: conditional PUTs (see the class comment). */
    static boolean writeOnce(String key) {
        return key.startsWith(FormatConstants.DIR_CHUNKS + "/")
                || key.startsWith(FormatConstants.DIR_BACKUPS + "/")
                || key.startsWith(FormatConstants.DIR_KEYS + "/")
                || key.startsWith(FormatConstants.DIR_QUARANTINE + "/");
    }

    /** Keys whose objects Object Lock retains: everything a backup needs to be restored. */
    static boolean retained(String key) {
        return key.startsWith(FormatConstants.DIR_CHUNKS + "/")
                || key.startsWith(FormatConstants.DIR_BACKUPS + "/")
                || key.startsWith(FormatConstants.DIR_KEYS + "/")
                || key.equals(FormatConstants.KEY_CONFIG);
    }

    private static void checkKey(String key) {
        if (key.isEmpty() || key.startsWith("/") || key.contains("..") || key.contains("\\") || key.contains("//")) {
            throw new IllegalArgumentException("invalid store key: " + key);
        }
    }

    @Override
    public void put(String key, byte[] data, int offset, int length) throws IOException {
        checkKey(key);
        String md5Hex = MetadataCache.md5Hex(data, offset, length);
        String md5 = Base64.getEncoder().encodeToString(java.util.HexFormat.of().parseHex(md5Hex));
        boolean once = writeOnce(key);
        PutObjectRequest.Builder b = PutObjectRequest.builder()
                .bucket(location.bucket())
                .key(location.objectKey(key))
                .contentLength((long) length)
                .contentMD5(md5)
                .contentType("application/octet-stream");
        if (once) {
            b.ifNoneMatch("*");
        }
        RepositoryConfig.ObjectLock rule = objectLock;
        if (rule != null && retained(key)) {
            b.objectLockMode(mode(rule)).objectLockRetainUntilDate(retainUntil(rule, Instant.now(), Duration.ZERO));
        }
        PutObjectRequest req = b.build();
        if (once && !key.startsWith(FormatConstants.DIR_CHUNKS + "/") && versioned()) {
            // Measured: RGW (Pacific) ignores If-None-Match on a versioned bucket (one with Object
            // Lock) and adds a version. A backup file or key file is looked for first instead; chunks
            // are not (ChunkStore has just looked, and a second version of a chunk is the same chunk).
            if (head(key, "writing " + key) != null) {
                existingIsSame(key, md5Hex);
                return;
            }
        }
        // The body is re-read from the caller's array on every attempt: no copy of a chunk.
        RequestBody body = length == 0
                ? RequestBody.empty()
                : RequestBody.fromContentProvider(
                        () -> new ByteArrayInputStream(data, offset, length), length, "application/octet-stream");
        for (int conflict = 0; ; conflict++) {
            try {
                PutObjectResponse r = gateways.callExpecting("writing " + key, c -> c.putObject(req, body), 412, 409);
                if (cache != null && MetadataCache.cacheable(key)) {
                    cache.put(key, data, offset, length, r.eTag());
                }
                return;
            } catch (S3Exception e) {
                if (e.statusCode() == 409 && conflict < 5) {
                    // ConditionalRequestConflict: another conditional write of this key is in flight.
                    pause(50L << conflict);
                    continue;
                }
                if (e.statusCode() == 412 && once) {
                    existingIsSame(key, md5Hex);
                    return;
                }
                throw gateways.translate("writing " + key, e);
            }
        }
    }

    /**
     * A write-once key exists already. A chunk's name is its content's id, so the object holds this
     * chunk (an encrypted one with another nonce): nothing to do. Any other key must hold these very
     * bytes (a retried PUT whose first answer was lost); anything else is refused, never overwritten.
     */
    private void existingIsSame(String key, String md5Hex) throws IOException {
        if (key.startsWith(FormatConstants.DIR_CHUNKS + "/")) {
            return;
        }
        HeadObjectResponse h = head(key, "writing " + key);
        if (h == null || !md5Hex.equals(MetadataCache.md5Of(h.eTag()))) {
            throw new RepositoryException("writing " + key + " in " + describe()
                    + " failed: an object of that name already exists with other content; nothing was overwritten");
        }
    }

    private static void pause(long millis) throws IOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted");
        }
    }

    /** Raised inside a download when the object is larger than anything cairn writes. */
    private static final class TooLarge extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final long size;

        TooLarge(long size) {
            super("object of " + size + " bytes", null, false, false);
            this.size = size;
        }
    }

    @Override
    public byte[] get(String key) throws IOException {
        checkKey(key);
        boolean cacheable = cache != null && MetadataCache.cacheable(key);
        if (cacheable) {
            byte[] hit = cache.get(key);
            if (hit != null) {
                return hit;
            }
        }
        String[] etag = new String[1];
        byte[] data = download(key, null, etag);
        if (cacheable) {
            cache.put(key, data, 0, data.length, etag[0]);
        }
        return data;
    }

    private byte[] download(String key, String range, String[] etag) throws IOException {
        GetObjectRequest.Builder req =
                GetObjectRequest.builder().bucket(location.bucket()).key(location.objectKey(key));
        if (range != null) {
            req.range(range);
        }
        GetObjectRequest r = req.build();
        ResponseTransformer<GetObjectResponse, byte[]> bounded = (resp, in) -> {
            Long size = resp.contentLength();
            if (size != null && size > MAX_OBJECT) {
                throw new TooLarge(size);
            }
            etag[0] = resp.eTag();
            return in.readAllBytes();
        };
        try {
            return gateways.callExpecting("reading " + key, c -> c.getObject(r, bounded), 404, 416);
        } catch (S3Exception e) {
            if (e.statusCode() == 416) {
                return null; // a range of an empty object
            }
            if (cache != null) {
                cache.forget(key);
            }
            throw new ObjectNotFoundException(key, describe());
        } catch (RepositoryException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof TooLarge tl) {
                    throw new RepositoryException("reading " + key + " in " + describe() + " failed: it has "
                            + tl.size + " bytes, more than any object cairn writes (" + MAX_OBJECT + "): refusing to"
                            + " read it");
                }
            }
            throw e;
        }
    }

    @Override
    public byte[] getPrefix(String key, int length) throws IOException {
        checkKey(key);
        if (cache != null && MetadataCache.cacheable(key)) {
            byte[] hit = cache.get(key);
            if (hit != null) {
                return java.util.Arrays.copyOf(hit, Math.min(length, hit.length));
            }
        }
        if (length == 0) {
            if (stat(key).isEmpty()) {
                throw new ObjectNotFoundException(key, describe());
            }
            return new byte[0];
        }
        byte[] data = download(key, "bytes=0-" + (length - 1), new String[1]);
        if (data == null) {
            if (stat(key).isEmpty()) {
                throw new ObjectNotFoundException(key, describe());
            }
            return new byte[0];
        }
        return data.length > length ? java.util.Arrays.copyOf(data, length) : data;
    }

    /** The object's headers, or null when it does not exist. */
    private HeadObjectResponse head(String key, String what) throws RepositoryException {
        try {
            return gateways.callExpecting(
                    what, c -> c.headObject(b -> b.bucket(location.bucket()).key(location.objectKey(key))), 404);
        } catch (S3Exception e) {
            return null;
        }
    }

    @Override
    public Optional<ObjectInfo> stat(String key) throws IOException {
        checkKey(key);
        HeadObjectResponse h = head(key, "reading attributes of " + key);
        if (h == null) {
            return Optional.empty();
        }
        return Optional.of(new ObjectInfo(key, h.contentLength(), seconds(h.lastModified())));
    }

    /** Times in whole seconds: {@code Last-Modified} has no more, listings have milliseconds. */
    private static Instant seconds(Instant t) {
        return t.truncatedTo(ChronoUnit.SECONDS);
    }

    @Override
    public boolean touch(String key) throws IOException {
        checkKey(key);
        HeadObjectResponse h = head(key, "renewing " + key);
        if (h == null) {
            return false;
        }
        Instant storeNow = storeTime(h);
        RepositoryConfig.ObjectLock rule = objectLock;
        if (rule != null && retained(key)) {
            extendRetention(key, h, rule, storeNow);
            return true;
        }
        if (!renewAfter.isZero() && h.lastModified().isAfter(storeNow.minus(renewAfter))) {
            return true; // written or renewed recently enough: gc's cutoff allows for this much
        }
        try {
            gateways.callExpecting(
                    "renewing " + key,
                    c -> c.copyObject(b -> b.sourceBucket(location.bucket())
                            .sourceKey(location.objectKey(key))
                            .destinationBucket(location.bucket())
                            .destinationKey(location.objectKey(key))
                            .metadataDirective(MetadataDirective.REPLACE)
                            .metadata(Map.of("cairn-renewed", Instant.now().toString()))
                            .contentType("application/octet-stream")),
                    404);
            return true;
        } catch (S3Exception e) {
            return false; // deleted between the HEAD and the copy
        }
    }

    /** The store's clock from a response's {@code Date} header (the local clock if it has none). */
    private static Instant storeTime(HeadObjectResponse h) {
        return h.sdkHttpResponse()
                .firstMatchingHeader("Date")
                .map(d -> {
                    try {
                        return ZonedDateTime.parse(d, HTTP_DATE).toInstant();
                    } catch (RuntimeException e) {
                        return null;
                    }
                })
                .orElseGet(Instant::now);
    }

    /**
     * Object Lock: a reused object must stay retained at least {@code days} from now. When it is not,
     * its retention is extended, past what is needed by up to a week, so that daily backups extend
     * each object about once a week rather than every day.
     */
    private void extendRetention(String key, HeadObjectResponse h, RepositoryConfig.ObjectLock rule, Instant now)
            throws RepositoryException {
        Instant needed = now.plus(Duration.ofDays(rule.days()));
        Instant until = h.objectLockRetainUntilDate();
        if (until != null && !until.isBefore(needed)) {
            return;
        }
        Instant extended = retainUntil(rule, now, Duration.ofDays(Math.min(7, rule.days())));
        gateways.call(
                "extending the retention of " + key,
                c -> c.putObjectRetention(b -> b.bucket(location.bucket())
                        .key(location.objectKey(key))
                        .versionId(h.versionId())
                        .retention(ObjectLockRetention.builder()
                                .mode(retentionMode(rule))
                                .retainUntilDate(extended)
                                .build())));
    }

    /** {@code now + days + slack}, rounded up to the next midnight UTC: fewer distinct dates, fewer extensions. */
    static Instant retainUntil(RepositoryConfig.ObjectLock rule, Instant now, Duration slack) {
        Instant t = now.plus(Duration.ofDays(rule.days())).plus(slack);
        Instant day = t.atZone(ZoneOffset.UTC)
                .toLocalDate()
                .plusDays(1)
                .atStartOfDay(ZoneOffset.UTC)
                .toInstant();
        return day;
    }

    private static ObjectLockMode mode(RepositoryConfig.ObjectLock rule) {
        return FormatConstants.OBJECT_LOCK_COMPLIANCE.equals(rule.mode())
                ? ObjectLockMode.COMPLIANCE
                : ObjectLockMode.GOVERNANCE;
    }

    private static ObjectLockRetentionMode retentionMode(RepositoryConfig.ObjectLock rule) {
        return FormatConstants.OBJECT_LOCK_COMPLIANCE.equals(rule.mode())
                ? ObjectLockRetentionMode.COMPLIANCE
                : ObjectLockRetentionMode.GOVERNANCE;
    }

    @Override
    public Duration touchResolution() {
        // With Object Lock a reused chunk is retained for days instead: the store refuses gc's delete.
        return objectLock != null ? Duration.ZERO : renewAfter;
    }

    @Override
    public void delete(String key) throws IOException {
        checkKey(key);
        if (cache != null) {
            cache.forget(key);
        }
        if (!versioned()) {
            gateways.call(
                    "deleting " + key,
                    c -> c.deleteObject(b -> b.bucket(location.bucket()).key(location.objectKey(key))));
            return;
        }
        // A versioned bucket (Object Lock): a plain DELETE only hides the object behind a delete
        // marker and frees nothing. Every version is deleted instead, newest first; a version under
        // retention is refused by the store, and the object stays as it was.
        String objectKey = location.objectKey(key);
        List<String[]> versions = new ArrayList<>();
        String keyMarker = null;
        String versionMarker = null;
        do {
            String km = keyMarker;
            String vm = versionMarker;
            ListObjectVersionsResponse r = gateways.call(
                    "listing the versions of " + key,
                    c -> c.listObjectVersions(b -> b.bucket(location.bucket())
                            .prefix(objectKey)
                            .keyMarker(km)
                            .versionIdMarker(vm)));
            r.versions().stream()
                    .filter(v -> v.key().equals(objectKey))
                    .forEach(v -> versions.add(
                            new String[] {v.versionId(), v.lastModified().toString()}));
            r.deleteMarkers().stream()
                    .filter(v -> v.key().equals(objectKey))
                    .forEach(v -> versions.add(
                            new String[] {v.versionId(), v.lastModified().toString()}));
            keyMarker = Boolean.TRUE.equals(r.isTruncated()) ? r.nextKeyMarker() : null;
            versionMarker = Boolean.TRUE.equals(r.isTruncated()) ? r.nextVersionIdMarker() : null;
        } while (keyMarker != null);
        versions.sort((a, b) -> b[1].compareTo(a[1]));
        for (String[] v : versions) {
            try {
                gateways.callExpecting(
                        "deleting " + key,
                        c -> c.deleteObject(
                                b -> b.bucket(location.bucket()).key(objectKey).versionId(v[0])),
                        403);
            } catch (S3Exception e) {
                Instant until = retentionOf(objectKey, v[0]);
                if (until != null && until.isAfter(Instant.now().minusSeconds(60))) {
                    throw new ObjectLockedException(
                            key,
                            until,
                            "deleting " + key + " in " + describe() + " was refused: the store retains it until "
                                    + until + " (Object Lock)");
                }
                throw gateways.translate("deleting " + key, e);
            }
        }
    }

    private Instant retentionOf(String objectKey, String versionId) {
        try {
            return gateways.call(
                            "reading the retention of " + objectKey,
                            c -> c.getObjectRetention(b ->
                                    b.bucket(location.bucket()).key(objectKey).versionId(versionId)))
                    .retention()
                    .retainUntilDate();
        } catch (RepositoryException | RuntimeException e) {
            return null;
        }
    }

    @Override
    public void list(String prefix, Visitor visitor) throws IOException {
        String objectPrefix = location.objectKey(prefix);
        if (prefix.isEmpty()) {
            objectPrefix = location.prefix().isEmpty() ? "" : location.prefix() + "/";
        }
        String p = objectPrefix;
        Map<String, String> etags = cache != null ? new HashMap<>() : null;
        String token = null;
        do {
            String t = token;
            ListObjectsV2Response page = gateways.call(
                    "listing " + (prefix.isEmpty() ? "the repository" : prefix),
                    c -> c.listObjectsV2(
                            b -> b.bucket(location.bucket()).prefix(p).continuationToken(t)));
            for (S3Object o : page.contents()) {
                String key = location.keyOf(o.key());
                if (etags != null) {
                    etags.put(key, o.eTag());
                }
                visitor.visit(new ObjectInfo(key, o.size(), seconds(o.lastModified())));
            }
            token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
        } while (token != null);
        if (etags != null) {
            cache.listed(prefix, etags);
        }
    }

    /** Nothing to do: S3 answers a PUT only once the object is durable, and names need no fsync. */
    @Override
    public void sync() {}

    /**
     * Aborts multipart uploads under the repository started before {@code before}: cairn itself never
     * starts one (every object is a single PUT), but a tool that copied a repository may have left
     * some, and their parts cost storage until aborted.
     */
    @Override
    public int removeAbandonedWrites(Instant before) throws IOException {
        int n = 0;
        for (MultipartUpload u : uploads()) {
            if (u.initiated().isBefore(before)) {
                gateways.call(
                        "aborting the upload of " + location.keyOf(u.key()),
                        c -> c.abortMultipartUpload(
                                b -> b.bucket(location.bucket()).key(u.key()).uploadId(u.uploadId())));
                n++;
            }
        }
        return n;
    }

    @Override
    public int countAbandonedWrites() throws IOException {
        return uploads().size();
    }

    private List<MultipartUpload> uploads() throws RepositoryException {
        String p = location.prefix().isEmpty() ? "" : location.prefix() + "/";
        List<MultipartUpload> all = new ArrayList<>();
        String keyMarker = null;
        String idMarker = null;
        do {
            String km = keyMarker;
            String im = idMarker;
            ListMultipartUploadsResponse r = gateways.call(
                    "listing unfinished uploads",
                    c -> c.listMultipartUploads(b ->
                            b.bucket(location.bucket()).prefix(p).keyMarker(km).uploadIdMarker(im)));
            all.addAll(r.uploads());
            keyMarker = Boolean.TRUE.equals(r.isTruncated()) ? r.nextKeyMarker() : null;
            idMarker = Boolean.TRUE.equals(r.isTruncated()) ? r.nextUploadIdMarker() : null;
        } while (keyMarker != null);
        return all;
    }

    @Override
    public void close() {
        gateways.close();
    }
}
