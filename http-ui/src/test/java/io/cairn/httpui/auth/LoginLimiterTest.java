package io.cairn.httpui.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("LoginLimiter")
class LoginLimiterTest {
    @Test
    @DisplayName("an IPv6 client is counted by its /64: fresh addresses of one network share one budget")
    void ipv6ByNetwork() {
        LoginLimiter l = new LoginLimiter(3, Duration.ofMinutes(1));
        for (int i = 1; i <= 3; i++) {
            l.failed("admin", "2001:db8:1:2::" + Integer.toHexString(i));
        }
        assertFalse(l.allowed("admin", "2001:db8:1:2:ffff::9"), "another address of the same /64");
        assertFalse(l.allowed("admin", "[2001:db8:1:2::77]"), "written with brackets");
        assertTrue(l.allowed("admin", "2001:db8:1:3::1"), "another /64 has its own budget");
        assertTrue(l.allowed("admin", "10.0.0.1"));
    }

    @Test
    @DisplayName("allows the first attempts, and refuses once max failures are in the window")
    void locksOut() {
        LoginLimiter l = new LoginLimiter(5, Duration.ofMinutes(1));
        for (int i = 0; i < 5; i++) {
            assertTrue(l.allowed("admin", "10.0.0.1"), "refused after " + i + " failures");
            l.failed("admin", "10.0.0.1");
        }
        assertFalse(l.allowed("admin", "10.0.0.1"));
        assertFalse(l.allowed("admin", "10.0.0.1"), "asking again must not lift the lock");
    }

    @Test
    @DisplayName("counts per user name and client address: other names and other addresses are not locked")
    void perKey() {
        LoginLimiter l = new LoginLimiter(3, Duration.ofMinutes(1));
        for (int i = 0; i < 3; i++) {
            l.failed("admin", "10.0.0.1");
        }
        assertFalse(l.allowed("admin", "10.0.0.1"));
        assertTrue(l.allowed("admin", "10.0.0.2"), "another address is locked out too");
        assertTrue(l.allowed("bob", "10.0.0.1"), "another user name is locked out too");
        assertTrue(l.allowed("Admin", "10.0.0.1"), "user names are case-sensitive, so is the count");
    }

    @Test
    @DisplayName("a user name and address cannot be shifted into another pair's count")
    void keysDoNotCollide() {
        LoginLimiter l = new LoginLimiter(1, Duration.ofMinutes(1));
        l.failed("a", "b c");
        assertFalse(l.allowed("a", "b c"));
        assertTrue(l.allowed("a b", "c"));
        assertTrue(l.allowed("a", "bc"));
    }

    @Test
    @DisplayName("with max 1, a single failure locks out")
    void maxOne() {
        LoginLimiter l = new LoginLimiter(1, Duration.ofMinutes(1));
        assertTrue(l.allowed("admin", "::1"));
        l.failed("admin", "::1");
        assertFalse(l.allowed("admin", "::1"));
    }

    @Test
    @DisplayName("is a sliding window: each failure ages out on its own, not all at once")
    void slidingWindow() throws InterruptedException {
        // Failures at t=0 and t≈200 ms in a 300 ms window, max 2; sleeps of at most 100 ms.
        LoginLimiter l = new LoginLimiter(2, Duration.ofMillis(300));
        l.failed("admin", "10.0.0.1");
        Thread.sleep(100);
        Thread.sleep(100);
        l.failed("admin", "10.0.0.1");
        assertFalse(l.allowed("admin", "10.0.0.1"), "2 failures within the window");
        Thread.sleep(100);
        Thread.sleep(10);
        // t≈310 ms: the first failure is out of the window, the second (t≈200 ms) still in it.
        assertTrue(l.allowed("admin", "10.0.0.1"), "the first failure did not age out");
        l.failed("admin", "10.0.0.1");
        assertFalse(l.allowed("admin", "10.0.0.1"), "the second failure aged out with the first");
    }

    @Test
    @DisplayName("a successful login forgets the pair's failures")
    void successResets() {
        LoginLimiter l = new LoginLimiter(5, Duration.ofMinutes(1));
        for (int i = 0; i < 4; i++) {
            l.failed("admin", "10.0.0.1");
        }
        l.succeeded("admin", "10.0.0.1");
        l.failed("admin", "10.0.0.1");
        assertTrue(l.allowed("admin", "10.0.0.1"), "one failure after a success locked the user out");
    }

    @Test
    @DisplayName("a flood of failures under made-up names stays bounded and never lifts an existing lockout")
    void floodKeepsLockout() {
        LoginLimiter l = new LoginLimiter(3, Duration.ofMinutes(1), 1000);
        for (int i = 0; i < 3; i++) {
            l.failed("admin", "10.0.0.1");
        }
        assertFalse(l.allowed("admin", "10.0.0.1"));
        for (int i = 0; i < 5000; i++) {
            l.failed("nobody-" + i, "203.0.113.7");
        }
        assertTrue(l.tracked() <= 1000, "tracked pairs: " + l.tracked());
        assertFalse(l.allowed("admin", "10.0.0.1"), "the flood lifted admin's lockout");
    }

    @Test
    @DisplayName("per address: failures under ever new user names are refused once the address's budget is used")
    void perAddress() {
        LoginLimiter l = new LoginLimiter(5, 20, Duration.ofMinutes(1));
        for (int i = 0; i < 20; i++) {
            String name = "random-" + i;
            assertNull(l.check(name, "203.0.113.7"), "refused after " + i + " failures");
            l.failed(name, "203.0.113.7");
        }
        assertEquals(LoginLimiter.Refusal.ADDRESS, l.check("never-tried", "203.0.113.7"));
        assertEquals(LoginLimiter.Refusal.ADDRESS, l.check("admin", "203.0.113.7"));
        assertNull(l.check("admin", "10.0.0.1"), "another address is refused too");
    }

    @Test
    @DisplayName("a success clears its pair but not its address: one known account buys no more guesses")
    void successKeepsAddressCount() {
        LoginLimiter l = new LoginLimiter(5, 3, Duration.ofMinutes(1));
        l.failed("a", "10.0.0.1");
        l.failed("b", "10.0.0.1");
        l.succeeded("mine", "10.0.0.1");
        l.failed("c", "10.0.0.1");
        assertEquals(LoginLimiter.Refusal.ADDRESS, l.check("mine", "10.0.0.1"));
    }

    @Test
    @DisplayName("the per-user count still applies below the address's budget")
    void userBeforeAddress() {
        LoginLimiter l = new LoginLimiter(2, 20, Duration.ofMinutes(1));
        l.failed("admin", "10.0.0.1");
        l.failed("admin", "10.0.0.1");
        assertEquals(LoginLimiter.Refusal.USER, l.check("admin", "10.0.0.1"));
        assertNull(l.check("bob", "10.0.0.1"));
    }

    @Test
    @DisplayName("a flood from many addresses stays bounded and keeps a locked-out address locked out")
    void addressFloodBounded() {
        LoginLimiter l = new LoginLimiter(5, 3, Duration.ofMinutes(1), 1000);
        for (int i = 0; i < 3; i++) {
            l.failed("x" + i, "10.0.0.1");
        }
        for (int i = 0; i < 5000; i++) {
            l.failed("n", "198.51.100." + (i % 250) + "-" + i);
        }
        assertTrue(l.trackedAddresses() <= 1000, "tracked addresses: " + l.trackedAddresses());
        assertEquals(LoginLimiter.Refusal.ADDRESS, l.check("anyone", "10.0.0.1"));
    }
}
