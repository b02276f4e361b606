package io.cairn.repository.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.repository.format.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Liveness of lock holders, judged by /proc for this boot and by the store's clock otherwise, never
 * by a local wall clock, a host name or the JDK's process start instant.
 */
class LockLivenessTest {
    static final Instant T0 = Instant.parse("2026-06-01T12:00:00Z");

    final ClockedStore store = new ClockedStore(T0);
    final HostIdentity me = HostIdentity.local();

    LockManager manager(Clock local) {
        return new LockManager(store, me, local);
    }

    LockManager.Held held(String key) throws IOException {
        return manager(Clock.systemUTC()).list().stream()
                .filter(h -> h.key().equals(key))
                .findFirst()
                .orElseThrow();
    }

    LockInfo lockOf(long pid, Long ticks, String bootId, String host) {
        return new LockInfo(
                2, false, "backup", host, pid, null, T0.toString(), me.machineId(), bootId, ticks, T0.toString());
    }

    @Test
    @DisplayName("a live holder of this boot stays alive when the local clock is stepped by hours")
    void steppedLocalClock() throws IOException {
        Clock stepped = Clock.fixed(Instant.now().plus(Duration.ofHours(5)), ZoneOffset.UTC);
        LockManager m = manager(stepped);
        try (Lock l = m.acquire(false, "backup", Duration.ZERO)) {
            // the store saw the lock long ago: a judge by time would call it stale
            store.advance(Duration.ofHours(3));
            assertEquals(LockManager.Liveness.LIVE, m.judge(held(l.key())));
            assertThrows(LockConflictException.class, () -> m.acquire(true, "gc", Duration.ZERO));
        }
    }

    @Test
    @DisplayName("a zombie holder (exited, not yet reaped) is dead")
    void zombie() throws Exception {
        // bash starts a short sleep in the background and becomes a long one, which never reaps it
        Process p = new ProcessBuilder("bash", "-c", "sleep 0.3 & echo $!; exec sleep 30").start();
        try {
            long pid = Long.parseLong(
                    new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII))
                            .readLine()
                            .trim());
            Optional<HostIdentity.ProcessState> st = Optional.empty();
            for (int i = 0; i < 200; i++) {
                st = me.process(pid);
                if (st.isPresent() && st.get().exited()) {
                    break;
                }
                Thread.sleep(10);
            }
            assertTrue(st.isPresent() && st.get().state() == 'Z', "the child is a zombie: " + st);
            assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "the JDK calls it alive");
            store.put("locks/00000000000000aa", Json.write(lockOf(pid, st.get().startTicks(), me.bootId(), "x")));
            assertEquals(LockManager.Liveness.DEAD, manager(Clock.systemUTC()).judge(held("locks/00000000000000aa")));
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    @Test
    @DisplayName("a pid reused by another process (other start ticks) holds nothing")
    void reusedPid() throws IOException {
        long self = me.pid();
        long ticks = me.process(self).orElseThrow().startTicks();
        store.put("locks/00000000000000ab", Json.write(lockOf(self, ticks + 1, me.bootId(), "x")));
        assertEquals(LockManager.Liveness.DEAD, manager(Clock.systemUTC()).judge(held("locks/00000000000000ab")));
        store.put("locks/00000000000000ac", Json.write(lockOf(self, ticks, me.bootId(), "x")));
        assertEquals(LockManager.Liveness.LIVE, manager(Clock.systemUTC()).judge(held("locks/00000000000000ac")));
    }

    @Test
    @DisplayName("two hosts with one hostname (a cloned appliance): the other's lock is judged by the store's clock")
    void cloneWithSameHostname() throws IOException {
        // Same host name, same machine id, even a pid that is alive here: only the boot id differs.
        long self = me.pid();
        LockInfo clone = lockOf(self, 1L, "another-boot-" + me.bootId(), me.hostName());
        store.put("locks/00000000000000ad", Json.write(clone));
        LockManager m = manager(Clock.systemUTC());
        assertEquals(LockManager.Liveness.LIVE, m.judge(held("locks/00000000000000ad")));
        store.advance(LockManager.STALE_AFTER.plusSeconds(1));
        assertEquals(LockManager.Liveness.SILENT, m.judge(held("locks/00000000000000ad")));

        // and a dead pid on the clone is not "dead" here: its pid means nothing on this machine
        store.put("locks/00000000000000ae", Json.write(lockOf(Integer.MAX_VALUE - 9, 1L, "other", me.hostName())));
        assertEquals(LockManager.Liveness.LIVE, m.judge(held("locks/00000000000000ae")));
    }

    @Test
    @DisplayName("across hosts, staleness is the store's clock against the store's lock time, whatever the local clock")
    void storeClockAcrossHosts() throws IOException {
        LockInfo other = lockOf(1234, 1L, "b00t", "elsewhere");
        store.put("locks/00000000000000af", Json.write(other));
        // the local clock is a day ahead of the store (unsynchronised appliance): still alive
        LockManager ahead = manager(Clock.fixed(Instant.now().plus(Duration.ofDays(1)), ZoneOffset.UTC));
        store.advance(Duration.ofMinutes(9));
        assertEquals(LockManager.Liveness.LIVE, ahead.judge(held("locks/00000000000000af")));
        // the holder renews it (the store stamps it): alive for another ten minutes
        store.touch("locks/00000000000000af");
        store.advance(Duration.ofMinutes(9));
        assertEquals(LockManager.Liveness.LIVE, ahead.judge(held("locks/00000000000000af")));
        store.advance(Duration.ofMinutes(2));
        assertEquals(LockManager.Liveness.SILENT, ahead.judge(held("locks/00000000000000af")));
        assertEquals(1, ahead.removeStale());
        assertEquals(Optional.of(T0), ahead.earliestSilentWriterStart(0), "its store start is kept for gc");
    }

    @Test
    @DisplayName("version 1 locks (older cairn) are read and judged by the store's clock")
    void versionOne() throws IOException {
        store.put(
                "locks/00000000000000b0",
                ("{\"version\":1,\"exclusive\":false,\"operation\":\"backup\",\"host\":\"" + me.hostName()
                                + "\",\"pid\":" + me.pid() + ",\"pidStart\":\"2026-01-01T00:00:00Z\","
                                + "\"created\":\"2026-01-01T00:00:00Z\"}")
                        .getBytes(StandardCharsets.UTF_8));
        LockManager m = manager(Clock.systemUTC());
        assertEquals(LockManager.Liveness.LIVE, m.judge(held("locks/00000000000000b0")));
        store.advance(Duration.ofMinutes(11));
        assertEquals(LockManager.Liveness.SILENT, m.judge(held("locks/00000000000000b0")));
    }

    @Test
    @DisplayName("a lock records the holder's machine, boot, pid, start ticks and the store's time of taking it")
    void recordsIdentity() throws IOException {
        try (Lock l = manager(Clock.systemUTC()).acquire(false, "backup", Duration.ZERO)) {
            LockInfo i = Json.read(store.get(l.key()), LockInfo.class);
            assertEquals(2, i.version());
            assertEquals(me.bootId(), i.bootId());
            assertEquals(me.machineId(), i.machineId());
            assertEquals(me.pid(), i.pid());
            assertEquals(me.process(me.pid()).orElseThrow().startTicks(), i.startTicks());
            assertEquals(T0.toString(), i.storeStart());
            assertFalse(me.bootId().isEmpty(), "this machine has a boot id");
        }
    }

    @Test
    @DisplayName("the store's clock is read from a probe that is not left behind")
    void storeNow() throws IOException {
        store.advance(Duration.ofSeconds(42));
        assertEquals(T0.plusSeconds(42), manager(Clock.systemUTC()).storeNow());
        long[] left = {0};
        store.list("", o -> left[0]++);
        assertEquals(0, left[0]);
    }

    @Test
    @DisplayName("/proc/<pid>/stat is parsed after the last ')' of the command name")
    void parseStat() throws IOException {
        String s = "4242 (evil) R (name)) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 "
                + "1000 100 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0";
        Optional<HostIdentity.ProcessState> p = HostIdentity.parseStat(s);
        assertEquals('S', p.orElseThrow().state());
        assertEquals(987654L, p.get().startTicks());
        assertTrue(HostIdentity.parseStat("garbage").isEmpty());
        assertTrue(HostIdentity.parseStat("1 (x) Z").isEmpty());
        String real = Files.readString(Path.of("/proc/self/stat"));
        assertTrue(HostIdentity.parseStat(real).isPresent());
    }
}
