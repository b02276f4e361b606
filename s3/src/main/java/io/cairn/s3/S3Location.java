package io.cairn.s3;

import java.util.regex.Pattern;

/**
 * Where a repository lives on an object store: {@code s3://BUCKET/PREFIX}. Every repository key
 * ({@code chunks/3fa2/…}) becomes the object {@code PREFIX/chunks/3fa2/…} of {@code BUCKET}; the
 * prefix may be empty (the repository fills the bucket).
 *
 * @param bucket an S3 bucket name (3-63 lowercase letters, digits, dots and hyphens)
 * @param prefix the repository's folder in the bucket, without leading or trailing slash; "" for none
 */
public record S3Location(String bucket, String prefix) {
    public static final String SCHEME = "s3://";

    /** S3's bucket naming rules (path-style addressing allows no more). */
    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
    /** One folder of the prefix: the characters repository keys use too, so no escaping is ever needed. */
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9._-]{1,128}");

    public S3Location {
        if (bucket == null || !BUCKET.matcher(bucket).matches() || bucket.contains("..")) {
            throw new IllegalArgumentException("'" + bucket + "' is not an S3 bucket name (3-63 lowercase letters,"
                    + " digits, dots and hyphens, starting and ending with a letter or digit)");
        }
        prefix = prefix == null ? "" : prefix;
        if (!prefix.isEmpty()) {
            for (String s : prefix.split("/", -1)) {
                if (!SEGMENT.matcher(s).matches() || s.equals(".") || s.equals("..")) {
                    throw new IllegalArgumentException("'" + prefix + "' is not a repository prefix: folders of"
                            + " letters, digits, '.', '_' and '-' separated by single '/'");
                }
            }
        }
    }

    /** Whether a {@code --repo} value names an object store rather than a directory. */
    public static boolean names(String repo) {
        return repo != null && repo.startsWith(SCHEME);
    }

    /** Parses {@code s3://BUCKET} or {@code s3://BUCKET/PREFIX} (a trailing slash is ignored). */
    public static S3Location parse(String uri) {
        if (!names(uri)) {
            throw new IllegalArgumentException("'" + uri + "' is not an s3://BUCKET/PREFIX location");
        }
        String rest = uri.substring(SCHEME.length());
        while (rest.endsWith("/")) {
            rest = rest.substring(0, rest.length() - 1);
        }
        int slash = rest.indexOf('/');
        return slash < 0
                ? new S3Location(rest, "")
                : new S3Location(rest.substring(0, slash), rest.substring(slash + 1));
    }

    /** The object name of a repository key. */
    public String objectKey(String key) {
        return prefix.isEmpty() ? key : prefix + "/" + key;
    }

    /** The repository key of an object name listed under {@link #objectKey(String) objectKey("")}. */
    public String keyOf(String objectKey) {
        return prefix.isEmpty() ? objectKey : objectKey.substring(prefix.length() + 1);
    }

    @Override
    public String toString() {
        return SCHEME + bucket + (prefix.isEmpty() ? "" : "/" + prefix);
    }
}
