package io.cairn.httpui.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cairn.httpui.audit.AuditLog;
import io.cairn.httpui.auth.Role;
import io.cairn.httpui.auth.Sessions;
import io.cairn.httpui.http.Api;
import io.cairn.httpui.http.ApiException;
import io.cairn.httpui.http.Authorization;
import io.cairn.httpui.jobs.Jobs;
import io.cairn.operations.job.Job;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The job list ({@code GET /jobs}: the newest 200), one job ({@code GET /jobs/{id}}), its progress as
 * server-sent events ({@code GET /jobs/{id}/events}, resumed after {@code Last-Event-ID}) and
 * cancelling it ({@code POST /jobs/{id}/cancel}, operator).
 *
 * <p>Who sees what: a job's details (what it works on, its phase, its result, its event stream)
 * are for the user who started it and for administrators; everyone else sees its summary (kind,
 * state, times and bytes: enough to see that the appliance is busy, nothing of what with). Jobs the
 * scheduler started have no owner, so their details are the administrators'. An operator cancels
 * only their own jobs, an administrator any.
 */
final class JobController {
    /** A page of the job list, not the appliance's whole history. */
    static final int LIST_LIMIT = 200;

    /**
     * How long a stream waits for an event before it checks its session and sends a comment line
     * (which also keeps proxies from closing an idle stream).
     */
    private static final long IDLE_SECONDS = 5;

    /** Live events buffered per stream; a stream that falls further behind reads the job's own list instead. */
    static final int STREAM_QUEUE = 256;

    /** How often an open stream checks that its session still lives (it ends with it). */
    private static final long SESSION_CHECK_NANOS = TimeUnit.SECONDS.toNanos(IDLE_SECONDS);

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Jobs jobs;
    private final AuditLog audit;
    private final Sessions sessions;
    private final EventStreams streams;

    JobController(Jobs jobs, AuditLog audit, Sessions sessions, EventStreams streams) {
        this.jobs = jobs;
        this.audit = audit;
        this.sessions = sessions;
        this.streams = streams;
    }

    /** The newest {@code limit} jobs as {@code s} may see them, newest first. */
    List<JobView> newest(int limit, Sessions.Session s) {
        List<JobView> out = new ArrayList<>();
        for (Job j : jobs.list()) {
            if (out.size() == limit) {
                break;
            }
            out.add(view(j, s));
        }
        return out;
    }

    void list(Context ctx) {
        Api.json(ctx, 200, newest(LIST_LIMIT, Authorization.session(ctx)));
    }

    void get(Context ctx) {
        Api.json(ctx, 200, view(job(ctx), Authorization.session(ctx)));
    }

    void cancel(Context ctx) {
        Sessions.Session s = Authorization.session(ctx);
        Job j = job(ctx);
        if (!mayDetail(s, j)) {
            throw new ApiException(403, "only the user who started this job, or an administrator, may cancel it");
        }
        jobs.cancel(j);
        audit.record(s.user(), ctx.ip(), "job-cancel", null, j.kind() + " " + j.id() + ": " + j.target(), null, "ok");
        Api.json(ctx, 202, view(j, s));
    }

    /** What starting a job answers (202). */
    record Started(String job) {}

    /** Answers 202 with the started job's id. */
    static void started(Context ctx, Job j) {
        Api.json(ctx, 202, new Started(j.id()));
    }

    /** Whether {@code s} may see the job's details and cancel it: its owner, or an administrator. */
    private boolean mayDetail(Sessions.Session s, Job j) {
        return s.role() == Role.ADMIN || s.user().equals(jobs.owner(j.id()));
    }

    private JobView view(Job j, Sessions.Session s) {
        JobView full = JobView.of(j, jobs.lastEvent(j.id()), jobs.owner(j.id()));
        return mayDetail(s, j) ? full.cancellable(s.role().includes(Role.OPERATOR)) : full.summary();
    }

    private Job job(Context ctx) {
        Job j = jobs.get(ctx.pathParam("id"));
        if (j == null) {
            throw ApiException.notFound("no such job");
        }
        return j;
    }

    private static boolean isFinal(Job.State s) {
        return s == Job.State.SUCCEEDED || s == Job.State.FAILED || s == Job.State.CANCELLED;
    }

    /**
     * Server-sent events: every event after Last-Event-ID, then live ones, until the job's final state
     * (a job that has finished sends its final event at once). Only for those who may see the job's
     * details; capped per session and in all ({@link EventStreams}); ends with its session.
     */
    void events(Context ctx) throws IOException {
        Sessions.Session s = Authorization.session(ctx);
        Job j = job(ctx);
        if (!mayDetail(s, j)) {
            throw new ApiException(403, "only the user who started this job, or an administrator, may follow it");
        }
        long after = 0;
        String lastId = ctx.header("Last-Event-ID");
        if (lastId != null) {
            try {
                after = Long.parseLong(lastId.trim());
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("Last-Event-ID must be a number");
            }
        }
        String refused = streams.tryOpen(s.user());
        if (refused != null) {
            throw new ApiException(429, refused);
        }
        try {
            stream(ctx, s, j, after);
        } finally {
            streams.close(s.user());
        }
    }

    private void stream(Context ctx, Sessions.Session s, Job j, long after) throws IOException {
        BlockingQueue<Job.Event> queue = new ArrayBlockingQueue<>(STREAM_QUEUE);
        AtomicBoolean behind = new AtomicBoolean();
        Consumer<Job.Event> listener = e -> {
            if (!queue.offer(e)) {
                behind.set(true); // dropped: the loop reads what it missed from the job's own list
            }
        };
        j.addListener(listener);
        ctx.status(200);
        ctx.header("Content-Type", "text/event-stream; charset=utf-8");
        ctx.header("Cache-Control", "no-store");
        ctx.header("X-Accel-Buffering", "no");
        OutputStream out = ctx.res().getOutputStream();
        try {
            List<Job.Event> pending = new ArrayList<>(j.eventsAfter(after));
            if (pending.isEmpty() && j.isFinished()) {
                // a finished job kept in short form has only its final event, maybe numbered below Last-Event-ID
                List<Job.Event> all = j.eventsAfter(0);
                if (!all.isEmpty()) {
                    write(out, all.get(all.size() - 1));
                }
                out.flush();
                return;
            }
            long nextCheck = System.nanoTime() + SESSION_CHECK_NANOS;
            while (true) {
                if (System.nanoTime() - nextCheck > 0) {
                    if (!sessions.isLive(s.id())) {
                        return; // logged out, expired, or ended by a change of the account
                    }
                    nextCheck = System.nanoTime() + SESSION_CHECK_NANOS;
                }
                for (Job.Event e : pending) {
                    if (e.seq() <= after) {
                        continue;
                    }
                    after = e.seq();
                    write(out, e);
                    if (isFinal(e.state())) {
                        out.flush();
                        return;
                    }
                }
                out.flush();
                pending.clear();
                Job.Event e = queue.poll(IDLE_SECONDS, TimeUnit.SECONDS);
                if (behind.getAndSet(false)) {
                    queue.clear();
                    pending.addAll(j.eventsAfter(after));
                    continue;
                }
                if (e == null) {
                    if (j.isFinished() && j.eventsAfter(after).isEmpty()) {
                        return; // nothing more will come
                    }
                    out.write(": keep-alive\n\n".getBytes(StandardCharsets.UTF_8));
                    continue;
                }
                pending.add(e);
                queue.drainTo(pending);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // the browser went away; the job goes on
        } finally {
            j.removeListener(listener);
        }
    }

    private static void write(OutputStream out, Job.Event e) throws IOException {
        String data = JSON.writeValueAsString(JobView.Event.of(e));
        out.write(("id: " + e.seq() + "\nevent: progress\ndata: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
    }
}
