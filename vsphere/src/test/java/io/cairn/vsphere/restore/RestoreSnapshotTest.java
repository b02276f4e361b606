package io.cairn.vsphere.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RestoreSnapshotTest {
    @Test
    @DisplayName("SAN and HotAdd need a restore snapshot, NBD/NBDSSL may do without, https and VVol take none")
    void table() {
        assertEquals(RestoreSnapshot.REQUIRED, RestoreSnapshot.forTransport("san", false));
        assertEquals(RestoreSnapshot.REQUIRED, RestoreSnapshot.forTransport("hotadd", false));
        assertEquals(RestoreSnapshot.OPTIONAL, RestoreSnapshot.forTransport("nbd", false));
        assertEquals(RestoreSnapshot.OPTIONAL, RestoreSnapshot.forTransport("NBDSSL", false));
        assertEquals(RestoreSnapshot.NONE, RestoreSnapshot.forTransport("https", false));
        for (String t : new String[] {"san", "hotadd", "nbd", "nbdssl", "https"}) {
            assertEquals(RestoreSnapshot.NONE, RestoreSnapshot.forTransport(t, true), t + " on VVol");
        }
        assertTrue(RestoreSnapshot.REQUIRED.taken());
        assertFalse(RestoreSnapshot.OPTIONAL.taken());
        assertThrows(IllegalArgumentException.class, () -> RestoreSnapshot.forTransport("ftp", false));
    }
}
