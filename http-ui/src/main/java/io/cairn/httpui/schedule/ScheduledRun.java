package io.cairn.httpui.schedule;

import io.cairn.httpui.vcenter.VcenterConnections;
import io.cairn.operations.backup.VmBackup;
import io.cairn.operations.disk.FileDiskSource;
import io.cairn.operations.job.Job;
import io.cairn.repository.Repository;
import io.cairn.repository.backup.BackupRequest;
import io.cairn.repository.backup.BackupWriter;
import io.cairn.repository.backup.Progress;
import io.cairn.repository.lock.Lock;
import io.cairn.repository.maintenance.RetentionPolicy;
import io.cairn.repository.manifest.Manifest;
import io.cairn.vsphere.connect.VsphereConnection;
import io.cairn.vsphere.connect.VsphereException;
import io.cairn.vsphere.inventory.Inventory;
import io.cairn.vsphere.inventory.VmInfo;
import io.cairn.vsphere.inventory.VmSpec;
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
 * One run of a schedule, then the schedule's retention over the backed-up VMs' backups only, under
 * the same lock the Pruner takes.
 *
 * <ul>
 *   <li>A file source is backed up as {@code cairn backup --vm file:PATH} does it (same VM name and
 *       identity, so CLI and scheduled backups of one image are one VM).
 *   <li>A vCenter source logs in with the saved connection, selects the VMs of its spec afresh
 *       (templates skipped) and backs them up one after the other as {@code cairn backup --vc}
 *       does (snapshot, disks over https, snapshot removed). A VM that fails does not stop the
 *       others; the run fails at the end naming each failed VM, and retention is applied only to
 *       the VMs whose backup succeeded, so a failing VM never loses its older backups.
 * </ul>
 */
final class ScheduledRun {
    /** A scheduled run waits this long for a running gc or prune instead of failing at once. */
    static final Duration LOCK_WAIT = Duration.ofMinutes(10);

    private final Repository repo;
    private final VcenterConnections vcenters;
    /** Per job: the VMs whose backup failed (name to reason), read once by the scheduler when the job ends. */
    private final Map<String, Map<String, String>> failures = new java.util.concurrent.ConcurrentHashMap<>();

    private final int threads;
    private final ZoneId zone;

    ScheduledRun(Repository repo, VcenterConnections vcenters, int threads, ZoneId zone) {
        this.repo = repo;
        this.vcenters = vcenters;
        this.threads = threads;
        this.zone = zone;
    }

    static String identity(String vmName) {
        return UUID.nameUUIDFromBytes(("cairn:file-vm:" + vmName).getBytes(StandardCharsets.UTF_8))
                .toString();
    }

    /** What the job list and the schedules page show as the run's target. */
    String target(Schedule s) {
        if (s.source() instanceof Source.VcenterVms v) {
            return v.spec() + " on " + vcenters.name(v.vcenter()).orElse("a deleted vCenter connection");
        }
        return ((Source.ImageFile) s.source()).vmName();
    }

    String run(Schedule s, Job job, Progress progress) throws IOException {
        if (s.source() instanceof Source.VcenterVms v) {
            return runVcenter(s, v, job);
        }
        Source.ImageFile f = (Source.ImageFile) s.source();
        try {
            return runFile(s, f, job, progress);
        } catch (IOException | RuntimeException e) {
            if (!job.cancelRequested()) {
                failed(job).put(f.vmName(), oneLine(e));
            }
            throw e;
        }
    }

    /** The VMs whose backup failed in that job (name to reason), forgotten once read. */
    Map<String, String> failedVms(String jobId) {
        Map<String, String> m = failures.remove(jobId);
        return m == null ? Map.of() : m;
    }

    private Map<String, String> failed(Job job) {
        return failures.computeIfAbsent(job.id(), k -> new java.util.concurrent.ConcurrentHashMap<>());
    }

    private static String oneLine(Throwable e) {
        return e.getMessage() == null
                ? e.getClass().getSimpleName()
                : e.getMessage().lines().findFirst().orElse("");
    }

    private String runFile(Schedule s, Source.ImageFile f, Job job, Progress progress) throws IOException {
        Path path = f.path();
        if (!Files.exists(path)) {
            throw new NoSuchFileException("schedule '" + s.name() + "': the source " + path + " does not exist");
        }
        String vm = f.vmName();
        String identity = identity(vm);
        job.expect(Files.size(path));
        job.log("schedule '" + s.name() + "' (" + s.cron() + "): backing up file:" + path + " as VM '" + vm + "'");
        BackupWriter.Result res;
        try (FileDiskSource src = FileDiskSource.open(path)) {
            BackupRequest req = new BackupRequest(
                    new Manifest.VmIdentity(identity, vm, null, null),
                    "file:" + path.toAbsolutePath(),
                    Map.of("schedule", s.name()),
                    null,
                    null,
                    List.of(BackupRequest.DiskInput.full(src)),
                    List.of(),
                    null);
            res = new BackupWriter(repo, threads, progress, LOCK_WAIT).write(req);
        }
        String summary =
                "backup " + res.ref().id() + " of " + vm + " (" + res.manifest().logicalBytes() + " bytes)";
        job.log(summary);
        if (s.retention() != null) {
            job.checkCancelled();
            summary += "; " + prune(identity, vm, s.retention(), job);
        }
        return summary;
    }

    private String runVcenter(Schedule s, Source.VcenterVms v, Job job) throws IOException {
        String vc = vcenters.name(v.vcenter())
                .orElseThrow(() -> new VsphereException("schedule '" + s.name()
                        + "': its vCenter connection was deleted; edit the schedule and choose another one"));
        VmSpec spec = VmSpec.parse(v.spec());
        job.log("schedule '" + s.name() + "' (" + s.cron() + "): backing up the VMs " + v.spec() + " selects on " + vc);
        job.phase("log in to " + vc, 0);
        try (VsphereConnection c = vcenters.open(v.vcenter())) {
            List<VmInfo> selected = new ArrayList<>();
            for (VmInfo vm : spec.select(Inventory.vms(c))) {
                if (Boolean.TRUE.equals(vm.template())) {
                    job.log("skipping template " + vm.name());
                } else {
                    selected.add(vm);
                }
            }
            if (selected.isEmpty()) {
                throw new VsphereException("no VM matches " + v.spec() + " on " + vc);
            }
            VmBackup.Options opts = new VmBackup.Options(
                    v.quiesce(), v.enableCbt(), threads, LOCK_WAIT, Map.of("schedule", s.name()), null);
            List<String> done = new ArrayList<>();
            List<String> failed = new ArrayList<>();
            for (int i = 0; i < selected.size(); i++) {
                VmInfo vm = selected.get(i);
                job.checkCancelled();
                job.log("VM " + (i + 1) + " of " + selected.size() + ": " + vm.name());
                BackupWriter.Result res;
                try {
                    res = new VmBackup(c, repo, opts, job).run(vm);
                } catch (IOException | RuntimeException e) {
                    if (job.cancelRequested()) {
                        throw e;
                    }
                    String why = oneLine(e);
                    job.log("error: " + vm.name() + ": " + why);
                    failed.add(vm.name() + ": " + why);
                    failed(job).put(vm.name(), why);
                    continue;
                }
                String line = vm.name() + ": backup " + res.ref().id() + " ("
                        + res.manifest().logicalBytes() + " bytes)";
                job.log(line);
                if (s.retention() != null) {
                    job.checkCancelled();
                    line += ", " + prune(res.manifest().vm().identity(), vm.name(), s.retention(), job);
                }
                done.add(line);
            }
            if (!failed.isEmpty()) {
                throw new IOException(
                        failed.size() + " of " + selected.size() + " VM backups failed: " + String.join("; ", failed)
                                + (done.isEmpty() ? "" : " (backed up: " + String.join("; ", done) + ")"));
            }
            return String.join("; ", done);
        }
    }

    /** The Pruner's rules for one VM: manifests of backups the policy does not keep are deleted. */
    private String prune(String identity, String vm, RetentionPolicy policy, Job job) throws IOException {
        job.phase("retention for " + vm, 0);
        try (Lock lock = repo.locks().acquire(false, "prune (schedule)", LOCK_WAIT)) {
            List<Repository.Listed> mine = new ArrayList<>();
            for (Repository.Listed l : repo.backups()) {
                if (l.manifest().vm().identity().equals(identity)) {
                    mine.add(l);
                }
            }
            Map<String, List<String>> kept = policy.apply(
                    mine.stream()
                            .map(l -> new RetentionPolicy.Item(
                                    l.ref().id(), l.manifest().instant()))
                            .toList(),
                    zone);
            int removed = 0;
            for (Repository.Listed l : mine) {
                List<String> why = kept.get(l.ref().id());
                if (why == null) {
                    lock.checkHeld();
                    repo.deleteBackup(l.ref());
                    removed++;
                    job.log("retention: removed backup " + l.ref().id() + " of "
                            + l.manifest().time());
                } else {
                    job.log("retention: keep backup " + l.ref().id() + " of "
                            + l.manifest().time() + " (" + String.join(", ", why) + ")");
                }
            }
            return "retention kept " + (mine.size() - removed) + ", removed " + removed
                    + (removed > 0 ? " (gc frees their space)" : "");
        }
    }
}
