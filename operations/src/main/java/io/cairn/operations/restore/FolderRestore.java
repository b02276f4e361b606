package io.cairn.operations.restore;

import io.cairn.operations.disk.VmdkOutput;
import io.cairn.operations.job.Bytes;
import io.cairn.operations.job.Job;
import io.cairn.operations.roots.RestoreRoots;
import io.cairn.repository.Repository;
import io.cairn.repository.backup.RestoreDirectory;
import io.cairn.repository.backup.Restorer;
import io.cairn.repository.lock.Lock;
import io.cairn.vixmntbridge.vmdk.VmdkWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Restores a backup's disks (raw images or VMDKs of a chosen subformat) and configuration files
 * into a folder, as {@code cairn restore --to DIR} and the web UI's restore do, under a shared lock.
 * Where it may write is {@link RestoreRoots}' to say (the web UI: below an administrator's restore
 * roots; the command line: the directory given), never the repository or the state directory, and
 * never through a symbolic link ({@link RestoreDirectory}); names from the manifest are checked
 * before the target directory is even made.
 */
public final class FolderRestore {

    /**
     * @param backup a backup id (or a unique prefix of at least 4 digits) or {@code VMNAME@latest}
     * @param to the folder (created if missing, as {@link RestoreRoots#open} allows)
     * @param format {@link VmdkWriter.Format#RAW} or a VMDK subformat
     * @param onConflict what to do with a file that exists
     */
    public record Request(String backup, Path to, VmdkWriter.Format format, Restorer.Conflict onConflict) {
        public Request {
            Objects.requireNonNull(backup, "backup");
            Objects.requireNonNull(to, "to");
            format = format == null ? VmdkWriter.Format.RAW : format;
            onConflict = onConflict == null ? Restorer.Conflict.ABORT : onConflict;
        }
    }

    /** The files written (or kept) and how long it took. */
    public record Result(Repository.Listed backup, Path to, List<Restorer.Output> outputs, double seconds) {
        public Result {
            outputs = List.copyOf(outputs);
        }

        /** Bytes of the files written. */
        public long bytes() {
            return outputs.stream().mapToLong(Restorer.Output::bytes).sum();
        }

        /** {@code restored backup <id> of <vm> (64.0 MiB) in 0.4 s, 160.0 MiB/s}. */
        public String summary() {
            double secs = Math.max(seconds, 1e-3);
            return String.format(
                    Locale.ROOT,
                    "restored backup %s of %s (%s) in %.1f s, %s/s",
                    backup.ref().id(),
                    backup.manifest().vm().name(),
                    Bytes.human(bytes()),
                    seconds,
                    Bytes.human((long) (bytes() / secs)));
        }
    }

    private final Repository repo;
    private final int threads;
    private final Duration lockWait;
    private final String lockPurpose;
    private final RestoreRoots roots;

    /**
     * @param client who restores, for the lock's purpose ({@code restore (web UI)}), or null
     * @param roots where this restore may write
     */
    public FolderRestore(Repository repo, int threads, Duration lockWait, String client, RestoreRoots roots) {
        this.repo = repo;
        this.threads = threads;
        this.lockWait = lockWait;
        this.lockPurpose = client == null ? "restore" : "restore (" + client + ")";
        this.roots = java.util.Objects.requireNonNull(roots, "roots");
    }

    public Result run(Request r, Job job) throws IOException {
        try (Lock lock = repo.locks().acquireForReading(lockPurpose, lockWait)) {
            if (!lock.recorded()) {
                job.log("warning: the repository's filesystem is full, so this restore runs without a lock;"
                        + " do not run gc until it has finished");
            }
            Repository.Listed b = repo.resolve(r.backup());
            Restorer.checkNames(b.ref(), b.manifest());
            job.expect(
                    b.manifest().disks().stream().mapToLong(d -> d.capacity()).sum());
            long t0 = System.nanoTime();
            List<Restorer.Output> out;
            Path where;
            try (RestoreDirectory dir = roots.open(r.to())) {
                where = dir.path();
                out = new Restorer(repo, threads, job.progress())
                        .restore(
                                b.ref(),
                                b.manifest(),
                                dir,
                                r.onConflict(),
                                r.format() == VmdkWriter.Format.RAW ? null : new VmdkOutput(r.format()));
            }
            return new Result(b, where, out, (System.nanoTime() - t0) / 1e9);
        }
    }
}
