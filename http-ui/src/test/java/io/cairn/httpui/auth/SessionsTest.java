package io.cairn.httpui.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
}
