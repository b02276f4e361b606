package io.cairn.operations.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class JobTest {
    @Test
    @DisplayName("new jobs get 64 random bits as 16 hex digits: no two alike, none predictable from another")
    void randomIds() {
        java.util.Set<String> ids = new java.util.HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            Job j = Job.create("backup", "web01");
            assertTrue(j.id().matches("[0-9a-f]{16}"), j.id());
            ids.add(j.id());
        }
        assertEquals(10_000, ids.size(), "ids repeat");
        // every bit position varies (a counter or a 20-bit random number would leave most of them fixed)
        long and = -1;
        long or = 0;
        for (String id : ids) {
            long v = Long.parseUnsignedLong(id, 16);
            and &= v;
            or |= v;
        }
        assertEquals(0L, and, "a bit that is always set");
        assertEquals(-1L, or, "a bit that is never set");
    }

    @Test
    @DisplayName("a job goes queued → running → succeeded, with phases, bytes from many threads and numbered events")
    void lifecycle() throws Exception {
        Job j = new Job("j1", "backup", "web01");
        List<Job.Event> seen = new ArrayList<>();
        j.addListener(e -> {
            synchronized (seen) {
                seen.add(e);
            }
        });
        assertEquals(Job.State.QUEUED, j.state());
        j.start();
        j.progress().begin("disk 1 of 1", 4000);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        for (int i = 0; i < 4000; i++) {
            pool.execute(() -> j.progress().advance(1));
        }
        pool.shutdown();
        assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
        assertEquals(4000, j.done());
        j.succeed("backed up");
        assertEquals(Job.State.SUCCEEDED, j.state());
        assertEquals("backed up", j.result());
        assertTrue(j.isFinished());
        List<Job.Event> all = j.eventsAfter(0);
        for (int i = 1; i < all.size(); i++) {
            assertEquals(all.get(i - 1).seq() + 1, all.get(i).seq(), "events are numbered without gaps");
        }
        assertEquals(Job.State.SUCCEEDED, all.get(all.size() - 1).state());
        assertEquals(all.size(), seen.size());
        assertEquals(all.subList(2, all.size()), j.eventsAfter(all.get(1).seq()));
        assertTrue(j.log().stream().anyMatch(l -> l.endsWith("disk 1 of 1")));
    }

    @Test
    @DisplayName("cancel is cooperative: checkCancelled throws, and failing with it marks the job cancelled")
    void cancel() throws Exception {
        Job j = new Job("j2", "restore", "b1");
        j.start();
        assertTrue(!j.cancelRequested());
        j.cancel();
        Job.CancelledException e = assertThrows(Job.CancelledException.class, j::checkCancelled);
        j.fail(e);
        assertEquals(Job.State.CANCELLED, j.state());
        Job k = new Job("j3", "check", "repo");
        k.start();
        k.fail(new java.io.IOException("chunk 12ab missing"));
        assertEquals(Job.State.FAILED, k.state());
        assertEquals("chunk 12ab missing", k.result());
    }

    @Test
    @DisplayName(
            "once cancelled, the job's progress stops the engine at its next report (Job.Stopped), after counting what came before")
    void progressStopsAfterCancel() {
        Job j = new Job("j4", "backup", "web01");
        j.start();
        var p = j.progress();
        p.begin("disk 1 of 1", 100);
        p.advance(10);
        j.cancel();
        assertThrows(Job.Stopped.class, () -> p.advance(1));
        assertThrows(Job.Stopped.class, () -> p.begin("disk 2 of 2", 5));
        assertEquals(10, j.done());
        assertEquals("disk 1 of 1", j.phase());
    }

    @Test
    @DisplayName("with the job's total announced, its bytes add up across phases while each phase counts from 0")
    void jobTotals() {
        Job j = new Job("j5", "restore", "web01");
        j.expect(300);
        j.start();
        var p = j.progress();
        p.begin("disk 1 of 2", 200);
        p.advance(200);
        p.begin("disk 2 of 2", 100);
        p.advance(40);
        assertEquals(40, j.done());
        assertEquals(240, j.jobDone());
        assertEquals(300, j.jobTotal());
        Job.Event last = j.eventsAfter(0).get(j.eventsAfter(0).size() - 1);
        assertEquals(300, last.jobTotal());
        assertEquals(100, last.total());
    }

    @Test
    @DisplayName("a finished job's record restores to the same job, with one final event; an unfinished one is refused")
    void recordAndRestore() {
        Job j = new Job("41", "restore", "web01");
        j.expect(10);
        j.start();
        j.progress().begin("disk 1 of 1", 10);
        j.progress().advance(10);
        j.succeed("restored 1 file");
        Job r = Job.restored(j.record());
        assertEquals(j.record(), r.record());
        assertEquals(1, r.eventsAfter(0).size());
        assertEquals(Job.State.SUCCEEDED, r.eventsAfter(0).get(0).state());
        Job running = new Job("42", "backup", "db01");
        running.start();
        assertThrows(IllegalArgumentException.class, () -> Job.restored(running.record()));
    }
}
