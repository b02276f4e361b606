package io.cairn.httpui.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Sessions read {@code System.nanoTime()} (no injectable clock), so the idle-timeout tests use
 * timeouts of tens of milliseconds and short sleeps, with margins that only a stall of the whole JVM
 * for longer than the timeout could break.
 */
@DisplayName("Sessions")
class SessionsTest {
    private static void sleep(long ms) throws InterruptedException {
        Thread.sleep(ms);
    }

    @Nested
    @DisplayName("a new session")
    class Create {
        private final Sessions sessions = new Sessions(Duration.ofMinutes(30));

        @Test
        @DisplayName("is found by its id, with its user, role and CSRF token")
        void found() {
            Sessions.Session s = sessions.create("alice", Role.OPERATOR);
            Sessions.Session got = sessions.get(s.id());
            assertEquals(s, got);
            assertEquals("alice", got.user());
            assertEquals(Role.OPERATOR, got.role());
        }

        @Test
        @DisplayName("has a 256-bit random id and a separate 256-bit CSRF token, both hex")
        void randomIds() {
            Sessions.Session s = sessions.create("alice", Role.VIEWER);
            assertTrue(s.id().matches("[0-9a-f]{64}"), s.id());
            assertTrue(s.csrf().matches("[0-9a-f]{64}"), s.csrf());
            assertNotEquals(s.id(), s.csrf(), "the CSRF token must not be the session id (the cookie)");
        }

        @Test
        @DisplayName("gets an id and a CSRF token of its own, even for the same user")
        void distinct() {
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < 100; i++) {
                Sessions.Session s = sessions.create("alice", Role.ADMIN);
                assertTrue(seen.add(s.id()), "repeated session id");
                assertTrue(seen.add(s.csrf()), "repeated CSRF token");
            }
        }

        @Test
        @DisplayName("keeps its CSRF token for its whole life")
        void csrfStable() {
            Sessions.Session s = sessions.create("alice", Role.ADMIN);
            for (int i = 0; i < 3; i++) {
                assertEquals(s.csrf(), sessions.get(s.id()).csrf());
            }
        }
    }

    @Nested
    @DisplayName("lookups")
    class Lookups {
        private final Sessions sessions = new Sessions(Duration.ofMinutes(30));

        @Test
        @DisplayName("an unknown or missing id finds nothing")
        void unknown() {
            sessions.create("alice", Role.ADMIN);
            assertNull(sessions.get(null));
            assertNull(sessions.get(""));
            assertNull(sessions.get("0".repeat(64)));
        }

        @Test
        @DisplayName("the CSRF token is not a session id")
        void csrfIsNoId() {
            Sessions.Session s = sessions.create("alice", Role.ADMIN);
            assertNull(sessions.get(s.csrf()));
        }
    }

    @Nested
    @DisplayName("logging out")
    class Logout {
        private final Sessions sessions = new Sessions(Duration.ofMinutes(30));

        @Test
        @DisplayName("invalidates that session only")
        void invalidate() {
            Sessions.Session a = sessions.create("alice", Role.ADMIN);
            Sessions.Session b = sessions.create("alice", Role.ADMIN);
            sessions.invalidate(a.id());
            assertNull(sessions.get(a.id()));
            assertEquals(b, sessions.get(b.id()));
        }

        @Test
        @DisplayName("twice, or with an unknown or null id, is harmless")
        void idempotent() {
            Sessions.Session a = sessions.create("alice", Role.ADMIN);
            sessions.invalidate(a.id());
            sessions.invalidate(a.id());
            sessions.invalidate(null);
            sessions.invalidate("nope");
            assertNull(sessions.get(a.id()));
        }
    }

    @Nested
    @DisplayName("the idle timeout")
    class Idle {
        @Test
        @DisplayName("ends a session not used for longer than the timeout, for good")
        void expires() throws InterruptedException {
            Sessions sessions = new Sessions(Duration.ofMillis(20));
            Sessions.Session s = sessions.create("alice", Role.ADMIN);
            sleep(60);
            assertNull(sessions.get(s.id()));
            assertNull(sessions.get(s.id()), "an expired session came back");
        }

        @Test
        @DisplayName("is counted from the last use: a session used more often than the timeout stays")
        void touched() throws InterruptedException {
            Sessions sessions = new Sessions(Duration.ofMillis(250));
            Sessions.Session s = sessions.create("alice", Role.ADMIN);
            long start = System.nanoTime();
            // 400 ms in all, longer than the timeout, but never more than ~25 ms between two uses.
            while (System.nanoTime() - start < Duration.ofMillis(400).toNanos()) {
                sleep(25);
                assertNotNull(
                        sessions.get(s.id()),
                        "a session in use expired after "
                                + Duration.ofNanos(System.nanoTime() - start).toMillis() + " ms");
            }
        }

        @Test
        @DisplayName("ends an idle session even when another one is in use")
        void perSession() throws InterruptedException {
            Sessions sessions = new Sessions(Duration.ofMillis(60));
            Sessions.Session idle = sessions.create("alice", Role.ADMIN);
            Sessions.Session busy = sessions.create("bob", Role.VIEWER);
            for (int i = 0; i < 5; i++) {
                sleep(25);
                assertNotNull(sessions.get(busy.id()));
            }
            assertNull(sessions.get(idle.id()));
            assertNotNull(sessions.get(busy.id()));
        }
    }

    @Nested
    @DisplayName("the absolute lifetime")
    class Lifetime {
        @Test
        @DisplayName("ends a session at its end even when it is used all the time")
        void ends() throws InterruptedException {
            Sessions sessions = new Sessions(Duration.ofMinutes(30), Duration.ofMillis(200), Sessions.Accounts.NONE);
            Sessions.Session s = sessions.create("alice", Role.ADMIN);
            long start = System.nanoTime();
            while (System.nanoTime() - start < Duration.ofMillis(150).toNanos()) {
                assertNotNull(sessions.get(s.id()), "ended before its lifetime");
                sleep(10);
            }
            sleep(100);
            assertNull(sessions.get(s.id()), "a session in constant use outlived its lifetime");
        }
    }

    @Nested
    @DisplayName("account changes")
    class Accounts {
        private final java.util.Map<String, String> stamps = new java.util.concurrent.ConcurrentHashMap<>();
        private final Sessions sessions = new Sessions(Duration.ofMinutes(30), Duration.ofHours(12), stamps::get);

        @Test
        @DisplayName("a new role or password (a new stamp) ends every session of that user, not of others")
        void changed() {
            stamps.put("alice", "viewer:salt1");
            stamps.put("bob", "viewer:salt2");
            Sessions.Session a1 = sessions.create("alice", Role.VIEWER);
            Sessions.Session a2 = sessions.create("alice", Role.VIEWER);
            Sessions.Session b = sessions.create("bob", Role.VIEWER);
            stamps.put("alice", "operator:salt3");
            assertNull(sessions.get(a1.id()));
            assertNull(sessions.get(a2.id()));
            assertFalse(sessions.isLive(a2.id()));
            assertEquals(b, sessions.get(b.id()));
        }

        @Test
        @DisplayName("a removed user's sessions end")
        void removed() {
            stamps.put("alice", "viewer:salt1");
            Sessions.Session a = sessions.create("alice", Role.VIEWER);
            stamps.remove("alice");
            assertNull(sessions.get(a.id()));
            stamps.put("alice", "viewer:salt1");
            assertNull(sessions.get(a.id()), "an ended session does not come back");
        }

        @Test
        @DisplayName("no session is made for a user that does not exist")
        void unknownUser() {
            org.junit.jupiter.api.Assertions.assertThrows(
                    IllegalStateException.class, () -> sessions.create("nobody", Role.ADMIN));
        }

        @Test
        @DisplayName("invalidateUser ends every session of one user")
        void invalidateUser() {
            stamps.put("alice", "a");
            stamps.put("bob", "b");
            Sessions.Session a = sessions.create("alice", Role.ADMIN);
            Sessions.Session b = sessions.create("bob", Role.ADMIN);
            sessions.invalidateUser("alice");
            assertNull(sessions.get(a.id()));
            assertNotNull(sessions.get(b.id()));
        }
    }

    @Nested
    @DisplayName("bounds")
    class Bounds {
        @Test
        @DisplayName("one user keeps at most PER_USER sessions: the least recently used ends first")
        void perUser() throws InterruptedException {
            Sessions sessions = new Sessions(Duration.ofMinutes(30));
            Sessions.Session first = sessions.create("alice", Role.VIEWER);
            Sessions.Session second = sessions.create("alice", Role.VIEWER);
            Sessions.Session other = sessions.create("bob", Role.VIEWER);
            sleep(2);
            assertNotNull(sessions.get(first.id())); // first is now used more recently than second
            for (int i = 0; i < Sessions.PER_USER - 1; i++) {
                sleep(1);
                sessions.create("alice", Role.VIEWER);
            }
            assertNull(sessions.get(second.id()), "the least recently used session should have ended");
            assertNotNull(sessions.get(first.id()));
            assertNotNull(sessions.get(other.id()), "another user's session is not touched");
            assertEquals(Sessions.PER_USER + 1, sessions.size());
        }

        @Test
        @DisplayName("isLive does not count as a use: a stream alone does not keep a session alive")
        void isLiveDoesNotTouch() throws InterruptedException {
            Sessions sessions = new Sessions(Duration.ofMillis(150));
            Sessions.Session s = sessions.create("alice", Role.VIEWER);
            for (int i = 0; i < 5; i++) {
                sleep(40);
                sessions.isLive(s.id());
            }
            assertFalse(sessions.isLive(s.id()));
            assertNull(sessions.get(s.id()));
        }
    }
}
