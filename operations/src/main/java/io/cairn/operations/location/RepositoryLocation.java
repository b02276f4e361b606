package io.cairn.operations.location;

import io.cairn.repository.Repository;
import io.cairn.repository.RepositoryConfig;
import io.cairn.repository.error.NotARepositoryException;
import io.cairn.repository.error.RepositoryException;
import io.cairn.repository.format.FormatConstants;
import io.cairn.repository.index.Chunker;
import io.cairn.repository.store.LocalStore;
import io.cairn.repository.store.Store;
import io.cairn.s3.S3Location;
import io.cairn.s3.S3Settings;
import io.cairn.s3.S3Store;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where a repository is: a directory ({@code /srv/repo}) or a bucket of an object store
 * ({@code s3://BUCKET/PREFIX}). {@link #parse} reads what {@code --repo} says; {@link #init} creates
 * a repository there and {@link #open} opens one, so that every command and the web UI open
 * repositories the same way.
 */
public sealed interface RepositoryLocation permits RepositoryLocation.Directory, RepositoryLocation.Bucket {

    /**
     * What {@code --repo} names: an {@code s3://} location (reached with {@code s3} and the
     * environment {@code env}) or a directory.
     */
    static RepositoryLocation parse(String repo, ObjectStoreOptions s3, Map<String, String> env) throws IOException {
        if (repo == null || repo.isBlank()) {
            throw new IllegalArgumentException("Missing required option: '--repo=DIR|s3://BUCKET/PREFIX'");
        }
        if (S3Location.names(repo)) {
            return new Bucket(S3Location.parse(repo), s3.settings(env));
        }
        if (repo.contains("://")) {
            throw new IllegalArgumentException(
                    "'" + repo + "' is neither a directory nor an s3://BUCKET/PREFIX location");
        }
        return new Directory(Path.of(repo).toAbsolutePath().normalize());
    }

    /** {@code /srv/repo} or {@code s3://bucket/prefix}: what the user named, for messages and mounts. */
    String describe();

    /** Worker threads when the user gave none: one per core on a disk, more on an object store. */
    int defaultThreads(int cores);

    /** The store of an existing location (a directory that exists, a bucket that answers). */
    Store store() throws IOException;

    /**
     * Creates a repository here: in a new or empty directory, or under an empty prefix of a bucket
     * (created when missing, with Object Lock when {@code objectLock} asks for it).
     *
     * @param version the repository format: 2 (content-defined chunks averaging {@code chunkSize}, the
     *     default) or 1 (fixed chunks of {@code chunkSize}, for cairn versions before format 2)
     */
    Repository init(
            int chunkSize, int compressionLevel, char[] password, RepositoryConfig.ObjectLock objectLock, int version)
            throws IOException;

    /** The chunker a repository of format {@code version} is made with (null: fixed chunks, format 1). */
    static Chunker.Params chunker(int version, int chunkSize) {
        return switch (version) {
            case 1 -> null;
            case 2 -> Chunker.Params.forAverage(chunkSize);
            default -> throw new IllegalArgumentException("--format takes 1 or 2, not " + version);
        };
    }

    /** Opens the repository here; asks {@code passwords} only when it is encrypted. */
    default Repository open(Repository.PasswordSource passwords) throws IOException {
        return opened(Repository.open(store(), passwords));
    }

    /** What a location must do once a repository is open (the object store's retention). */
    default Repository opened(Repository r) {
        return r;
    }

    /** A repository in a local directory. */
    record Directory(Path dir) implements RepositoryLocation {
        @Override
        public String describe() {
            return dir.toString();
        }

        @Override
        public int defaultThreads(int cores) {
            return cores;
        }

        @Override
        public Store store() throws IOException {
            if (!Files.exists(dir)) {
                throw new NotARepositoryException("repository " + dir + " does not exist");
            }
            if (!Files.isDirectory(dir)) {
                throw new NotARepositoryException("repository " + dir + " is not a directory");
            }
            return new LocalStore(dir);
        }

        @Override
        public Repository init(
                int chunkSize,
                int compressionLevel,
                char[] password,
                RepositoryConfig.ObjectLock objectLock,
                int version)
                throws IOException {
            Chunker.Params chunker = RepositoryLocation.chunker(version, chunkSize);
            if (objectLock != null) {
                throw new IllegalArgumentException(
                        "--object-lock needs an object store with S3 Object Lock (--repo s3://BUCKET/PREFIX)");
            }
            if (Files.exists(dir)) {
                if (!Files.isDirectory(dir)) {
                    throw new RepositoryException(dir + " exists and is not a directory");
                }
                if (Files.exists(dir.resolve(FormatConstants.KEY_CONFIG))) {
                    throw new RepositoryException(dir + " is already a cairn repository");
                }
                try (var s = Files.list(dir)) {
                    if (s.findAny().isPresent()) {
                        throw new RepositoryException(dir + " is not empty; a repository needs a directory of its own");
                    }
                }
            }
            Files.createDirectories(dir);
            return Repository.init(new LocalStore(dir), chunkSize, compressionLevel, password, chunker, null);
        }
    }

    /** A repository under a prefix of an S3 bucket. */
    record Bucket(S3Location location, S3Settings settings) implements RepositoryLocation {
        /**
         * Object stores answer each request after a round trip: more requests in flight keep the
         * pipe full while hashing and compression wait for the CPU.
         */
        public static final int MIN_THREADS = 8;

        @Override
        public String describe() {
            return location.toString();
        }

        @Override
        public int defaultThreads(int cores) {
            return Math.max(cores, MIN_THREADS);
        }

        @Override
        public S3Store store() throws IOException {
            S3Store s = S3Store.connect(location, settings);
            try {
                s.checkBucket();
            } catch (IOException e) {
                s.close();
                throw e;
            }
            return s;
        }

        @Override
        public Repository opened(Repository r) {
            if (r.store() instanceof S3Store s) {
                s.retain(r.config().objectLock());
            }
            return r;
        }

        @Override
        public Repository init(
                int chunkSize,
                int compressionLevel,
                char[] password,
                RepositoryConfig.ObjectLock objectLock,
                int version)
                throws IOException {
            Chunker.Params chunker = RepositoryLocation.chunker(version, chunkSize);
            S3Store s = S3Store.connect(location, settings);
            try {
                if (!s.bucketExists()) {
                    s.createBucket(objectLock != null);
                } else if (objectLock != null && !s.objectLockEnabled()) {
                    throw new RepositoryException("bucket " + location.bucket() + " at "
                            + settings.endpoints().get(0)
                            + " has no Object Lock, which can only be enabled when a bucket is created:"
                            + " name a new bucket and cairn init creates it with Object Lock");
                }
                if (s.stat(FormatConstants.KEY_CONFIG).isPresent()) {
                    throw new RepositoryException(location + " is already a cairn repository");
                }
                boolean[] any = {false};
                s.list("", o -> any[0] = true);
                if (any[0]) {
                    throw new RepositoryException(location + " is not empty; a repository needs a prefix of its own");
                }
                s.retain(objectLock);
                return Repository.init(s, chunkSize, compressionLevel, password, chunker, objectLock);
            } catch (IOException | RuntimeException e) {
                s.close();
                throw e;
            }
        }
    }
}
