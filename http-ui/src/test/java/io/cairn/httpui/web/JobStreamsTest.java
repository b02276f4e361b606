package io.cairn.httpui.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cairn.httpui.audit.AuditLog;
import io.cairn.httpui.auth.Role;
import io.cairn.httpui.auth.Sessions;
import io.cairn.httpui.http.Authorization;
import io.cairn.httpui.http.Routes;
import io.cairn.httpui.jobs.Jobs;
import io.cairn.operations.job.Job;
import io.javalin.Javalin;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Job event streams through real HTTP (plain: TLS is not what is tested) against jobs that run as
 * long as the test wants: capped per session and in all, ended with their session, and complete
 * even when the job produces events much faster than the client reads.
 */
@DisplayName("GET /jobs/{id}/events: bounded streams")
class JobStreamsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path state;

    private final HttpClient http = HttpClient.newHttpClient();
    private final Sessions sessions = new Sessions(Duration.ofMinutes(5));
    private final EventStreams streams = new EventStreams(2, 3);
    private final CountDownLatch release = new CountDownLatch(1);
    private final List<InputStream> open = new ArrayList<>();
    private Jobs jobs;
    private AuditLog audit;
    private Javalin app;

    @BeforeEach
    void start() throws Exception {
        jobs = new Jobs(null, 1);
        audit = new AuditLog(state.resolve("audit.log"), m -> {});
        JobController c = new JobController(jobs, audit, sessions, streams);
        app = Javalin.create(cfg -> cfg.showJavalinBanner = false);
        app.beforeMatched(new Authorization(sessions)::check);
        new ErrorMapping(m -> {}).install(app);
        Routes routes = new Routes(app);
        routes.get("/jobs/{id}/events", Role.VIEWER, c::events);
        routes.get("/jobs/{id}", Role.VIEWER, c::get);
        app.start("127.0.0.1", 0);
    }

    @AfterEach
    void stop() throws Exception {
        release.countDown();
        for (InputStream in : open) {
            in.close();
        }
        app.stop();
        jobs.close();
        audit.close();
    }

    /** A job of {@code owner} that runs until the test releases it. */
    private Job blocked(String owner) throws Exception {
        return jobs.submit("restore", "r", owner, Jobs.Pool.RESTORE, j -> {}, (job, p) -> {
            release.await(60, TimeUnit.SECONDS);
            return "done";
        });
    }

    private HttpResponse<InputStream> stream(Sessions.Session s, Job j) throws Exception {
        HttpResponse<InputStream> r = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/jobs/" + j.id() + "/events"))
                        .header("Cookie", Sessions.COOKIE + "=" + s.id())
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofInputStream());
        open.add(r.body());
        return r;
    }

    private static String body(HttpResponse<InputStream> r) throws Exception {
        return new String(r.body().readAllBytes(), StandardCharsets.UTF_8);
    }

    private void awaitOpen(int n) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (streams.open() != n && System.nanoTime() < end) {
            Thread.sleep(10);
        }
        assertEquals(n, streams.open());
    }

    @Test
    @DisplayName("a user holds at most 2 streams, whatever their sessions, all users together 3; places come back when"
            + " streams end")
    void capped() throws Exception {
        Sessions.Session alice = sessions.create("alice", Role.OPERATOR);
        Sessions.Session alice2 = sessions.create("alice", Role.OPERATOR);
        Sessions.Session admin = sessions.create("root", Role.ADMIN);
        Sessions.Session admin2 = sessions.create("root2", Role.ADMIN);
        Job j = blocked("alice");
        assertEquals(200, stream(alice, j).statusCode());
        assertEquals(200, stream(alice, j).statusCode());
        awaitOpen(2);
        HttpResponse<InputStream> third = stream(alice, j);
        assertEquals(429, third.statusCode());
        assertTrue(body(third).contains("alice follows 2 jobs already"));
        HttpResponse<InputStream> otherSession = stream(alice2, j);
        assertEquals(429, otherSession.statusCode(), "another session of the same user gets no more");
        otherSession.body().close();
        assertEquals(200, stream(admin, j).statusCode());
        awaitOpen(3);
        HttpResponse<InputStream> over = stream(admin2, j);
        assertEquals(429, over.statusCode());
        assertTrue(body(over).contains("the server follows 3 jobs"));
        release.countDown();
        awaitOpen(0);
        assertEquals(200, stream(admin, j).statusCode(), "a finished job's stream is open again");
    }

    @Test
    @DisplayName("only the job's owner and administrators may follow it")
    void ownerOnly() throws Exception {
        Job j = blocked("alice");
        HttpResponse<InputStream> other = stream(sessions.create("bob", Role.OPERATOR), j);
        assertEquals(403, other.statusCode());
        assertEquals(0, streams.open(), "a refused stream takes no place");
        assertEquals(200, stream(sessions.create("root", Role.ADMIN), j).statusCode());
        JsonNode summary = JSON.readTree(http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/jobs/" + j.id()))
                                .header(
                                        "Cookie",
                                        Sessions.COOKIE + "="
                                                + sessions.create("bob", Role.OPERATOR)
                                                        .id())
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body());
        assertTrue(summary.get("target").isNull() && !summary.get("details").asBoolean(), summary.toString());
    }

    @Test
    @DisplayName("a stream ends with its session (logged out or ended by an account change)")
    void endsWithSession() throws Exception {
        Sessions.Session alice = sessions.create("alice", Role.OPERATOR);
        Job j = blocked("alice");
        HttpResponse<InputStream> r = stream(alice, j);
        assertEquals(200, r.statusCode());
        awaitOpen(1);
        sessions.invalidate(alice.id());
        long start = System.nanoTime();
        r.body().readAllBytes(); // returns when the server ends the stream
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(20));
        awaitOpen(0);
        assertTrue(!j.isFinished(), "the job goes on");
    }

    @Test
    @DisplayName("events far faster than the client reads: the stream still delivers every one, in order, to the end")
    void slowReader() throws Exception {
        Sessions.Session alice = sessions.create("alice", Role.OPERATOR);
        CountDownLatch streaming = new CountDownLatch(1);
        String big = "x".repeat(32 * 1024);
        int lines = 600; // ~19 MiB: more than the sockets buffer, so the server blocks writing while events pile up
        Job j = jobs.submit("check", "repository", "alice", Jobs.Pool.MAINTENANCE, x -> {}, (job, p) -> {
            streaming.await(30, TimeUnit.SECONDS);
            for (int i = 0; i < lines; i++) {
                job.log(i + " " + big);
            }
            return "done";
        });
        HttpResponse<InputStream> r = stream(alice, j);
        assertEquals(200, r.statusCode());
        awaitOpen(1);
        streaming.countDown();
        while (!j.isFinished()) {
            Thread.sleep(20); // the client reads nothing until the job is over
        }
        List<Long> seqs = new ArrayList<>();
        String lastState = null;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.startsWith("data: ")) {
                    JsonNode e = JSON.readTree(line.substring(6));
                    seqs.add(e.get("seq").asLong());
                    lastState = e.get("state").asText();
                }
            }
        }
        assertEquals("SUCCEEDED", lastState);
        for (int i = 1; i < seqs.size(); i++) {
            assertEquals(seqs.get(i - 1) + 1, seqs.get(i), "a gap in the events at " + i);
        }
        assertTrue(seqs.size() >= lines, "events: " + seqs.size());
    }
}
