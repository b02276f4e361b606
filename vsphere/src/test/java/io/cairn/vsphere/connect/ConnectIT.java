package io.cairn.vsphere.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.vmware.vim25.ServiceContent;
import io.cairn.vsphere.inventory.Inventory;
import io.cairn.vsphere.testing.Vcsim;
import java.net.URI;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Connecting to vcsim (started by scripts/vcsim with -username u -password p): pins, refusals, re-login. */
@DisplayName("Connecting to vcsim")
class ConnectIT {
    private static Vcsim vcsim;

    @BeforeAll
    static void start() throws Exception {
        vcsim = Vcsim.start("-username", "u", "-password", "p");
    }

    @AfterAll
    static void stop() throws Exception {
        if (vcsim != null) {
            vcsim.close();
        }
    }

    private static ConnectOptions options(String password, String thumbprint, boolean insecure) {
        return new ConnectOptions(URI.create(vcsim.url()), "u", password.toCharArray(), thumbprint, insecure);
    }

    @Test
    @DisplayName("connects with a SHA-1 pin and with a SHA-256 pin (no colons, lower case)")
    void pinned() throws Exception {
        try (VsphereConnection c = VsphereConnection.connect(options("p", Vcsim.SHA1, false))) {
            assertTrue(c.isVCenter());
            assertNotNull(c.apiVersion());
            assertNotNull(c.instanceUuid());
            assertTrue(c.sessionCookie().startsWith("vmware_soap_session="), c.sessionCookie());
            URI base = URI.create(vcsim.url().replace("/sdk", ""));
            assertEquals(base, c.serverBase());
            assertEquals(URI.create(vcsim.url()), c.sdkUri());
        }
        String sha256 = Vcsim.SHA256.replace(":", "").toLowerCase();
        try (VsphereConnection c = VsphereConnection.connect(options("p", sha256, false))) {
            assertEquals(4, Inventory.vms(c).size());
        }
    }

    @Test
    @DisplayName("speaks the server's own version when the binding covers it (vcsim: 6.5), and says nothing is lost")
    void negotiatedOlder() throws Exception {
        try (VsphereConnection c = VsphereConnection.connect(options("p", Vcsim.SHA1, false))) {
            assertEquals("6.5", c.apiVersion());
            assertEquals(ApiVersion.parse("6.5"), c.negotiatedApiVersion());
            assertTrue(c.bindingLimit().isEmpty());
        }
    }

    @Test
    @DisplayName("speaks 7.0.0.0 to a vSphere 8 server (vcsim -api-version 8.0.2.0) and names what that cannot carry")
    void negotiatedNewer() throws Exception {
        try (Vcsim eight = Vcsim.start("-api-version", "8.0.2.0");
                VsphereConnection c = VsphereConnection.connect(
                        new ConnectOptions(URI.create(eight.url()), "u", "p".toCharArray(), Vcsim.SHA1, false))) {
            assertEquals("8.0.2.0", c.apiVersion());
            assertEquals(ApiVersion.BINDING, c.negotiatedApiVersion());
            String limit = c.bindingLimit().orElseThrow();
            assertTrue(limit.contains("8.0.2.0") && limit.contains("7.0.0.0") && limit.contains("lack them"), limit);
            assertEquals(4, Inventory.vms(c).size(), "the session works in 7.0's terms");
        }
    }

    @Test
    @DisplayName("refuses a thumbprint mismatch, showing the expected and the server's thumbprint")
    void mismatch() {
        String wrong = "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33";
        VsphereException e =
                assertThrows(VsphereException.class, () -> VsphereConnection.connect(options("p", wrong, false)));
        assertTrue(e.getMessage().contains(wrong) && e.getMessage().contains(Vcsim.SHA1), e.getMessage());
    }

    @Test
    @DisplayName("without pin or insecure, refuses and shows the server's SHA-1 and SHA-256 thumbprints")
    void unpinned() {
        VsphereException e =
                assertThrows(VsphereException.class, () -> VsphereConnection.connect(options("p", null, false)));
        assertTrue(
                e.getMessage().contains(Vcsim.SHA1)
                        && e.getMessage().contains(Vcsim.SHA256)
                        && e.getMessage().contains("--thumbprint")
                        && e.getMessage().contains("--insecure"),
                e.getMessage());
    }

    @Test
    @DisplayName(
            "the thumbprint handed to VixDiskLib is the pinned certificate's: a different certificate served afterwards never replaces it")
    void thumbprintForVddkIsTheVerifiedOne(@TempDir Path tmp) throws Exception {
        int vcsimPort = URI.create(vcsim.url()).getPort();
        try (Diversion mitm = Diversion.to(vcsimPort, tmp)) {
            URI url = URI.create("https://127.0.0.1:" + mitm.port() + "/sdk");
            // pinned by SHA-256: the SHA-1 VixDiskLib needs must come from the verified certificate
            try (VsphereConnection c =
                    VsphereConnection.connect(new ConnectOptions(url, "u", "p".toCharArray(), Vcsim.SHA256, false))) {
                mitm.divert(); // from now on a new connection meets another certificate
                assertEquals(Vcsim.SHA1, c.serverThumbprintSha1());
            }
            // and a connection pinned to vcsim that meets the impostor is refused, naming both thumbprints
            VsphereException e = assertThrows(
                    VsphereException.class,
                    () -> VsphereConnection.connect(
                            new ConnectOptions(url, "u", "p".toCharArray(), Vcsim.SHA1, false)));
            assertTrue(e.getMessage().contains("expected " + Vcsim.SHA1), e.getMessage());
        }
    }

    @Test
    @DisplayName("insecure accepts the certificate")
    void insecure() throws Exception {
        try (VsphereConnection c = VsphereConnection.connect(options("p", null, true))) {
            assertTrue(c.isVCenter());
        }
    }

    @Test
    @DisplayName("a wrong password gives a clear message without the password")
    void wrongPassword() {
        VsphereException e = assertThrows(
                VsphereException.class, () -> VsphereConnection.connect(options("wrong-secret", Vcsim.SHA1, false)));
        assertEquals("login to " + vcsim.url() + " as u failed: incorrect user name or password", e.getMessage());
        assertFalse(e.getMessage().contains("wrong-secret"));
    }

    @Test
    @DisplayName("logs in again when the session was lost (Logout behind the proxy's back), for concurrent callers too")
    void relogin() throws Exception {
        try (VsphereConnection c = VsphereConnection.connect(options("p", Vcsim.SHA1, false))) {
            ServiceContent sc = c.serviceContent();
            String before = c.sessionCookie();
            c.port().logout(sc.getSessionManager());
            assertEquals(4, Inventory.vms(c).size());
            assertNotNull(c.sessionCookie());
            assertFalse(before.equals(c.sessionCookie()), "a new session cookie after the re-login");

            c.port().logout(sc.getSessionManager());
            Thread[] threads = new Thread[4];
            Throwable[] failures = new Throwable[threads.length];
            for (int i = 0; i < threads.length; i++) {
                int n = i;
                threads[i] = new Thread(() -> {
                    try {
                        assertEquals(4, Inventory.vms(c).size());
                    } catch (Throwable t) {
                        failures[n] = t;
                    }
                });
                threads[i].start();
            }
            for (int i = 0; i < threads.length; i++) {
                threads[i].join();
                if (failures[i] != null) {
                    throw new AssertionError("thread " + i + " failed", failures[i]);
                }
            }
        }
    }
}
