package io.cairn.operations.disk;

import io.cairn.vixmntbridge.vddk.Placement;
import io.cairn.vixmntbridge.vddk.Transport;
import io.cairn.vixmntbridge.vddk.VddkTarget;
import io.cairn.vsphere.connect.Credentials;
import io.cairn.vsphere.connect.VsphereConnection;
import io.cairn.vsphere.connect.VsphereException;

/**
 * VixDiskLib's view of a disk on the server cairn is connected to: the server's host and port, the
 * SHA-1 thumbprint of the certificate cairn's pinned connection verified (never one read from an
 * unverified handshake), the login.
 */
final class Targets {
    private Targets() {}

    static VddkTarget of(
            VsphereConnection c,
            Credentials credentials,
            String vmMoRef,
            String snapshot,
            String fileName,
            String esxHost,
            Transport transport,
            boolean readOnly,
            Placement placement)
            throws VsphereException {
        var server = c.serverBase();
        return new VddkTarget(
                server.getHost(),
                server.getPort() < 0 ? 0 : server.getPort(),
                c.serverThumbprintSha1(),
                credentials.user(),
                new String(credentials.password()),
                vmMoRef,
                snapshot,
                fileName,
                esxHost,
                transport,
                readOnly,
                placement);
    }

    /** The server alone, for {@code VixDiskLib_Cleanup} (which takes no VM: its vmxSpec is NULL). */
    static VddkTarget forCleanup(VsphereConnection c, Credentials credentials, String vmMoRef, Transport transport)
            throws VsphereException {
        return of(c, credentials, vmMoRef, null, "(cleanup)", null, transport, true, Placement.SHARED_THICK);
    }
}
