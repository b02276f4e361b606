package io.cairn.httpui.jobs;

import io.cairn.operations.disk.Vddk;
import io.cairn.operations.job.Job;
import io.cairn.operations.restore.AsNewRestore;
import io.cairn.operations.restore.FolderRestore;
import io.cairn.operations.restore.InPlaceRestore;
import io.cairn.repository.Repository;
import io.cairn.repository.backup.Progress;
import io.cairn.repository.backup.Restorer;
import io.cairn.vixmntbridge.vddk.Transport;
import io.cairn.vixmntbridge.vmdk.VmdkWriter;
import io.cairn.vsphere.connect.Credentials;
import io.cairn.vsphere.connect.VsphereConnection;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** The web UI's jobs: restores run on a small executor, each one a {@link Job} others can watch and cancel. */
public final class Jobs implements AutoCloseable {
    private final Repository repo;
    private final int threads;
    private final ExecutorService executor;
    private final Map<String, Job> jobs = new ConcurrentHashMap<>();
    private final Map<String, Job.Event> lastEvents = new ConcurrentHashMap<>();
    private final JobHistory history;

    public Jobs(Repository repo, int threads) {
        this(repo, threads, null, m -> {});
    }

    /**
     * Jobs whose finished ones are kept in {@code <stateDir>/jobs.jsonl} and listed again after a
     * restart (null: in memory only).
     */
    public Jobs(Repository repo, int threads, java.nio.file.Path stateDir, Consumer<String> warn) {
        this.repo = repo;
        this.threads = threads;
        this.history = stateDir == null ? null : new JobHistory(stateDir, warn);
        if (history != null) {
            for (Job j : history.load()) {
                jobs.put(j.id(), j);
                List<Job.Event> ev = j.eventsAfter(0);
                if (!ev.isEmpty()) {
                    lastEvents.put(j.id(), ev.get(ev.size() - 1));
                }
            }
        }
        this.executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "cairn-job");
            t.setDaemon(true);
            return t;
        });
    }

    public Job get(String id) {
        return jobs.get(id);
    }

    /** All jobs, newest first. */
    public List<Job> list() {
        List<Job> l = new ArrayList<>(jobs.values());
        l.sort(Comparator.comparing(Job::created).thenComparing(Job::id).reversed());
        return l;
    }

    /**
     * Queues a restore of a backup's disks and files into {@code to} ({@link FolderRestore}).
     *
     * @param done called with the finished job (for the audit log)
     */
    public Job restore(Repository.Listed b, Path to, String format, Restorer.Conflict conflict, Consumer<Job> done) {
        VmdkWriter.Format fmt = VmdkWriter.Format.fromCliName(format);
        return queue(
                "restore",
                b.ref().id(),
                done,
                (job, progress) -> new FolderRestore(repo, threads, Duration.ZERO, "web UI")
                                .run(new FolderRestore.Request(b.ref().id(), to, fmt, conflict), job)
                                .summary()
                        + " into " + to);
    }

    /** Opens the vSphere connection a restore job writes through (inside the job, so a slow login does not hold the request). */
    @FunctionalInterface
    public interface VsphereConnector {
        VsphereConnection connect() throws java.io.IOException;
    }

    /** The saved login of the connection, for a VDDK transport (VixDiskLib logs in again per disk). */
    @FunctionalInterface
    public interface Login {
        Credentials credentials() throws java.io.IOException;
    }

    /**
     * Queues a restore of a backup onto vSphere over the https transport: re-created as a new VM
     * ({@code asNew} given: {@link AsNewRestore}) or written back into the existing VM ({@code asNew}
     * null: {@link InPlaceRestore}, {@code force} powers it off).
     *
     * @param target what the job list shows (the VM name)
     * @param done called with the finished job (for the audit log)
     */
    public Job vsphereRestore(
            Repository.Listed b,
            String target,
            VsphereConnector connector,
            io.cairn.vsphere.restore.VmRestore.AsNew asNew,
            boolean force,
            Consumer<Job> done) {
        return vsphereRestore(b, target, connector, () -> null, asNew, force, Transport.HTTPS, null, done);
    }

    /**
     * As {@link #vsphereRestore(Repository.Listed, String, VsphereConnector,
     * io.cairn.vsphere.restore.VmRestore.AsNew, boolean, Consumer)}, over {@code transport}: https, or
     * a VDDK transport through the server's {@code vddk} with the connection's saved {@code login}.
     */
    public Job vsphereRestore(
            Repository.Listed b,
            String target,
            VsphereConnector connector,
            Login login,
            io.cairn.vsphere.restore.VmRestore.AsNew asNew,
            boolean force,
            Transport transport,
            Vddk vddk,
            Consumer<Job> done) {
        return queue("restore-vm", target, done, (job, progress) -> {
            Credentials credentials = transport.needsVddk() ? login.credentials() : null;
            try (VsphereConnection c = connector.connect()) {
                return asNew != null
                        ? new AsNewRestore(repo, threads, Duration.ZERO, "web UI")
                                .run(c, credentials, b.ref().id(), asNew, transport, vddk, job)
                                .summary()
                        : new InPlaceRestore(repo, threads, Duration.ZERO, "web UI")
                                .run(
                                        c,
                                        credentials,
                                        new InPlaceRestore.Request(b.ref().id(), force, transport, vddk),
                                        job)
                                .summary();
            }
        });
    }

    /** The job's latest event (its rate), or null before it started. */
    public Job.Event lastEvent(String id) {
        return lastEvents.get(id);
    }

    /** Asks a job to stop; a queued job never starts. */
    public void cancel(Job j) {
        j.cancel();
    }

    /** At most {@link #MAX_JOBS} jobs stay listed: the oldest finished ones go first (a running job never does). */
    static final int MAX_JOBS = 1000;

    private void trim() {
        if (jobs.size() <= MAX_JOBS) {
            return;
        }
        List<Job> finished =
                new ArrayList<>(jobs.values().stream().filter(Job::isFinished).toList());
        finished.sort(Comparator.comparing(Job::created));
        for (Job j : finished.subList(0, Math.min(finished.size(), jobs.size() - MAX_JOBS))) {
            jobs.remove(j.id());
            lastEvents.remove(j.id());
        }
    }

    /** The work of a job queued with {@link #submit}: runs once, returns the job's one-line result. */
    @FunctionalInterface
    public interface Work {
        String run(Job job, Progress progress) throws Exception;
    }

    /**
     * Queues any work (maintenance, a scheduled backup) as a job in this list. The work reports
     * through {@code progress} (the job's own: it stops the work with {@link Job.Stopped} once the
     * job is cancelled) and may call {@link Job#checkCancelled} between steps; a result from a
     * failed run belongs in an exception.
     */
    public Job submit(String kind, String target, Work work) {
        return queue(kind, target, j -> {}, work);
    }

    /** Every job runs here: started unless cancelled while queued, finished once, whatever happens. */
    private Job queue(String kind, String target, Consumer<Job> done, Work work) {
        Job job = Job.create(kind, target);
        jobs.put(job.id(), job);
        job.addListener(e -> lastEvents.put(job.id(), e));
        executor.execute(() -> {
            try {
                job.checkCancelled();
                job.start();
                job.succeed(work.run(job, job.progress()));
            } catch (Exception e) {
                if (job.cancelRequested()) {
                    job.fail(new Job.CancelledException(job.id()));
                } else {
                    job.fail(e.getMessage() == null ? new Exception(e.getClass().getSimpleName()) : e);
                }
            } finally {
                if (history != null) {
                    history.append(job);
                }
                trim();
                done.accept(job);
            }
        });
        return job;
    }

    @Override
    public void close() {
        for (Job j : jobs.values()) {
            if (!j.isFinished()) {
                j.cancel();
            }
        }
        executor.shutdown();
        try {
            executor.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
