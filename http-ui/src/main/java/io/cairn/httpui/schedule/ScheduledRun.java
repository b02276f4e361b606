package io.cairn.httpui.schedule;

import io.cairn.httpui.vcenter.VcenterConnections;
import io.cairn.operations.backup.BackupResult;
import io.cairn.operations.backup.FileBackup;
import io.cairn.operations.backup.VcenterBackup;
import io.cairn.operations.disk.Vddk;
import io.cairn.operations.job.Job;
import io.cairn.operations.maintenance.Prune;
import io.cairn.operations.roots.SourceRoots;
import io.cairn.repository.Repository;
import io.cairn.repository.backup.Progress;
import io.cairn.vsphere.connect.Credentials;
import io.cairn.vsphere.connect.VsphereConnection;
import io.cairn.vsphere.connect.VsphereException;
import io.cairn.vsphere.inventory.VmInfo;
import io.cairn.vsphere.inventory.VmSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Map;
import java.util.function.Supplier;

/**
 * One run of a schedule through the operations layer, the CLI's use cases: {@link FileBackup} or
 * {@link VcenterBackup}, then the schedule's retention over the backed-up VMs' backups only
 * ({@link Prune#vm}, under the lock the Pruner takes).
 *
 * <ul>
 *   <li>A file source (a raw image, a VMDK of any subformat, a {@code .vmx} with its disks) is backed
 *       up as {@code cairn backup --vm file:PATH} does it (same VM name and identity, so CLI and
 *       scheduled backups of one file are one VM).
 *   <li>A vCenter source logs in with the saved connection, selects the VMs of its spec afresh
 *       (templates skipped) and backs them up one after the other as {@code cairn backup --vc}
 *       does (snapshot, disks over https or the chosen VDDK transport, snapshot removed). A VDDK
 *       transport needs the server's VDDK; without one the run fails in one line before any
 *       snapshot. A VM that fails does not stop the others; the run fails at the end naming each
 *       failed VM, and retention is applied only to the VMs whose backup succeeded, so a failing VM
 *       never loses its older backups.
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
    private final Vddk vddk;
    private final Supplier<SourceRoots> roots;

    /**
     * @param vddk the server's VMware VDDK for the VDDK transports ({@code cairn serve --vddk DIR} or
     *     {@code VDDK_HOME}), loaded once for the server's lifetime; null: one per run from
     *     {@code VDDK_HOME}
     * @param roots the source roots as they are when a run starts: a file source, and every file it
     *     leads to, is read only below them
     */
    ScheduledRun(
            Repository repo,
            VcenterConnections vcenters,
            int threads,
            ZoneId zone,
            Vddk vddk,
            Supplier<SourceRoots> roots) {
        this.repo = repo;
        this.vcenters = vcenters;
        this.threads = threads;
        this.zone = zone;
        this.vddk = vddk;
        this.roots = roots;
    }

    /** What the job list and the schedules page show as the run's target. */
    String target(Schedule s) {
        if (s.source() instanceof Source.VcenterVms v) {
            return v.spec() + " on " + vcenters.name(v.vcenter()).orElse("a deleted vCenter connection");
        }
        return ((Source.File) s.source()).vmName(roots.get());
    }

    String run(Schedule s, Job job, Progress progress) throws IOException {
        if (s.source() instanceof Source.VcenterVms v) {
            return runVcenter(s, v, job);
        }
        Source.File f = (Source.File) s.source();
        try {
            return runFile(s, f, job);
        } catch (IOException | RuntimeException e) {
            if (!job.cancelRequested()) {
                failed(job).put(f.vmName(roots.get()), oneLine(e));
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

    private String runFile(Schedule s, Source.File f, Job job) throws IOException {
        Path path = f.path();
        SourceRoots allowed = roots.get();
        allowed.check(path.toString()); // the roots may have changed since the schedule was saved
        if (!Files.exists(path)) {
            throw new NoSuchFileException("schedule '" + s.name() + "': the source " + path + " does not exist");
        }
        job.log("schedule '" + s.name() + "' (" + s.cron() + "): backing up file:" + path + " as VM '"
                + f.vmName(allowed) + "'");
        BackupResult res = new FileBackup(repo, threads, LOCK_WAIT, allowed)
                .run(FileBackup.Request.of(path, Map.of("schedule", s.name())), job);
        String summary = res.summary();
        job.log(summary);
        if (s.retention() != null) {
            job.checkCancelled();
            summary += "; "
                    + new Prune(repo, LOCK_WAIT, zone)
                            .vm(
                                    res.manifest().vm().identity(),
                                    res.manifest().vm().name(),
                                    s.retention(),
                                    job)
                            .summary();
        }
        return summary;
    }

    private String runVcenter(Schedule s, Source.VcenterVms v, Job job) throws IOException {
        String vc = vcenters.name(v.vcenter())
                .orElseThrow(() -> new VsphereException("schedule '" + s.name()
                        + "': its vCenter connection was deleted; edit the schedule and choose another one"));
        VmSpec spec = VmSpec.parse(v.spec());
        job.log("schedule '" + s.name() + "' (" + s.cron() + "): backing up the VMs " + v.spec() + " selects on " + vc
                + (v.transport().needsVddk() ? " over " + v.transport().cliName() : ""));
        job.phase("log in to " + vc, 0);
        VcenterBackup.Request request = new VcenterBackup.Request(
                spec,
                v.quiesce(),
                v.enableCbt(),
                Map.of("schedule", s.name()),
                v.transport(),
                vddk,
                1,
                1,
                s.retention(),
                vc);
        // a VDDK transport logs in again for each disk, with the saved password; https needs none of it
        Credentials login = v.transport().needsVddk() ? vcenters.credentials(v.vcenter()) : null;
        try (VsphereConnection c = vcenters.open(v.vcenter())) {
            VcenterBackup.Result res = new VcenterBackup(repo, threads, LOCK_WAIT, zone)
                    .run(c, login, request, new VcenterBackup.Listener() {
                        @Override
                        public void note(String line) {
                            job.log(line);
                        }

                        @Override
                        public Job jobFor(int index, int count, VmInfo vm) {
                            job.log("VM " + (index + 1) + " of " + count + ": " + vm.name());
                            return job;
                        }

                        @Override
                        public void done(VcenterBackup.VmOutcome o) {
                            if (o.ok()) {
                                job.log(o.line());
                            } else {
                                job.log("error: " + o.line());
                                failed(job).put(o.vm().name(), o.error());
                            }
                        }
                    });
            if (res.failure() != null) {
                throw new IOException(res.failure());
            }
            return res.summary();
        } finally {
            if (login != null) {
                java.util.Arrays.fill(login.password(), '\0');
            }
        }
    }
}
