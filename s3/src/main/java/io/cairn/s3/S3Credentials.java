package io.cairn.s3;

import io.cairn.repository.error.RepositoryException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

/**
 * An S3 access key and its secret: from the environment ({@code AWS_ACCESS_KEY_ID},
 * {@code AWS_SECRET_ACCESS_KEY}) or from a file in the AWS shared-credentials format, never from the
 * command line. {@link #toString()} never shows the secret.
 */
public record S3Credentials(String accessKeyId, String secretAccessKey) {
    /** A credentials file is a few lines; anything larger is not one. */
    static final int MAX_FILE = 64 * 1024;

    public S3Credentials {
        if (accessKeyId == null || accessKeyId.isBlank() || secretAccessKey == null || secretAccessKey.isBlank()) {
            throw new IllegalArgumentException("an S3 access key needs both its id and its secret");
        }
    }

    /** From {@code AWS_ACCESS_KEY_ID} and {@code AWS_SECRET_ACCESS_KEY}. */
    public static S3Credentials fromEnvironment(Map<String, String> env) throws RepositoryException {
        String id = env.get("AWS_ACCESS_KEY_ID");
        String secret = env.get("AWS_SECRET_ACCESS_KEY");
        if (id == null || id.isBlank() || secret == null || secret.isBlank()) {
            throw new RepositoryException("an S3 repository needs credentials: set AWS_ACCESS_KEY_ID and"
                    + " AWS_SECRET_ACCESS_KEY, or give --s3-credentials FILE");
        }
        return new S3Credentials(id.trim(), secret.trim());
    }

    /**
     * From a file in the AWS shared-credentials format ({@code [default]} then
     * {@code aws_access_key_id = …} and {@code aws_secret_access_key = …}); {@code profile} picks the
     * section, {@code null} means {@code AWS_PROFILE} or else {@code default}.
     */
    public static S3Credentials fromFile(Path file, String profile) throws IOException {
        String want = profile != null ? profile : "default";
        String text;
        try {
            if (Files.size(file) > MAX_FILE) {
                throw new RepositoryException(
                        "credentials file " + file + " is larger than " + MAX_FILE + " bytes: not a credentials file");
            }
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new RepositoryException("credentials file " + file + " does not exist");
        }
        String section = null;
        String id = null;
        String secret = null;
        for (String raw : text.split("\r?\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            if (line.startsWith("[") && line.endsWith("]")) {
                section = line.substring(1, line.length() - 1).strip();
                if (section.startsWith("profile ")) {
                    section = section.substring("profile ".length()).strip();
                }
                continue;
            }
            int eq = line.indexOf('=');
            if (eq < 0 || !want.equals(section)) {
                continue;
            }
            String k = line.substring(0, eq).strip().toLowerCase(java.util.Locale.ROOT);
            String v = line.substring(eq + 1).strip();
            if (k.equals("aws_access_key_id")) {
                id = v;
            } else if (k.equals("aws_secret_access_key")) {
                secret = v;
            }
        }
        if (id == null || id.isEmpty() || secret == null || secret.isEmpty()) {
            throw new RepositoryException("credentials file " + file + " has no aws_access_key_id and"
                    + " aws_secret_access_key in its [" + want + "] section");
        }
        return new S3Credentials(id, secret);
    }

    @Override
    public String toString() {
        return "S3Credentials[" + accessKeyId + ", secret hidden]";
    }
}
