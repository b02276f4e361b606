package io.cairn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.cairn.vsphere.testing.Vcsim;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@code cairn vms} (the real jar) against vcsim started by ../scripts/vcsim; fails, never skips, without vcsim. */
@DisplayName("cairn vms against vcsim")
class VmsIT {
    private static final String SHA1 = Vcsim.SHA1;
    private static final Map<String, String> ENV = Map.of("CAIRN_VC_USER", "user", "CAIRN_VC_PASSWORD", "pass");
    private static Vcsim vcsim;
    private static String url;

    @BeforeAll
    static void start() throws Exception {
        vcsim = Vcsim.start();
        url = vcsim.url();
    }

    @AfterAll
    static void stop() throws Exception {
        if (vcsim != null) {
            vcsim.close();
        }
    }

    @Test
    @DisplayName("prints a table of the selected VMs")
    void table() {
        try (Cairn cairn = new Cairn()) {
            Cairn.Result r = cairn.run(ENV, "vms", "--vc", url, "--thumbprint", SHA1, "-s", "any:")
                    .ok();
            assertTrue(r.out().contains("NAME") && r.out().contains("INSTANCE UUID"), r.describe());
            for (String vm : new String[] {"DC0_H0_VM0", "DC0_H0_VM1", "DC0_C0_RP0_VM0", "DC0_C0_RP0_VM1"}) {
                assertTrue(r.out().contains(vm), r.describe());
            }
            assertTrue(r.out().contains("poweredOn") && r.out().contains("4 VMs"), r.describe());
            Cairn.Result one = cairn.run(ENV, "vms", "--vc", url, "--thumbprint", SHA1, "-s", "name:DC0_H0_VM1")
                    .ok();
            assertTrue(
                    one.out().contains("DC0_H0_VM1")
                            && !one.out().contains("DC0_H0_VM0")
                            && one.out().contains("1 VM"),
                    one.describe());
        }
    }

    @Test
    @DisplayName("--json gives name, moRef, instanceUuid, IP and power state")
    void json() {
        try (Cairn cairn = new Cairn()) {
            JsonNode arr = cairn.run(
                            ENV,
                            "vms",
                            "--vc",
                            url,
                            "--thumbprint",
                            SHA1.replace(":", ""),
                            "-s",
                            "powerstate:on",
                            "--json")
                    .ok()
                    .json();
            assertEquals(4, arr.size());
            JsonNode first = arr.get(0);
            assertTrue(first.get("moRef").asText().startsWith("vm-"), first.toString());
            assertTrue(first.hasNonNull("instanceUuid") && first.has("ipAddress"), first.toString());
            assertEquals("poweredOn", first.get("powerState").asText());
        }
    }

    @Test
    @DisplayName("a spec that matches nothing: exit 1, one line")
    void noMatch() {
        try (Cairn cairn = new Cairn()) {
            cairn.run(ENV, "vms", "--vc", url, "--thumbprint", SHA1, "-s", "name:nope")
                    .expectFailure(1, "vms", "no VM matches name:nope");
        }
    }

    @Test
    @DisplayName("a thumbprint mismatch: exit 1, one line naming both thumbprints")
    void mismatch() {
        String wrong = "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33";
        try (Cairn cairn = new Cairn()) {
            cairn.run(ENV, "vms", "--vc", url, "--thumbprint", wrong, "-s", "any:")
                    .expectFailure(1, "vms", wrong, SHA1);
        }
    }

    @Test
    @DisplayName("no pin and no --insecure: exit 1, one line with the server's thumbprints")
    void unpinned() {
        try (Cairn cairn = new Cairn()) {
            cairn.run(ENV, "vms", "--vc", url, "-s", "any:")
                    .expectFailure(1, "vms", SHA1, "--thumbprint", "--insecure");
        }
    }
}
