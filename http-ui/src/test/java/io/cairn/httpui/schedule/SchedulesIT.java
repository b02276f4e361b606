package io.cairn.httpui.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cairn.httpui.ApiClient;
import io.cairn.httpui.UiConfig;
import io.cairn.httpui.UiServer;
import io.cairn.httpui.jobs.Jobs;
import io.cairn.httpui.vcenter.VcenterConnections;
import io.cairn.operations.job.Job;
import io.cairn.operations.roots.SourceRoots;
import io.cairn.repository.Repository;
import io.cairn.repository.store.LocalStore;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Schedules and maintenance through the API of a server in process (needs root for its FUSE mount),
 * and the scheduler driven by an injected clock: no waiting for real minutes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SchedulesIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ZoneId ZONE = ZoneId.systemDefault();

    private Path work;
    private Path state;
    private Path image;
    private Repository repo;
    private UiServer server;
    private ApiClient api;

    @BeforeAll
    void setUp() throws Exception {
        work = Path.of("target", "it-schedules-" + System.nanoTime()).toAbsolutePath();
        work = Files.createDirectories(work).toRealPath(); // source roots are real paths
        image = work.resolve("web01.img");
        byte[] data = new byte[3 << 20];
        new Random(42).nextBytes(data);
        Files.write(image, data);
        repo = Repository.init(new LocalStore(work.resolve("repo")), 1 << 20, 1, null);
        state = work.resolve("state");
        Files.createDirectories(state);
        ApiClient.addUsers(state);
        server = UiServer.start(new UiConfig(repo, work.resolve("repo"), state, "127.0.0.1", 0, 2, null, null));
        api = ApiClient.login(server);
        api.roots(List.of(), List.of(work));
    }

    @AfterAll
    void tearDown() {
        if (server != null) {
            server.close();
        }
        if (api != null) {
            api.assertNoLeaks();
        }
    }

    private HttpResponse<String> send(String method, String path, String role, String body) throws Exception {
        return api.send(method, path, role, body);
    }

    private String schedule(String name, String cron, String retention) {
        return "{\"name\":\"" + name + "\",\"cron\":\"" + cron + "\",\"source\":\"file:" + image + "\",\"retention\":"
                + retention + ",\"enabled\":true}";
    }

    private static String error(HttpResponse<String> r) throws Exception {
        return ApiClient.error(r);
    }

    private JsonNode awaitJob(String id) throws Exception {
        return api.awaitJob(id, Duration.ofSeconds(60));
    }

    /** Polls until the probe answers non-null. */
    private static final class Poll {
        interface Probe<T> {
            T get() throws Exception;
        }

        static <T> T poll(Duration timeout, Probe<T> p) throws Exception {
            long end = System.nanoTime() + timeout.toNanos();
            while (true) {
                T v = p.get();
                if (v != null) {
                    return v;
                }
                if (System.nanoTime() > end) {
                    throw new AssertionError("nothing after " + timeout);
                }
                Thread.sleep(100);
            }
        }
    }

    private static void await(Job j) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!j.isFinished() && System.nanoTime() < end) {
            Thread.sleep(50);
        }
    }

    /** The server's source roots (this test's work directory), as the scheduler would see them. */
    private SourceRoots sourceRoots() {
        try {
            return SourceRoots.of(List.of(work.toRealPath()), List.of(state.toRealPath(), work.resolve("repo")));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private long backupsOf(String vm) throws Exception {
        return repo.backups().stream()
                .filter(l -> l.manifest().vm().name().equals(vm))
                .count();
    }

    @Test
    @DisplayName("the new endpoints answer 401 without a session and 403 to a role below theirs")
    void roles() throws Exception {
        for (String[] e : new String[][] {
            {"GET", "/api/v1/schedules"},
            {"POST", "/api/v1/schedules"},
            {"PUT", "/api/v1/schedules/x"},
            {"DELETE", "/api/v1/schedules/x"},
            {"POST", "/api/v1/maintenance/check"},
            {"POST", "/api/v1/maintenance/prune"},
            {"POST", "/api/v1/maintenance/gc"}
        }) {
            assertEquals(401, send(e[0], e[1], null, "{}").statusCode(), e[0] + " " + e[1]);
        }
        assertEquals(200, send("GET", "/api/v1/schedules", "viewer", null).statusCode());
        HttpResponse<String> r = send("POST", "/api/v1/schedules", "viewer", schedule("x", "* * * * *", "null"));
        assertEquals(403, r.statusCode());
        assertEquals("this needs the admin role", error(r));
        assertEquals(
                403,
                send("PUT", "/api/v1/schedules/x", "operator", schedule("x", "* * * * *", "null"))
                        .statusCode());
        assertEquals(
                403, send("DELETE", "/api/v1/schedules/x", "operator", null).statusCode());
        for (String m : List.of("check", "prune", "gc")) {
            assertEquals(
                    403,
                    send("POST", "/api/v1/maintenance/" + m, "operator", "{}").statusCode(),
                    m);
        }
    }

    @Test
    @DisplayName(
            "a bad cron expression, an unknown vCenter connection, a bare source or a retention that keeps nothing is 400 with the reason")
    void badInput() throws Exception {
        HttpResponse<String> r = send("POST", "/api/v1/schedules", "admin", schedule("x", "0 25 * * *", "null"));
        assertEquals(400, r.statusCode());
        assertEquals("cron field 2 (hour) '25': values must be 0 to 23", error(r));
        r = send("POST", "/api/v1/schedules", "admin", schedule("x", "* * *", "null"));
        assertEquals(400, r.statusCode());
        assertTrue(error(r).contains("needs 5"), r.body());
        r = send(
                "POST",
                "/api/v1/schedules",
                "admin",
                "{\"name\":\"x\",\"cron\":\"0 1 * * *\",\"source\":{\"vcenter\":\"vc1\",\"spec\":\"name:web01\"},\"enabled\":true}");
        assertEquals(400, r.statusCode());
        assertEquals("'source.vcenter' must be the id of a saved vCenter connection (see the vCenter page)", error(r));
        r = send("POST", "/api/v1/schedules", "admin", "{\"name\":\"x\",\"cron\":\"0 1 * * *\",\"source\":\"web01\"}");
        assertEquals(400, r.statusCode());
        assertTrue(error(r).startsWith("'source' is required: {\"vcenter\""), r.body());
        r = send("POST", "/api/v1/schedules", "admin", schedule("x", "0 1 * * *", "{\"keepLast\":0}"));
        assertEquals(400, r.statusCode());
        assertTrue(error(r).contains("keeps nothing"), r.body());
        r = send(
                "GET",
                "/api/v1/schedules/preview?cron=" + URLEncoder.encode("*/61 * * * *", StandardCharsets.UTF_8),
                "viewer",
                null);
        assertEquals(400, r.statusCode());
        r = send(
                "GET",
                "/api/v1/schedules/preview?cron=" + URLEncoder.encode("*/15 * * * *", StandardCharsets.UTF_8),
                "viewer",
                null);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(3, JSON.readTree(r.body()).get("nextRuns").size());
        assertEquals(
                400, send("POST", "/api/v1/maintenance/prune", "admin", "{}").statusCode());
        assertEquals(
                400,
                send("POST", "/api/v1/maintenance/check", "admin", "{\"readData\":\"yes\"}")
                        .statusCode());
        assertEquals(
                404,
                send("PUT", "/api/v1/schedules/nope", "admin", schedule("x", "0 1 * * *", "null"))
                        .statusCode());
        assertEquals(
                404, send("DELETE", "/api/v1/schedules/nope", "admin", null).statusCode());
    }

    @Test
    @DisplayName(
            "a schedule runs when its minute comes, backs up the image, and keepLast=1 leaves one backup after two runs")
    void scheduledRuns() throws Exception {
        // Feb 29 at 03:00: never due on the server's real clock while the test runs
        HttpResponse<String> r =
                send("POST", "/api/v1/schedules", "admin", schedule("nightly web01", "0 3 29 2 *", "{\"keepLast\":1}"));
        assertEquals(201, r.statusCode(), r.body());
        JsonNode created = JSON.readTree(r.body());
        String id = created.get("id").asText();
        assertEquals(3, created.get("nextRuns").size());
        assertTrue(created.get("nextRuns").get(0).asText().contains("-02-29T03:00"), r.body());
        assertEquals("web01", created.get("vm").asText());

        List<String> log = new CopyOnWriteArrayList<>();
        ZonedDateTime first = LocalDateTime.parse("2028-02-29T03:00:00").atZone(ZONE);
        try (Jobs jobs = new Jobs(repo, 2)) {
            Scheduler s = new Scheduler(
                    new ScheduleStore(state),
                    jobs,
                    new ScheduledRun(repo, VcenterConnections.open(state), 2, ZONE, null, this::sourceRoots),
                    Clock.fixed(first.toInstant(), ZONE),
                    log::add);
            assertEquals(0, s.tick(first.minusMinutes(1)).size(), "02:59 is not due");
            List<Job> started = s.tick(first.plusSeconds(5));
            assertEquals(1, started.size(), log.toString());
            assertEquals(0, s.tick(first.plusSeconds(30)).size(), "the same minute again runs nothing");
            await(started.get(0));
            assertEquals(
                    Job.State.SUCCEEDED,
                    started.get(0).state(),
                    started.get(0).result() + " " + started.get(0).log());
            assertEquals(1, backupsOf("web01"));

            List<Job> again = s.tick(first.plusYears(4));
            assertEquals(1, again.size(), log.toString());
            await(again.get(0));
            assertEquals(Job.State.SUCCEEDED, again.get(0).state(), again.get(0).result());
            assertTrue(
                    again.get(0).result().contains("retention kept 1, removed 1"),
                    again.get(0).result());
            assertEquals(1, backupsOf("web01"));
        }
        JsonNode listed = null;
        for (JsonNode n :
                JSON.readTree(send("GET", "/api/v1/schedules", "viewer", null).body())) {
            if (n.get("id").asText().equals(id)) {
                listed = n;
            }
        }
        assertTrue(listed != null && listed.get("lastRun").asText().startsWith("2032-02-29"), String.valueOf(listed));

        // the server "was down" from 2032 until 2036-03-01: the run of 2036-02-29 is logged, not replayed
        ZonedDateTime later = LocalDateTime.parse("2036-03-01T00:00:00").atZone(ZONE);
        try (Jobs jobs = new Jobs(repo, 2);
                Scheduler s = new Scheduler(
                        new ScheduleStore(state),
                        jobs,
                        new ScheduledRun(repo, VcenterConnections.open(state), 2, ZONE, null, this::sourceRoots),
                        Clock.fixed(later.toInstant(), ZONE),
                        log::add)) {
            s.start();
            assertTrue(
                    log.stream()
                            .anyMatch(l ->
                                    l.contains("missed its run at 2036-02-29T03:00") && l.contains("not replayed")),
                    log.toString());
            assertEquals(0, s.tick(later.plusMinutes(1)).size());
        }

        // "run now": an operator may start it; the run backs up again and retention keeps one
        assertEquals(
                403,
                send("POST", "/api/v1/schedules/" + id + "/run", "viewer", "{}").statusCode());
        assertEquals(
                404,
                send("POST", "/api/v1/schedules/nope/run", "operator", "{}").statusCode());
        r = send("POST", "/api/v1/schedules/" + id + "/run", "operator", "{}");
        assertEquals(202, r.statusCode(), r.body());
        JsonNode now = awaitJob(JSON.readTree(r.body()).get("job").asText());
        assertEquals("SUCCEEDED", now.get("state").asText(), now.toString());
        assertTrue(now.get("result").asText().contains("retention kept 1, removed 1"), now.toString());
        assertEquals(1, backupsOf("web01"));
        // how it ended is on the dashboard, and in schedules.json for after a restart
        JsonNode outcome = Poll.poll(Duration.ofSeconds(10), () -> {
            for (JsonNode n : JSON.readTree(
                            send("GET", "/api/v1/dashboard", "viewer", null).body())
                    .get("schedules")) {
                // the outcome is recorded just after the job turns final: wait for this run's, not an earlier one's
                if (n.get("id").asText().equals(id)
                        && n.get("lastOutcome").isObject()
                        && n.get("lastOutcome")
                                .get("summary")
                                .asText()
                                .equals(now.get("result").asText())) {
                    return n.get("lastOutcome");
                }
            }
            return null;
        });
        assertEquals("SUCCEEDED", outcome.get("state").asText(), outcome.toString());
        assertEquals(now.get("result").asText(), outcome.get("summary").asText());
        Schedule stored = new ScheduleStore(state).get(id).orElseThrow();
        assertEquals("SUCCEEDED", stored.lastOutcome().state());
        assertEquals(
                outcome.get("finished").asText(),
                stored.lastOutcome().finished().toString());

        // a schedule whose image is gone: its run fails, and the VM list shows that VM as failed
        // (it has no backup at all) while web01 stays ok
        String gone =
                "{\"name\":\"lost\",\"cron\":\"0 3 29 2 *\",\"source\":\"file:" + work.resolve("db07.img") + "\"}";
        r = send("POST", "/api/v1/schedules", "admin", gone);
        assertEquals(201, r.statusCode(), r.body());
        String goneId = JSON.readTree(r.body()).get("id").asText();
        r = send("POST", "/api/v1/schedules/" + goneId + "/run", "operator", "{}");
        JsonNode failedRun = awaitJob(JSON.readTree(r.body()).get("job").asText());
        assertEquals("FAILED", failedRun.get("state").asText(), failedRun.toString());
        JsonNode db07 = Poll.poll(Duration.ofSeconds(10), () -> {
            for (JsonNode v :
                    JSON.readTree(send("GET", "/api/v1/vms", "viewer", null).body())) {
                if (v.get("name").asText().equals("db07")) {
                    return v;
                }
            }
            return null;
        });
        assertEquals("failed", db07.get("state").get("kind").asText(), db07.toString());
        assertTrue(
                db07.get("state").get("message").asText().contains("schedule 'lost'")
                        && db07.get("state").get("message").asText().contains("does not exist"),
                db07.toString());
        assertEquals(0, db07.get("backups").asInt());
        for (JsonNode v :
                JSON.readTree(send("GET", "/api/v1/vms", "viewer", null).body())) {
            if (v.get("name").asText().equals("web01")) {
                assertEquals("ok", v.get("state").get("kind").asText(), v.toString());
            }
        }
        assertEquals(
                200,
                send("DELETE", "/api/v1/schedules/" + goneId, "admin", null).statusCode());

        r = send(
                "PUT",
                "/api/v1/schedules/" + id,
                "admin",
                schedule("nightly web01", "*/15 1-5 * * 1,3,5", "null").replace("true", "false"));
        assertEquals(200, r.statusCode(), r.body());
        assertFalse(JSON.readTree(r.body()).get("enabled").asBoolean());
        assertEquals(
                200, send("DELETE", "/api/v1/schedules/" + id, "admin", null).statusCode());
        assertEquals(
                404, send("DELETE", "/api/v1/schedules/" + id, "admin", null).statusCode());

        // every change and every run now is in the audit log, with who, what and how it ended
        List<JsonNode> audit = audit();
        for (String[] a : new String[][] {
            {"admin", "schedule-create", "ok"},
            {"admin", "schedule-replace", "ok"},
            {"admin", "schedule-delete", "ok"},
            {"operator", "schedule-run", "started"},
            {"operator", "schedule-run", "succeeded"},
            {"operator", "schedule-run", "failed"}
        }) {
            assertTrue(
                    audit.stream()
                            .anyMatch(l -> l.get("user").asText().equals(a[0])
                                    && l.get("action").asText().equals(a[1])
                                    && l.get("outcome").asText().equals(a[2])
                                    && l.get("path").asText().contains("'nightly web01'")
                                            | l.get("path").asText().contains("'lost'")),
                    String.join(" ", a) + " not in " + audit);
        }
    }

    private List<JsonNode> audit() throws Exception {
        List<JsonNode> out = new java.util.ArrayList<>();
        for (String line : Files.readAllLines(state.resolve("audit.log"))) {
            out.add(JSON.readTree(line));
        }
        return out;
    }

    @Test
    @DisplayName("check, check with data, prune and gc run as jobs in the job list and succeed")
    void maintenance() throws Exception {
        for (String[] m : new String[][] {
            {"check", "{\"readData\":false}"},
            {"check", "{\"readData\":true}"},
            {"prune", "{\"keepLast\":5,\"dryRun\":true}"},
            {"prune", "{\"keepLast\":5,\"keepDaily\":7}"}
        }) {
            HttpResponse<String> r = send("POST", "/api/v1/maintenance/" + m[0], "admin", m[1]);
            assertEquals(202, r.statusCode(), r.body());
            String id = JSON.readTree(r.body()).get("job").asText();
            JsonNode j = awaitJob(id);
            assertEquals("SUCCEEDED", j.get("state").asText(), m[0] + " " + m[1] + ": " + j);
            assertTrue(j.get("kind").asText().startsWith(m[0]), j.toString());
            assertFalse(j.get("result").asText().isEmpty());
            boolean listed = false;
            for (JsonNode n :
                    JSON.readTree(send("GET", "/api/v1/jobs", "viewer", null).body())) {
                listed |= n.get("id").asText().equals(id);
            }
            assertTrue(listed, "job " + id + " in /jobs");
        }
        // the server's mount holds no lock of its own, so gc runs while the server does
        HttpResponse<String> r = send("POST", "/api/v1/maintenance/gc", "admin", "");
        assertEquals(202, r.statusCode(), r.body());
        JsonNode j = awaitJob(JSON.readTree(r.body()).get("job").asText());
        assertEquals("SUCCEEDED", j.get("state").asText(), j.toString());
        assertTrue(j.get("result").asText().startsWith("gc: "), j.toString());
        // each is audited when it starts and when it ends, with its options
        List<JsonNode> audit = audit();
        for (String[] a : new String[][] {
            {"check", "started", "(read data)"},
            {"check", "succeeded", "(read data)"},
            {"prune", "started", "keep last 5, daily 0, weekly 0, monthly 0, dry run"},
            {"prune", "succeeded", "keep last 5, daily 7"},
            {"gc", "started", "repository "},
            {"gc", "succeeded", "repository "}
        }) {
            assertTrue(
                    audit.stream()
                            .anyMatch(l -> l.get("user").asText().equals("admin")
                                    && l.get("action").asText().equals(a[0])
                                    && l.get("outcome").asText().equals(a[1])
                                    && l.get("path").asText().contains(a[2])),
                    String.join(" ", a) + " not in " + audit);
        }
    }
}
