package io.cairn.httpui.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.operations.job.Job;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The job history (jobs.jsonl)")
class JobHistoryTest {
    @TempDir
    Path state;

    private final List<String> warnings = new CopyOnWriteArrayList<>();

    private static Job await(Jobs jobs, Job j) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!j.isFinished() && System.nanoTime() < end) {
            Thread.sleep(10);
        }
        // the history line is written in the job's finally, just after it turned final
        Thread.sleep(50);
        return j;
    }

    @Test
    @DisplayName(
            "finished jobs come back after a restart with state, result, bytes and log; new ids differ from theirs")
    void survivesRestart() throws Exception {
        String ok;
        String failed;
        try (Jobs jobs = new Jobs(null, 1, state, warnings::add)) {
            Job a = await(jobs, jobs.submit("backup", "web01 (schedule nightly)", Jobs.Pool.BACKUP, (job, p) -> {
                job.expect(300);
                p.begin("disk 1 of 1", 300);
                p.advance(300);
                job.log("a line of the log");
                return "backup 1e59 of web01";
            }));
            Job b = await(jobs, jobs.submit("check", "repository", Jobs.Pool.MAINTENANCE, (job, p) -> {
                throw new java.io.IOException("chunk 12ab is damaged");
            }));
            ok = a.id();
            failed = b.id();
        }
        assertEquals(
                "rw-------",
                PosixFilePermissions.toString(Files.getPosixFilePermissions(state.resolve(JobHistory.FILE))));
        try (Jobs again = new Jobs(null, 1, state, warnings::add)) {
            Job a = again.get(ok);
            assertNotNull(a, "the succeeded job is listed after the restart");
            assertEquals(Job.State.SUCCEEDED, a.state());
            assertEquals("backup 1e59 of web01", a.result());
            assertEquals("web01 (schedule nightly)", a.target());
            assertEquals(300, a.jobDone());
            assertEquals(300, a.jobTotal());
            assertTrue(
                    a.log().stream().anyMatch(l -> l.endsWith("a line of the log")),
                    a.log().toString());
            assertNotNull(a.started());
            assertNotNull(a.finished());
            Job.Event last = again.lastEvent(ok);
            assertEquals(Job.State.SUCCEEDED, last.state(), "a client asking for its events gets the end at once");
            Job b = again.get(failed);
            assertEquals(Job.State.FAILED, b.state());
            assertEquals("chunk 12ab is damaged", b.result());
            Job c = await(
                    again, again.submit("gc", "repository", Jobs.Pool.MAINTENANCE, (job, p) -> "gc: nothing to do"));
            assertTrue(!c.id().equals(ok) && !c.id().equals(failed), "new id " + c.id() + " collides with the history");
            assertEquals(c.id(), again.list().get(0).id(), "newest first");
        }
        assertTrue(warnings.isEmpty(), warnings.toString());
    }

    @Test
    @DisplayName("a torn or foreign line is skipped and reported; the others load")
    void damagedLines() throws Exception {
        try (Jobs jobs = new Jobs(null, 1, state, warnings::add)) {
            await(jobs, jobs.submit("check", "repository", Jobs.Pool.MAINTENANCE, (job, p) -> "check: ok"));
        }
        Files.writeString(
                state.resolve(JobHistory.FILE),
                "{\"version\":1,\"id\":\"7\",\"kind\":\"gc\"\nnot json\n" + "{\"version\":2,\"id\":\"8\"}\n",
                StandardCharsets.UTF_8,
                StandardOpenOption.APPEND);
        Files.writeString(
                state.resolve(JobHistory.FILE),
                "{\"version\":1,\"id\":\"9\",\"ki",
                StandardCharsets.UTF_8,
                StandardOpenOption.APPEND); // killed mid-append
        try (Jobs again = new Jobs(null, 1, state, warnings::add)) {
            assertEquals(1, again.list().size());
            assertEquals("check: ok", again.list().get(0).result());
            await(again, again.submit("gc", "repository", Jobs.Pool.MAINTENANCE, (job, p) -> "gc: done"));
        }
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("4 unreadable line(s) skipped"), warnings.toString());
        try (Jobs third = new Jobs(null, 1, state, warnings::add)) {
            assertEquals(
                    List.of("gc: done", "check: ok"),
                    third.list().stream().map(Job::result).toList(),
                    "the job appended after the torn line was lost with it");
        }
    }

    @Test
    @DisplayName("keeps the newest jobs and cuts the file once it holds more than twice as many")
    void bounded() throws Exception {
        List<String> lines = new ArrayList<>();
        for (int i = 1; i <= 2 * JobHistory.KEEP + 10; i++) {
            lines.add("{\"version\":1,\"id\":\"" + i
                    + "\",\"kind\":\"check\",\"target\":\"repository\",\"state\":\"SUCCEEDED\","
                    + "\"created\":\"2026-11-23T02:00:00Z\",\"result\":\"check " + i + "\",\"log\":[]}");
        }
        Files.write(state.resolve(JobHistory.FILE), lines);
        try (Jobs jobs = new Jobs(null, 1, state, warnings::add)) {
            assertEquals(JobHistory.KEEP, jobs.list().size());
            assertNotNull(jobs.get(String.valueOf(2 * JobHistory.KEEP + 10)));
            assertEquals(null, jobs.get("1"));
        }
        assertEquals(
                JobHistory.KEEP,
                Files.readAllLines(state.resolve(JobHistory.FILE)).size());
        assertTrue(warnings.isEmpty(), warnings.toString());
    }
}
