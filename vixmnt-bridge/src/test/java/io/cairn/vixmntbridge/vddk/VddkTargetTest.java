package io.cairn.vixmntbridge.vddk;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The transport list cairn hands VixDiskLib_ConnectEx for each placement of a disk (VMware's rules). */
class VddkTargetTest {

    static VddkTarget target(Transport t, boolean readOnly, Placement p) {
        return new VddkTarget(
                "vc", 443, "AA:BB", "u", "p", "vm-1", "snapshot-2", "[ds] vm/vm.vmdk", "esx1", t, readOnly, p);
    }

    static String modes(Transport t, boolean readOnly, Placement p) {
        return target(t, readOnly, p).transportModes();
    }

    @Test
    @DisplayName("a disk on a shared thick datastore gets the transport asked for, alone")
    void asAsked() {
        for (Transport t : new Transport[] {Transport.NBD, Transport.NBDSSL, Transport.HOTADD, Transport.SAN}) {
            assertEquals(t.vddkMode(), modes(t, true, Placement.SHARED_THICK));
            assertEquals(t.vddkMode(), modes(t, false, Placement.SHARED_THICK));
            assertEquals(t, target(t, false, Placement.SHARED_THICK).effectiveTransport());
        }
    }

    @Test
    @DisplayName("a disk on a local datastore is read with nbdssl asked for explicitly, after hotadd if asked")
    void local() {
        Placement local = new Placement(true, false, false);
        assertEquals("nbdssl", modes(Transport.SAN, true, local));
        assertEquals("nbdssl", modes(Transport.NBDSSL, true, local));
        assertEquals("hotadd:nbdssl", modes(Transport.HOTADD, true, local));
        assertEquals(Transport.HOTADD, target(Transport.HOTADD, true, local).effectiveTransport());
        assertEquals(Transport.NBDSSL, target(Transport.SAN, false, local).effectiveTransport());
    }

    @Test
    @DisplayName("SAN writes a thin disk never: nbdssl instead; a thin disk is still read over SAN")
    void thin() {
        Placement thin = new Placement(false, false, true);
        assertEquals("nbdssl", modes(Transport.SAN, false, thin));
        assertEquals(Transport.NBDSSL, target(Transport.SAN, false, thin).effectiveTransport());
        assertEquals("san", modes(Transport.SAN, true, thin));
        assertEquals("hotadd", modes(Transport.HOTADD, false, thin));
    }

    @Test
    @DisplayName("SAN never reaches a disk on a VVol datastore, for reading or writing: nbdssl instead")
    void vvol() {
        Placement vvol = new Placement(false, true, false);
        assertEquals("nbdssl", modes(Transport.SAN, true, vvol));
        assertEquals("nbdssl", modes(Transport.SAN, false, vvol));
        assertEquals("nbd", modes(Transport.NBD, false, vvol));
    }
}
