package io.cairn.httpui.schedule;

import io.cairn.httpui.jobs.Jobs;
import io.cairn.httpui.jobs.QueueFullException;
import io.cairn.httpui.vcenter.VcenterConnections;
import io.cairn.operations.disk.Vddk;
import io.cairn.operations.job.Job;
import io.cairn.operations.roots.SourceRoots;
import io.cairn.repository.Repository;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Wakes at each minute, starts the backup job of every enabled schedule due since the last tick, at
 * most one running job per schedule. Runs missed while the server was down are logged, not replayed.
 * Time comes from a {@link Clock} (the server's local zone), so tests drive {@link #tick} directly.
 */
public final class Scheduler implements AutoCloseable {
    private final ScheduleStore store;
    private final Jobs jobs;
    private final ScheduledRun runner;
    private final Clock clock;
    private final Consumer<String> log;
    private final Map<String, Job> running = new ConcurrentHashMap<>();
    private ZonedDateTime lastTick;
    private Thread thread;
    private volatile boolean stopped;

    Scheduler(ScheduleStore store, Jobs jobs, ScheduledRun runner, Clock clock, Consumer<String> log) {
        this.store = store;
        this.jobs = jobs;
        this.runner = runner;
        this.clock = clock;
        this.log = log;
    }

    /**
     * The server's scheduler over {@code <stateDir>/schedules.json}, in the server's local time zone;
     * the caller starts it once the server listens and closes it before the jobs.
     *
     * @param vddk the server's VMware VDDK ({@code cairn serve --vddk DIR} or {@code VDDK_HOME}), kept
     *     for the server's lifetime
     * @param roots the administrator's source roots as they are now ({@code file:} sources run only below one)
     */
    public static Scheduler create(
            Repository repo,
            Jobs jobs,
            VcenterConnections vcenters,
            Path stateDir,
            int threads,
            Vddk vddk,
            Supplier<SourceRoots> roots,
            Consumer<String> log) {
        Clock clock = Clock.systemDefaultZone();
        return new Scheduler(
                new ScheduleStore(stateDir),
                jobs,
                new ScheduledRun(repo, vcenters, threads, clock.getZone(), vddk, roots),
                clock,
                log);
    }

    /** The schedules this scheduler runs. */
    public ScheduleStore store() {
        return store;
    }

    /** The clock (and so the time zone) schedules are read in. */
    public Clock clock() {
        return clock;
    }

    /** What a run of the schedule backs up, for people: a VM name, or a spec and its vCenter. */
    public String target(Schedule s) {
        return runner.target(s);
    }

    /**
     * A schedule as the dashboard shows it.
     *
     * @param nextRun null when disabled or broken
     * @param lastJob the latest job it started while this server runs, or null
     */
    public record Overview(Schedule schedule, String target, ZonedDateTime nextRun, Job lastJob) {}

    /**
     * Each schedule for the dashboard: what it backs up, its next run and how its last run ended.
     * An unreadable schedules file is an empty list here (the schedules page shows the error).
     */
    public List<Overview> overview() {
        List<Overview> out = new ArrayList<>();
        List<Schedule> all;
        try {
            all = store.list();
        } catch (IOException e) {
            return out;
        }
        ZonedDateTime now = ZonedDateTime.now(clock);
        for (Schedule s : all) {
            ZonedDateTime next = null;
            if (s.enabled()) {
                try {
                    next = Cron.parse(s.cron()).next(now);
                } catch (IllegalArgumentException e) {
                    // shown as no next run; the schedules page names the problem
                }
            }
            out.add(new Overview(s, runner.target(s), next, running.get(s.id())));
        }
        return out;
    }

    /** A VM's backup that failed in a schedule's last run. */
    public record VmFailure(String schedule, Instant finished, String reason) {}

    /**
     * By VM name, the latest failure of its backup among the schedules' last runs (a later
     * successful backup of the VM makes it history; the caller compares the times).
     */
    public Map<String, VmFailure> vmFailures() {
        Map<String, VmFailure> out = new java.util.HashMap<>();
        try {
            for (Schedule s : store.list()) {
                Schedule.Outcome o = s.lastOutcome();
                if (o == null || o.finished() == null) {
                    continue;
                }
                o.failedVms()
                        .forEach((vm, why) -> out.merge(
                                vm,
                                new VmFailure(s.name(), o.finished(), why),
                                (a, b) -> a.finished().isAfter(b.finished()) ? a : b));
            }
        } catch (IOException e) {
            // the schedules page shows the error
        }
        return out;
    }

    /** The latest job a schedule started, or null. */
    public Job lastJob(String scheduleId) {
        return running.get(scheduleId);
    }

    /** Logs the runs missed while the server was down, then starts the minute thread. */
    public synchronized void start() {
        ZonedDateTime now = ZonedDateTime.now(clock).truncatedTo(ChronoUnit.MINUTES);
        lastTick = now;
        try {
            for (Schedule s : store.list()) {
                Instant since = later(s.updated(), s.lastRun());
                if (!s.enabled() || since == null) {
                    continue;
                }
                try {
                    Cron c = Cron.parse(s.cron());
                    ZonedDateTime missed = c.next(since.atZone(clock.getZone()));
                    if (missed.isBefore(now)) {
                        log.accept("schedule '" + s.name() + "' (" + s.id() + ") missed its run at "
                                + missed.toOffsetDateTime() + " while the server was down; not replayed, next run at "
                                + c.next(now).toOffsetDateTime());
                    }
                } catch (IllegalArgumentException e) {
                    log.accept("schedule '" + s.name() + "' (" + s.id() + ") is broken: " + e.getMessage());
                }
            }
        } catch (IOException e) {
            log.accept("the schedules cannot be read: " + e.getMessage());
        }
        thread = new Thread(this::loop, "cairn-scheduler");
        thread.setDaemon(true);
        thread.start();
    }

    private static Instant later(Instant a, Instant b) {
        return a == null ? b : b == null ? a : a.isAfter(b) ? a : b;
    }

    private void loop() {
        while (!stopped) {
            long now = clock.millis();
            long sleep = 60_000 - now % 60_000 + 100; // just past the next minute
            try {
                Thread.sleep(sleep);
            } catch (InterruptedException e) {
                return;
            }
            if (stopped) {
                return;
            }
            try {
                tick(ZonedDateTime.now(clock));
            } catch (RuntimeException e) {
                log.accept("scheduler: " + e);
            }
        }
    }

    /**
     * Starts the jobs of schedules due in (last tick, now], now cut to the minute.
     *
     * @return the jobs started
     */
    synchronized List<Job> tick(ZonedDateTime now) {
        ZonedDateTime minute = now.truncatedTo(ChronoUnit.MINUTES);
        ZonedDateTime from = lastTick != null ? lastTick : minute.minusMinutes(1);
        List<Job> started = new ArrayList<>();
        if (!minute.isAfter(from)) {
            return started;
        }
        lastTick = minute;
        List<Schedule> all;
        try {
            all = store.list();
        } catch (IOException e) {
            log.accept("the schedules cannot be read: " + e.getMessage());
            return started;
        }
        for (Schedule s : all) {
            if (!s.enabled()) {
                continue;
            }
            ZonedDateTime due;
            try {
                due = Cron.parse(s.cron()).next(from);
            } catch (IllegalArgumentException e) {
                log.accept("schedule '" + s.name() + "' (" + s.id() + ") is broken: " + e.getMessage());
                continue;
            }
            if (due.isAfter(minute)) {
                continue;
            }
            Job prev = running.get(s.id());
            if (prev != null && !prev.isFinished()) {
                log.accept("schedule '" + s.name() + "' (" + s.id() + "): skipping the run at " + due.toOffsetDateTime()
                        + ", job " + prev.id() + " of the previous run is still "
                        + prev.state().name().toLowerCase(java.util.Locale.ROOT));
                continue;
            }
            try {
                started.add(launch(s, minute.toInstant(), null, j -> {}));
            } catch (QueueFullException e) {
                log.accept("schedule '" + s.name() + "' (" + s.id() + "): skipping the run at " + due.toOffsetDateTime()
                        + ": " + e.getMessage());
            }
        }
        return started;
    }

    /**
     * Starts a run of the schedule now (the "run now" button), unless its previous job still runs.
     *
     * @param owner the user who asked for it (they may follow and cancel it)
     * @param done called with the finished job (for the audit log)
     * @return the job, or null when the previous one is still running
     * @throws QueueFullException when the scheduled backups' queue is full
     */
    public synchronized Job runNow(Schedule s, String owner, Consumer<Job> done) throws QueueFullException {
        Job prev = running.get(s.id());
        if (prev != null && !prev.isFinished()) {
            return null;
        }
        return launch(s, clock.instant(), owner, done);
    }

    private Job launch(Schedule s, Instant at, String owner, Consumer<Job> done) throws QueueFullException {
        Job j = jobs.submit(
                "backup",
                runner.target(s) + " (schedule " + s.name() + ")",
                owner,
                Jobs.Pool.BACKUP,
                done,
                (job, progress) -> runner.run(s, job, progress));
        running.put(s.id(), j);
        // Recorded once, by the final event or here if the job ended before the listener was added.
        java.util.concurrent.atomic.AtomicBoolean recorded = new java.util.concurrent.atomic.AtomicBoolean();
        Runnable record = () -> {
            if (j.isFinished() && recorded.compareAndSet(false, true)) {
                try {
                    store.markOutcome(
                            s.id(),
                            new Schedule.Outcome(j.state().name(), j.finished(), j.result(), runner.failedVms(j.id())));
                } catch (IOException ex) {
                    log.accept("schedule '" + s.name() + "': cannot record how its run ended: " + ex.getMessage());
                }
            }
        };
        j.addListener(e -> record.run());
        record.run();
        try {
            store.markRun(s.id(), at);
        } catch (IOException e) {
            log.accept("schedule '" + s.name() + "': cannot record its run: " + e.getMessage());
        }
        return j;
    }

    @Override
    public void close() {
        stopped = true;
        Thread t = thread;
        if (t != null) {
            t.interrupt();
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
