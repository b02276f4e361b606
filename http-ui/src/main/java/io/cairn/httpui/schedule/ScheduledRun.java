package io.cairn.httpui.schedule;

import io.cairn.repository.Repository;
import io.cairn.repository.backup.BackupRequest;
import io.cairn.repository.backup.BackupWriter;
import io.cairn.repository.backup.FileDiskSource;
import io.cairn.repository.backup.Progress;
import io.cairn.repository.job.Job;
import io.cairn.repository.lock.Lock;
import io.cairn.repository.maintenance.RetentionPolicy;
import io.cairn.repository.manifest.Manifest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * One run of a schedule: the backup, as {@code cairn backup --vm file:PATH} makes it (same VM name and
 * identity, so CLI and scheduled backups of one image are one VM), then the schedule's retention over
 * that VM's backups only, under the same lock the Pruner takes.
 */
final class ScheduledRun {
    /** A scheduled run waits this long for a running gc or prune instead of failing at once. */
    static final Duration LOCK_WAIT = Duration.ofMinutes(10);

    private final Repository repo;
    private final int threads;
    private final ZoneId zone;

    ScheduledRun(Repository repo, int threads, ZoneId zone) {
        this.repo = repo;
        this.threads = threads;
        this.zone = zone;
    }

    /** The VM name a file source gets: its file name without the extension, as in the CLI. */
    static String vmName(String source) {
        String file = Path.of(source.substring("file:".length())).getFileName().toString();
        int dot = file.lastIndexOf('.');
        return dot > 0 ? file.substring(0, dot) : file;
    }

    static String identity(String vmName) {
        return UUID.nameUUIDFromBytes(("cairn:file-vm:" + vmName).getBytes(StandardCharsets.UTF_8)).toString();
    }

    String run(Schedule s, Job job, Progress progress) throws IOException {
        Path path = Path.of(s.source().substring("file:".length()));
        if (!Files.exists(path)) {
            throw new NoSuchFileException("schedule '" + s.name() + "': the source " + path + " does not exist");
        }
        String vm = vmName(s.source());
        String identity = identity(vm);
        job.log("schedule '" + s.name() + "' (" + s.cron() + "): backing up " + s.source() + " as VM '" + vm + "'");
        BackupWriter.Result res;
        try (FileDiskSource src = FileDiskSource.open(path)) {
            BackupRequest req = new BackupRequest(new Manifest.VmIdentity(identity, vm, null, null), "file:" + path.toAbsolutePath(),
                    Map.of("schedule", s.name()), null, null, List.of(BackupRequest.DiskInput.full(src)), List.of(), null);
            res = new BackupWriter(repo, threads, progress, LOCK_WAIT).write(req);
        }
        String summary = "backup " + res.ref().id() + " of " + vm + " (" + res.manifest().logicalBytes() + " bytes)";
        job.log(summary);
        if (s.retention() != null) {
            job.checkCancelled();
            summary += "; " + prune(identity, s.retention(), job);
        }
        return summary;
    }

    /** The Pruner's rules for one VM: manifests of backups the policy does not keep are deleted. */
    private String prune(String identity, RetentionPolicy policy, Job job) throws IOException {
        job.phase("retention", 0);
        try (Lock lock = repo.locks().acquire(false, "prune (schedule)", LOCK_WAIT)) {
            List<Repository.Listed> mine = new ArrayList<>();
            for (Repository.Listed l : repo.backups()) {
                if (l.manifest().vm().identity().equals(identity)) {
                    mine.add(l);
                }
            }
            Map<String, List<String>> kept = policy.apply(mine.stream()
                    .map(l -> new RetentionPolicy.Item(l.ref().id(), l.manifest().instant())).toList(), zone);
            int removed = 0;
            for (Repository.Listed l : mine) {
                List<String> why = kept.get(l.ref().id());
                if (why == null) {
                    lock.checkHeld();
                    repo.deleteBackup(l.ref());
                    removed++;
                    job.log("retention: removed backup " + l.ref().id() + " of " + l.manifest().time());
                } else {
                    job.log("retention: keep backup " + l.ref().id() + " of " + l.manifest().time() + " (" + String.join(", ", why) + ")");
                }
            }
            return "retention kept " + (mine.size() - removed) + ", removed " + removed
                    + (removed > 0 ? " (gc frees their space)" : "");
        }
    }
}
