package io.cairn.httpui.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cairn.httpui.http.Api;
import io.cairn.httpui.http.ApiException;
import io.cairn.httpui.jobs.Jobs;
import io.cairn.operations.job.Job;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The job list ({@code GET /jobs}: the newest 200), one job ({@code GET /jobs/{id}}), its progress as
 * server-sent events ({@code GET /jobs/{id}/events}, resumed after {@code Last-Event-ID}) and
 * cancelling it ({@code POST /jobs/{id}/cancel}, operator).
 */
final class JobController {
    /** A page of the job list, not the appliance's whole history. */
    static final int LIST_LIMIT = 200;

    /** A comment line this often keeps proxies from closing an idle event stream. */
    private static final long KEEP_ALIVE_SECONDS = 15;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Jobs jobs;

    JobController(Jobs jobs) {
        this.jobs = jobs;
    }

    /** The newest {@code limit} jobs, newest first. */
    List<JobView> newest(int limit) {
        List<JobView> out = new ArrayList<>();
        for (Job j : jobs.list()) {
            if (out.size() == limit) {
                break;
            }
            out.add(view(j));
        }
        return out;
    }

    void list(Context ctx) {
        Api.json(ctx, 200, newest(LIST_LIMIT));
    }

    void get(Context ctx) {
        Api.json(ctx, 200, view(job(ctx)));
    }

    void cancel(Context ctx) {
        Job j = job(ctx);
        jobs.cancel(j);
        Api.json(ctx, 202, view(j));
    }

    /** What starting a job answers (202). */
    record Started(String job) {}

    /** Answers 202 with the started job's id. */
    static void started(Context ctx, Job j) {
        Api.json(ctx, 202, new Started(j.id()));
    }

    private JobView view(Job j) {
        return JobView.of(j, jobs.lastEvent(j.id()));
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

    /** Server-sent events: every event after Last-Event-ID, then live ones, until the job's final state. */
    void events(Context ctx) throws IOException {
        Job j = job(ctx);
        long after = 0;
        String lastId = ctx.header("Last-Event-ID");
        if (lastId != null) {
            try {
                after = Long.parseLong(lastId.trim());
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("Last-Event-ID must be a number");
            }
        }
        BlockingQueue<Job.Event> queue = new LinkedBlockingQueue<>();
        Consumer<Job.Event> listener = queue::offer;
        j.addListener(listener);
        ctx.status(200);
        ctx.header("Content-Type", "text/event-stream; charset=utf-8");
        ctx.header("Cache-Control", "no-store");
        ctx.header("X-Accel-Buffering", "no");
        OutputStream out = ctx.res().getOutputStream();
        try {
            List<Job.Event> pending = new ArrayList<>(j.eventsAfter(after));
            boolean finished = false;
            while (!finished) {
                for (Job.Event e : pending) {
                    if (e.seq() <= after) {
                        continue;
                    }
                    after = e.seq();
                    String data = JSON.writeValueAsString(JobView.Event.of(e));
                    out.write(("id: " + e.seq() + "\nevent: progress\ndata: " + data + "\n\n")
                            .getBytes(StandardCharsets.UTF_8));
                    if (isFinal(e.state())) {
                        finished = true;
                        break;
                    }
                }
                out.flush();
                if (finished) {
                    break;
                }
                pending.clear();
                Job.Event e = queue.poll(KEEP_ALIVE_SECONDS, TimeUnit.SECONDS);
                if (e == null) {
                    if (j.isFinished() && j.eventsAfter(after).isEmpty()) {
                        break;
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
}
