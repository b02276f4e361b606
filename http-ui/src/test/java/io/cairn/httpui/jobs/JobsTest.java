package io.cairn.httpui.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.operations.job.Job;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Jobs: a pool per kind with a bounded queue, owners, and finished jobs kept small")
class JobsTest {
    @TempDir
    Path state;

    private static Job await(Job j) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!j.isFinished() && System.nanoTime() < end) {
            Thread.sleep(10);
        }
        Thread.sleep(50); // the job's finally (history, compaction) runs just after it turned final
        return j;
    }

    @Test
    @DisplayName("restores that fill their pool and queue are refused, while a scheduled backup and a check still run")
    void poolsPerKind() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (Jobs jobs = new Jobs(null, 1)) {
            List<Job> restores = new ArrayList<>();
            int capacity = Jobs.Pool.RESTORE.threads + Jobs.Pool.RESTORE.queue;
            for (int i = 0; i < capacity; i++) {
                restores.add(jobs.submit("restore", "r" + i, "alice", Jobs.Pool.RESTORE, j -> {}, (job, p) -> {
                    release.await(30, TimeUnit.SECONDS);
                    return "restored";
                }));
            }
            QueueFullException full = assertThrows(
                    QueueFullException.class,
                    () -> jobs.submit("restore", "one too many", "alice", Jobs.Pool.RESTORE, j -> {}, (job, p) -> "x"));
            assertTrue(full.getMessage().startsWith("too many restores at once"), full.getMessage());
            assertEquals(capacity, jobs.list().size(), "a refused job is not listed");

            Job backup =
                    await(jobs.submit("backup", "web01 (schedule nightly)", Jobs.Pool.BACKUP, (job, p) -> "backed up"));
            assertEquals(Job.State.SUCCEEDED, backup.state(), "a scheduled backup waited behind restores");
            Job check = await(jobs.submit("check", "repository", Jobs.Pool.MAINTENANCE, (job, p) -> "check: ok"));
            assertEquals(Job.State.SUCCEEDED, check.state(), "maintenance waited behind restores");
            assertEquals(Job.State.QUEUED, restores.get(capacity - 1).state());
            release.countDown();
            for (Job r : restores) {
                assertEquals(Job.State.SUCCEEDED, await(r).state());
            }
        }
    }

    @Test
    @DisplayName("a finished job is kept with the end of its log and one final event, not its whole history")
    void finishedJobsAreSmall() throws Exception {
        try (Jobs jobs = new Jobs(null, 1)) {
            Job j = await(jobs.submit("check", "repository", Jobs.Pool.MAINTENANCE, (job, p) -> {
                for (int i = 0; i < 3 * JobHistory.LOG_LINES; i++) {
                    job.log("line " + i);
                }
                return "check: ok";
            }));
            assertTrue(j.eventsAfter(0).size() > 3 * JobHistory.LOG_LINES, "the running job had every event");
            Job kept = jobs.get(j.id());
            assertEquals(JobHistory.LOG_LINES, kept.log().size());
            assertTrue(kept.log().get(kept.log().size() - 1).endsWith("line " + (3 * JobHistory.LOG_LINES - 1)));
            assertEquals(1, kept.eventsAfter(0).size());
            assertEquals(Job.State.SUCCEEDED, kept.eventsAfter(0).get(0).state());
            assertEquals("check: ok", kept.result());
        }
    }

    @Test
    @DisplayName("a job's owner is kept, also across a restart; the scheduler's jobs and old history lines have none")
    void owners() throws Exception {
        String mine;
        String scheduled;
        try (Jobs jobs = new Jobs(null, 1, state, m -> {})) {
            mine = await(jobs.submit("gc", "repository", "alice", Jobs.Pool.MAINTENANCE, j -> {}, (job, p) -> "gc: ok"))
                    .id();
            scheduled = await(jobs.submit("backup", "web01", Jobs.Pool.BACKUP, (job, p) -> "ok"))
                    .id();
            assertEquals("alice", jobs.owner(mine));
            assertNull(jobs.owner(scheduled));
        }
        Files.writeString(
                state.resolve(JobHistory.FILE),
                "{\"version\":1,\"id\":\"00000000000000aa\",\"kind\":\"check\",\"target\":\"repository\","
                        + "\"state\":\"SUCCEEDED\",\"created\":\"2026-11-23T02:00:00Z\",\"result\":\"ok\",\"log\":[]}\n",
                StandardOpenOption.APPEND);
        try (Jobs again = new Jobs(null, 1, state, m -> {})) {
            assertEquals("alice", again.owner(mine));
            assertNull(again.owner(scheduled));
            assertEquals("ok", again.get("00000000000000aa").result(), "a version-1 line is still read");
            assertNull(again.owner("00000000000000aa"));
        }
        assertTrue(Files.readString(state.resolve(JobHistory.FILE)).contains("\"version\":2,"));
    }

    @Test
    @DisplayName("a job whose work throws an Error (a guest's data overflowing the stack) fails, and the pool goes on")
    void error() throws Exception {
        try (Jobs jobs = new Jobs(null, 1)) {
            Job j = await(jobs.submit("check", "repository", Jobs.Pool.MAINTENANCE, (job, p) -> {
                throw new StackOverflowError();
            }));
            assertEquals(Job.State.FAILED, j.state());
            assertTrue(j.result().contains("StackOverflowError"), j.result());
            assertEquals(Job.State.FAILED, jobs.get(j.id()).state(), "kept, in short form");
            Job next = await(jobs.submit("gc", "repository", Jobs.Pool.MAINTENANCE, (job, p) -> "gc: ok"));
            assertEquals(Job.State.SUCCEEDED, next.state());
        }
    }
}
