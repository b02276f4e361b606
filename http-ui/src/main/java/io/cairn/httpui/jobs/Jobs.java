package io.cairn.httpui.jobs;

import io.cairn.operations.disk.Vddk;
import io.cairn.operations.job.Job;
import io.cairn.operations.restore.AsNewRestore;
import io.cairn.operations.restore.FolderRestore;
import io.cairn.operations.restore.InPlaceRestore;
import io.cairn.operations.roots.RestoreRoots;
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
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The web UI's jobs: restores, scheduled backups and maintenance, each a {@link Job} others can
 * watch and cancel, run on a pool of its own kind ({@link Pool}) so that queued restores never make
 * a scheduled backup wait or skip, and the other way round. Each pool has a bounded queue: a job
 * that finds it full is refused ({@link QueueFullException}) instead of piling up.
 *
 * <p>Every job has an owner: the user who started it, or null for the scheduler's own runs. The web
 * layer shows a job's details and lets it be cancelled by its owner and by administrators.
 *
 * <p>Memory is bounded: at most {@link #MAX_JOBS} jobs are listed (the oldest finished ones go
 * first), and a job that finished is kept as it would be read back from the history, with the last
 * {@link JobHistory#LOG_LINES} lines of its log and its final event, not its whole event list.
 */
public final class Jobs implements AutoCloseable {
    /** Which pool a job runs on: one per kind of work, each with its threads and a bounded queue. */
    public enum Pool {
        /** Restores to a folder and onto vSphere. */
        RESTORE(2, 8),
        /** Scheduled backups (and their "run now"). */
        BACKUP(2, 16),
        /** check, prune, gc: one at a time (gc wants the repository to itself anyway). */
        MAINTENANCE(1, 4);

        final int threads;
        final int queue;

        Pool(int threads, int queue) {
            this.threads = threads;
            this.queue = queue;
        }

        /** How the refusal names the pool's jobs. */
        String jobs() {
            return switch (this) {
                case RESTORE -> "restores";
                case BACKUP -> "scheduled backups";
                case MAINTENANCE -> "maintenance jobs";
            };
        }
    }

    /** At most this many jobs stay listed: the oldest finished ones go first (a running job never does). */
    static final int MAX_JOBS = 1000;

    private final Repository repo;
    private final int threads;
    private final Map<Pool, ThreadPoolExecutor> pools = new EnumMap<>(Pool.class);
    private final Map<String, Job> jobs = new ConcurrentHashMap<>();
    private final Map<String, String> owners = new ConcurrentHashMap<>();
    private final Map<String, Job.Event> lastEvents = new ConcurrentHashMap<>();
    private final JobHistory history;

    private final List<Runnable> afterEach = new java.util.concurrent.CopyOnWriteArrayList<>();

    public Jobs(Repository repo, int threads) {
        this(repo, threads, null, m -> {});
    }

    /**
     * Jobs whose finished ones are kept in {@code <stateDir>/jobs.jsonl} and listed again after a
     * restart (null: in memory only).
     */
    public Jobs(Repository repo, int threads, Path stateDir, Consumer<String> warn) {
        this.repo = repo;
        this.threads = threads;
        this.history = stateDir == null ? null : new JobHistory(stateDir, warn);
        if (history != null) {
            for (JobHistory.Entry e : history.load()) {
                Job j = e.job();
                jobs.put(j.id(), j);
                if (e.owner() != null) {
                    owners.put(j.id(), e.owner());
                }
                List<Job.Event> ev = j.eventsAfter(0);
                if (!ev.isEmpty()) {
                    lastEvents.put(j.id(), ev.get(ev.size() - 1));
                }
            }
        }
        for (Pool p : Pool.values()) {
            ThreadPoolExecutor ex = new ThreadPoolExecutor(
                    p.threads, p.threads, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(p.queue), r -> {
                        Thread t = new Thread(r, "cairn-job-" + p.name().toLowerCase(java.util.Locale.ROOT));
                        t.setDaemon(true);
                        return t;
                    });
            pools.put(p, ex);
        }
    }

    public Job get(String id) {
        return jobs.get(id);
    }

    /** Who started the job: a user name, or null for the scheduler (and for jobs of an older history). */
    public String owner(String id) {
        return owners.get(id);
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
     * @param roots where it may write (the administrator's restore roots as they were when it was asked for)
     * @param owner the user who asked for it
     * @param done called with the finished job (for the audit log)
     * @throws QueueFullException when the restores' queue is full
     */
    public Job restore(
            Repository.Listed b,
            Path to,
            String format,
            Restorer.Conflict conflict,
            RestoreRoots roots,
            String owner,
            Consumer<Job> done)
            throws QueueFullException {
        VmdkWriter.Format fmt = VmdkWriter.Format.fromCliName(format);
        return queue(
                "restore",
                b.ref().id(),
                owner,
                Pool.RESTORE,
                done,
                (job, progress) -> new FolderRestore(repo, threads, Duration.ZERO, "web UI", roots)
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
     * @param owner the user who asked for it
     * @param done called with the finished job (for the audit log)
     * @throws QueueFullException when the restores' queue is full
     */
    public Job vsphereRestore(
            Repository.Listed b,
            String target,
            VsphereConnector connector,
            io.cairn.vsphere.restore.VmRestore.AsNew asNew,
            boolean force,
            String owner,
            Consumer<Job> done)
            throws QueueFullException {
        return vsphereRestore(b, target, connector, () -> null, asNew, force, Transport.HTTPS, null, owner, done);
    }

    /**
     * As {@link #vsphereRestore(Repository.Listed, String, VsphereConnector,
     * io.cairn.vsphere.restore.VmRestore.AsNew, boolean, String, Consumer)}, over {@code transport}: https, or
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
            String owner,
            Consumer<Job> done)
            throws QueueFullException {
        return queue("restore-vm", target, owner, Pool.RESTORE, done, (job, progress) -> {
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

    private void trim() {
        if (jobs.size() <= MAX_JOBS) {
            return;
        }
        List<Job> finished =
                new ArrayList<>(jobs.values().stream().filter(Job::isFinished).toList());
        finished.sort(Comparator.comparing(Job::created));
        for (Job j : finished.subList(0, Math.min(finished.size(), jobs.size() - MAX_JOBS))) {
            jobs.remove(j.id());
            owners.remove(j.id());
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
     *
     * @param owner the user who started it, or null for the scheduler
     * @param done called with the finished job (for the audit log)
     * @throws QueueFullException when the pool's queue is full
     */
    public Job submit(String kind, String target, String owner, Pool pool, Consumer<Job> done, Work work)
            throws QueueFullException {
        return queue(kind, target, owner, pool, done, work);
    }

    /**
     * Runs {@code hook} when every job's work ends, before the job reads as finished (the catalog forgets
     * its listing there, so the backup a job just wrote is listed at once).
     */
    public void afterEach(Runnable hook) {
        afterEach.add(hook);
    }

    /** {@link #submit} without an owner (the scheduler's) or a callback, on the {@code pool}. */
    public Job submit(String kind, String target, Pool pool, Work work) throws QueueFullException {
        return queue(kind, target, null, pool, j -> {}, work);
    }

    /** Every job runs here: started unless cancelled while queued, finished once, whatever happens. */
    private Job queue(String kind, String target, String owner, Pool pool, Consumer<Job> done, Work work)
            throws QueueFullException {
        Job job = Job.create(kind, target);
        job.addListener(e -> lastEvents.put(job.id(), e));
        ThreadPoolExecutor ex = pools.get(pool);
        jobs.put(job.id(), job);
        if (owner != null) {
            owners.put(job.id(), owner);
        }
        try {
            ex.execute(() -> run(job, work, done));
        } catch (RejectedExecutionException full) {
            jobs.remove(job.id());
            owners.remove(job.id());
            lastEvents.remove(job.id());
            throw new QueueFullException(
                    pool.jobs(), ex.getActiveCount(), ex.getQueue().size());
        }
        return job;
    }

    private void run(Job job, Work work, Consumer<Job> done) {
        try {
            job.checkCancelled();
            job.start();
            String result = work.run(job, job.progress());
            afterEach.forEach(Runnable::run); // before the job reads as finished to anyone watching it
            job.succeed(result);
        } catch (Exception e) {
            afterEach.forEach(Runnable::run);
            if (job.cancelRequested()) {
                job.fail(new Job.CancelledException(job.id()));
            } else {
                job.fail(e.getMessage() == null ? new Exception(e.getClass().getSimpleName()) : e);
            }
        } catch (Error e) {
            // a StackOverflowError from a hostile guest's data, an OutOfMemoryError: the job failed, visibly
            afterEach.forEach(Runnable::run);
            job.fail(new Exception("internal error: " + e));
            throw e;
        } finally {
            if (history != null) {
                history.append(job, owners.get(job.id()));
            }
            if (job.isFinished()) {
                compact(job);
            }
            trim();
            done.accept(job);
        }
    }

    /**
     * Replaces a finished job by what the history keeps of it (the end of its log, one final event),
     * so the thousand jobs listed cannot hold a thousand full logs and event lists. Watchers of the
     * job itself (an event stream, the scheduler) keep their object until they let go of it.
     */
    private void compact(Job job) {
        Job.Record r = job.record();
        List<String> log = r.log();
        Job small = Job.restored(new Job.Record(
                r.id(),
                r.kind(),
                r.target(),
                r.state(),
                r.created(),
                r.started(),
                r.finished(),
                r.result(),
                r.phase(),
                r.done(),
                r.total(),
                r.jobDone(),
                r.jobTotal(),
                log.subList(Math.max(0, log.size() - JobHistory.LOG_LINES), log.size())));
        jobs.replace(job.id(), job, small);
    }

    @Override
    public void close() {
        for (Job j : jobs.values()) {
            if (!j.isFinished()) {
                j.cancel();
            }
        }
        for (ThreadPoolExecutor ex : pools.values()) {
            ex.shutdown();
        }
        for (ThreadPoolExecutor ex : pools.values()) {
            try {
                ex.awaitTermination(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
