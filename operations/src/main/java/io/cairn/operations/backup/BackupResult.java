package io.cairn.operations.backup;

import io.cairn.operations.job.Bytes;
import io.cairn.repository.backup.BackupWriter;
import io.cairn.repository.manifest.Manifest;
import java.util.Locale;

/**
 * A committed backup of one VM and how long it took.
 *
 * @param backup what the backup engine wrote (its id and manifest)
 * @param seconds wall time from opening the sources to the commit
 */
public record BackupResult(BackupWriter.Result backup, double seconds) {

    public String id() {
        return backup.ref().id();
    }

    public Manifest manifest() {
        return backup.manifest();
    }

    /**
     * The one line a finished backup reports: {@code backup <id> of <vm>: 64.0 MiB disk, 64 of 64
     * chunks read, 12 new (12.0 MiB, 3.1 MiB stored), 0.8 s, 80.0 MiB/s} (disks and configuration
     * files counted when there are several or any).
     */
    public String summary() {
        long cap = 0;
        long chunks = 0;
        long read = 0;
        long fresh = 0;
        long freshBytes = 0;
        long stored = 0;
        Manifest m = backup.manifest();
        for (Manifest.DiskEntry d : m.disks()) {
            cap += d.capacity();
            chunks += d.stats().chunks();
            read += d.stats().readChunks();
            fresh += d.stats().newChunks();
            freshBytes += d.stats().newBytes();
            stored += d.stats().storedBytes();
        }
        int n = m.disks().size();
        double secs = Math.max(seconds, 1e-3);
        return String.format(
                Locale.ROOT,
                "backup %s of %s: %s%s, %d of %d chunks read, %d new (%s, %s stored)%s, %.1f s, %s/s",
                backup.ref().id(),
                m.vm().name(),
                n == 1 ? "" : n + " disks, ",
                Bytes.human(cap) + (n == 1 ? " disk" : ""),
                read,
                chunks,
                fresh,
                Bytes.human(freshBytes),
                Bytes.human(stored),
                m.files().isEmpty() ? "" : ", " + m.files().size() + " configuration files",
                secs,
                Bytes.human((long) (cap / secs)));
    }
}
