package io.cairn.vsphere.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RestoreSnapshotTest {
    @Test
    @DisplayName(
            "the Programming Guide's rule: SAN needs a restore snapshot, HotAdd/NBD/NBDSSL may do without, VVol forbids one, https takes none")
    void table() {
        assertEquals(RestoreSnapshot.REQUIRED, RestoreSnapshot.forTransport("san", false));
        assertEquals(RestoreSnapshot.OPTIONAL, RestoreSnapshot.forTransport("hotadd", false));
        assertEquals(RestoreSnapshot.OPTIONAL, RestoreSnapshot.forTransport("nbd", false));
        assertEquals(RestoreSnapshot.OPTIONAL, RestoreSnapshot.forTransport("NBDSSL", false));
        assertEquals(RestoreSnapshot.NONE, RestoreSnapshot.forTransport("https", false));
        for (String t : new String[] {"san", "hotadd", "nbd", "nbdssl", "https"}) {
            assertEquals(RestoreSnapshot.FORBIDDEN, RestoreSnapshot.forTransport(t, true), t + " on VVol");
        }
        assertTrue(RestoreSnapshot.REQUIRED.taken());
        for (RestoreSnapshot s :
                new RestoreSnapshot[] {RestoreSnapshot.OPTIONAL, RestoreSnapshot.FORBIDDEN, RestoreSnapshot.NONE}) {
            assertFalse(s.taken(), s.name());
        }
        assertThrows(IllegalArgumentException.class, () -> RestoreSnapshot.forTransport("ftp", false));
    }
}
