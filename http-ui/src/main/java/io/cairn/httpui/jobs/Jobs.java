package io.cairn.httpui.jobs;

import io.cairn.repository.Repository;
import io.cairn.repository.backup.DiskOutput;
import io.cairn.repository.backup.Progress;
import io.cairn.repository.backup.Restorer;
import io.cairn.repository.job.Job;
import io.cairn.repository.lock.Lock;
import io.cairn.vixmntbridge.vmdk.VmdkWriter;
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
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/** The web UI's jobs: restores run on a small executor, each one a {@link Job} others can watch and cancel. */
public final class Jobs implements AutoCloseable {
    private final Repository repo;
    private final int threads;
    private final ExecutorService executor;
    private final Map<String, Job> jobs = new ConcurrentHashMap<>();
    private final AtomicLong next = new AtomicLong();
    private final Map<String, Job.Event> lastEvents = new ConcurrentHashMap<>();

    public Jobs(Repository repo, int threads) {
        this.repo = repo;
        this.threads = threads;
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

    /** Thrown into the restore engine's progress calls once its job was cancelled. */
    private static final class Cancelled extends RuntimeException {
        Cancelled() {
            super("cancelled", null, false, false);
        }
    }

    /**
     * Queues a restore of a backup's disks and files into {@code to}.
     *
     * @param done called with the finished job (for the audit log)
     */
    public Job restore(Repository.Listed b, Path to, String format, Restorer.Conflict conflict, Consumer<Job> done) {
        VmdkWriter.Format fmt = VmdkWriter.Format.fromCliName(format);
        DiskOutput output = fmt == VmdkWriter.Format.RAW ? null : new io.cairn.vixmntbridge.engine.VmdkOutput(fmt);
        Job job = new Job(Long.toString(next.incrementAndGet()), "restore", b.ref().id());
        jobs.put(job.id(), job);
        job.addListener(e -> lastEvents.put(job.id(), e));
        executor.execute(() -> {
            try {
                if (job.cancelRequested()) {
                    throw new Job.CancelledException(job.id());
                }
                job.start();
                Progress p = job.progress();
                Progress checked = new Progress() {
                    @Override
                    public void begin(String phase, long totalBytes) {
                        if (job.cancelRequested()) {
                            throw new Cancelled();
                        }
                        p.begin(phase, totalBytes);
                    }

                    @Override
                    public void advance(long bytes) {
                        if (job.cancelRequested()) {
                            throw new Cancelled();
                        }
                        p.advance(bytes);
                    }

                    @Override
                    public void end() {
                        p.end();
                    }
                };
                long bytes = 0;
                int n = 0;
                try (Lock lock = repo.locks().acquireForReading("restore (web UI)", Duration.ZERO)) {
                    for (Restorer.Output o : new Restorer(repo, threads, checked).restore(b.ref(), b.manifest(), to, conflict, output)) {
                        bytes += o.bytes();
                        n++;
                    }
                }
                job.succeed("restored " + n + " files (" + bytes + " bytes) of backup " + b.ref().id() + " into " + to);
            } catch (Cancelled e) {
                job.fail(new Job.CancelledException(job.id()));
            } catch (Exception e) {
                if (job.cancelRequested()) {
                    job.fail(new Job.CancelledException(job.id()));
                } else {
                    job.fail(e.getMessage() == null ? new Exception(e.getClass().getSimpleName()) : e);
                }
            } finally {
                done.accept(job);
            }
        });
        return job;
    }

    /** The job's latest event (its rate), or null before it started. */
    public Job.Event lastEvent(String id) {
        return lastEvents.get(id);
    }

    /** Asks a job to stop; a queued job never starts. */
    public void cancel(Job j) {
        j.cancel();
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
