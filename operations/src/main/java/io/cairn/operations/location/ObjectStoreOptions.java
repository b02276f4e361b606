package io.cairn.operations.location;

import io.cairn.s3.S3Credentials;
import io.cairn.s3.S3Settings;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * How to reach an object store, as the user gave it: {@code --endpoint} (else
 * {@code CAIRN_S3_ENDPOINT}), a CA file, {@code --s3-insecure}, a credentials file (else
 * {@code AWS_ACCESS_KEY_ID} / {@code AWS_SECRET_ACCESS_KEY}), a request timeout and the metadata
 * cache directory. Credentials never come from the command line.
 *
 * @param endpoints comma-separated gateway URLs, or null for {@code CAIRN_S3_ENDPOINT}
 * @param caFile PEM certificates to trust, or null for the JDK's CAs
 * @param insecure accept any certificate (never a default)
 * @param credentialsFile an AWS shared-credentials file, or null for the environment
 * @param timeout per request, or null for {@link S3Settings#DEFAULT_TIMEOUT}
 * @param cacheDir the parent of the metadata caches, or null for none
 * @param renewAfter reused chunks renewed only past this age, or null for
 *     {@link S3Settings#DEFAULT_RENEW_AFTER}
 */
public record ObjectStoreOptions(
        String endpoints,
        Path caFile,
        boolean insecure,
        Path credentialsFile,
        Duration timeout,
        Path cacheDir,
        Duration renewAfter) {

    /** No options given: everything from the environment, no cache. */
    public static ObjectStoreOptions none() {
        return new ObjectStoreOptions(null, null, false, null, null, null, null);
    }

    /** The settings these options and the environment make. */
    S3Settings settings(Map<String, String> env) throws IOException {
        String given = endpoints != null && !endpoints.isBlank() ? endpoints : env.get("CAIRN_S3_ENDPOINT");
        List<URI> list = S3Settings.endpoints(given);
        if (list.isEmpty()) {
            throw new IllegalArgumentException(
                    "an s3:// repository needs --endpoint URL (or the CAIRN_S3_ENDPOINT environment variable)");
        }
        S3Credentials credentials = credentialsFile != null
                ? S3Credentials.fromFile(credentialsFile, env.get("AWS_PROFILE"))
                : S3Credentials.fromEnvironment(env);
        return new S3Settings(
                list,
                env.get("AWS_REGION"),
                credentials,
                caFile,
                insecure,
                timeout,
                S3Settings.DEFAULT_ATTEMPTS,
                cacheDir,
                renewAfter);
    }
}
