package io.cairn.operations.job;

import io.cairn.repository.backup.Progress;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One long operation (a backup of a VM, a restore, a check) as others see it: its state, the phase
 * it is in, bytes done of bytes expected, the rate, a log, and a stream of {@link Event}s that
 * the CLI prints and the web UI pushes to browsers. Cancellation is cooperative: {@link #cancel}
 * sets a flag that the work checks with {@link #checkCancelled} between steps, so cleanup
 * (deleting a snapshot, removing a half-written backup) still runs.
 *
 * <p>Thread-safe: workers report progress from many threads.
 *
 * <p>A job's id is 64 random bits from {@link SecureRandom} (16 hex digits): it names the vCenter
 * snapshots its backup or restore takes ({@code cairn-backup-<id>}), which must not collide with
 * another cairn's (another process, another appliance, the same one after a restart), and a
 * job's URL in the web UI must not be guessable from another's.
 */
public final class Job {

    public enum State {
        QUEUED,
        RUNNING,
        SUCCEEDED,
        FAILED,
        CANCELLED
    }

    /**
     * A change of a job, numbered so a listener that reconnects can ask for what it missed.
     *
     * @param done bytes of the current phase so far
     * @param total bytes of the current phase, 0 when unknown
     * @param bytesPerSecond average over the current phase
     * @param jobDone bytes of the whole job so far (every phase)
     * @param jobTotal bytes the whole job moves, when announced with {@link #expect}, else 0
     */
    public record Event(
            String jobId,
            long seq,
            Instant time,
            State state,
            String phase,
            long done,
            long total,
            double bytesPerSecond,
            String message,
            long jobDone,
            long jobTotal) {}

    /** Thrown by {@link #checkCancelled} once the job was asked to stop. */
    public static final class CancelledException extends java.io.IOException {
        public CancelledException(String jobId) {
            super("job " + jobId + " was cancelled");
        }
    }

    private static final int MAX_LOG = 10_000;
    private static final long EVENT_INTERVAL_NANOS = 250_000_000L;

    private final String id;
    private final String kind;
    private final String target;
    private final Instant created;
    private final List<Consumer<Event>> listeners = new CopyOnWriteArrayList<>();
    private final List<String> log = new ArrayList<>();
    private final List<Event> history = new ArrayList<>();
    private final AtomicLong done = new AtomicLong();
    private final AtomicLong jobDone = new AtomicLong();
    private volatile long jobTotal;
    private final AtomicLong seq = new AtomicLong();

    private volatile State state = State.QUEUED;
    private volatile String phase = "";
    private volatile long total;
    private volatile long phaseStarted = System.nanoTime();
    private volatile long lastEvent;
    private volatile boolean cancelRequested;
    private volatile String result;
    private volatile Instant started;
    private volatile Instant finished;

    private static final SecureRandom IDS = new SecureRandom();

    /** A new job, queued, with a fresh random id. */
    public static Job create(String kind, String target) {
        return new Job(newId(), kind, target);
    }

    /** 64 random bits as 16 lower-case hex digits. */
    static String newId() {
        byte[] b = new byte[8];
        IDS.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** A job with a given id: tests only, and {@link #restored}; everything else uses {@link #create}. */
    Job(String id, String kind, String target) {
        this(id, kind, target, Instant.now());
    }

    private Job(String id, String kind, String target, Instant created) {
        this.id = id;
        this.kind = kind;
        this.target = target;
        this.created = created;
    }

    /** What a finished job leaves for a job history: everything but its listeners and events. */
    public record Record(
            String id,
            String kind,
            String target,
            State state,
            Instant created,
            Instant started,
            Instant finished,
            String result,
            String phase,
            long done,
            long total,
            long jobDone,
            long jobTotal,
            List<String> log) {}

    /** This job as a {@link Record} (for a finished job). */
    public synchronized Record record() {
        return new Record(
                id,
                kind,
                target,
                state,
                created,
                started,
                finished,
                result,
                phase,
                done.get(),
                total,
                jobDone.get(),
                jobTotal,
                List.copyOf(log));
    }

    /**
     * A finished job read back from a job history (after a restart): final, with its log and one
     * final event, so a client asking for its events gets the end at once.
     */
    public static Job restored(Record r) {
        if (r.state() != State.SUCCEEDED && r.state() != State.FAILED && r.state() != State.CANCELLED) {
            throw new IllegalArgumentException("job " + r.id() + " is not finished (" + r.state() + ")");
        }
        Job j = new Job(r.id(), r.kind(), r.target(), r.created());
        j.started = r.started();
        j.finished = r.finished();
        j.result = r.result();
        j.phase = r.phase() == null ? "" : r.phase();
        j.done.set(r.done());
        j.total = r.total();
        j.jobDone.set(r.jobDone());
        j.jobTotal = r.jobTotal();
        j.log.addAll(r.log() == null ? List.of() : r.log());
        if (r.started() != null && r.finished() != null) {
            // the final event's rate: the job's bytes over its run time, not over the instant of reading it back
            j.phaseStarted = System.nanoTime()
                    - java.time.Duration.between(r.started(), r.finished()).toNanos();
        }
        j.state = r.state();
        j.emit(r.result(), true);
        return j;
    }

    public String id() {
        return id;
    }

    /** What kind of work: "backup", "restore", "check", … */
    public String kind() {
        return kind;
    }

    /** What it works on: a VM, a backup id, a repository. */
    public String target() {
        return target;
    }

    public State state() {
        return state;
    }

    public String phase() {
        return phase;
    }

    public long done() {
        return done.get();
    }

    public long total() {
        return total;
    }

    public Instant created() {
        return created;
    }

    public Instant started() {
        return started;
    }

    public Instant finished() {
        return finished;
    }

    /** The one-line summary of a finished job, or the error of a failed one. */
    public String result() {
        return result;
    }

    public boolean isFinished() {
        State s = state;
        return s == State.SUCCEEDED || s == State.FAILED || s == State.CANCELLED;
    }

    public void addListener(Consumer<Event> l) {
        listeners.add(l);
    }

    public void removeListener(Consumer<Event> l) {
        listeners.remove(l);
    }

    /** Events with a sequence number greater than {@code afterSeq}, oldest first. */
    public synchronized List<Event> eventsAfter(long afterSeq) {
        List<Event> out = new ArrayList<>();
        for (Event e : history) {
            if (e.seq() > afterSeq) {
                out.add(e);
            }
        }
        return out;
    }

    public synchronized List<String> log() {
        return List.copyOf(log);
    }

    public void start() {
        started = Instant.now();
        state = State.RUNNING;
        emit("started", true);
    }

    /** A new phase ("snapshot", "disk 1 of 2: web01.vmdk", "delete snapshot"); total 0 when unknown. */
    public void phase(String name, long totalBytes) {
        phase = name;
        total = totalBytes;
        done.set(0);
        phaseStarted = System.nanoTime();
        log(name);
        emit(null, true);
    }

    /**
     * Announces the bytes the whole job will move (a restore: the sum of its disks), so progress
     * and the time left can be shown for the job rather than for one disk at a time.
     */
    public void expect(long totalBytes) {
        jobTotal = totalBytes;
    }

    public long jobDone() {
        return jobDone.get();
    }

    /** See {@link #expect}; 0 when not announced. */
    public long jobTotal() {
        return jobTotal;
    }

    public void advance(long bytes) {
        done.addAndGet(bytes);
        jobDone.addAndGet(bytes);
        long now = System.nanoTime();
        if (now - lastEvent >= EVENT_INTERVAL_NANOS) {
            emit(null, false);
        }
    }

    /** A line for the job's log (also sent as an event). */
    public void log(String line) {
        synchronized (this) {
            if (log.size() < MAX_LOG) {
                log.add(Instant.now() + " " + line);
            }
        }
        emit(line, true);
    }

    public void succeed(String summary) {
        result = summary;
        finished = Instant.now();
        state = State.SUCCEEDED;
        emit(summary, true);
    }

    public void fail(Throwable error) {
        result = error.getMessage() == null ? error.toString() : error.getMessage();
        finished = Instant.now();
        state = error instanceof CancelledException ? State.CANCELLED : State.FAILED;
        emit(result, true);
    }

    /** Asks the job to stop at its next check; cleanup still runs. */
    public void cancel() {
        cancelRequested = true;
        log("cancel requested");
    }

    public boolean cancelRequested() {
        return cancelRequested;
    }

    public void checkCancelled() throws CancelledException {
        if (cancelRequested) {
            throw new CancelledException(id);
        }
    }

    /**
     * Thrown by {@link #progress()}'s calls once a cancel was requested. Unchecked because the
     * engines report progress from deep inside their copy loops: it unwinds them through their
     * {@code finally} blocks (temporary files removed, snapshots deleted, locks released).
     */
    public static final class Stopped extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Stopped(String jobId) {
            super("job " + jobId + " was cancelled", null, false, false);
        }
    }

    /**
     * This job as a {@link Progress}, for the backup and restore engines; its {@code begin} and
     * {@code advance} throw {@link Stopped} once the job is cancelled, so long copies stop within
     * one chunk instead of running to their end.
     */
    public Progress progress() {
        return new Progress() {
            @Override
            public void begin(String name, long totalBytes) {
                stopIfCancelled();
                phase(name, totalBytes);
            }

            @Override
            public void advance(long bytes) {
                stopIfCancelled();
                Job.this.advance(bytes);
            }

            @Override
            public void end() {
                emit(null, true);
            }
        };
    }

    private void stopIfCancelled() {
        if (cancelRequested) {
            throw new Stopped(id);
        }
    }

    private void emit(String message, boolean always) {
        long now = System.nanoTime();
        if (!always && now - lastEvent < EVENT_INTERVAL_NANOS) {
            return;
        }
        lastEvent = now;
        double secs = Math.max(1e-3, (now - phaseStarted) / 1e9);
        long d = done.get();
        Event e;
        synchronized (this) {
            e = new Event(
                    id,
                    seq.incrementAndGet(),
                    Instant.now(),
                    state,
                    phase,
                    d,
                    total,
                    d / secs,
                    message,
                    jobDone.get(),
                    jobTotal);
            history.add(e);
            if (history.size() > 2 * MAX_LOG) {
                history.subList(0, MAX_LOG).clear();
            }
        }
        for (Consumer<Event> l : listeners) {
            try {
                l.accept(e);
            } catch (RuntimeException ignored) {
                // a broken listener (a browser that went away) must not break the job
            }
        }
    }
}
