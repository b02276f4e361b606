package io.cairn.httpui.vcenter;

import io.cairn.vsphere.connect.ConnectOptions;
import io.cairn.vsphere.connect.Credentials;
import io.cairn.vsphere.connect.VsphereConnection;
import io.cairn.vsphere.connect.VsphereException;
import java.io.IOException;
import java.net.URI;
import java.util.Arrays;
import java.util.Optional;

/**
 * The saved vCenter connections as other parts of the web UI use them (the scheduler's backups):
 * look one up by id and log in with its pinned thumbprint and sealed password. The password is
 * opened only for the login and wiped afterwards; it leaves this class only for a VDDK transport,
 * which logs in again per disk ({@link #credentials}).
 */
public final class VcenterConnections {
    private final VcenterStore store;

    VcenterConnections(VcenterStore store) {
        this.store = store;
    }

    /**
     * The connections saved in {@code stateDir}, read now (for tools and tests outside the server;
     * the server uses the one {@link VcenterApi#register} returns, which sees its edits).
     */
    public static VcenterConnections open(java.nio.file.Path stateDir) throws IOException {
        return new VcenterConnections(VcenterStore.open(stateDir));
    }

    /** The connection's display name, or empty when there is no connection with that id (any more). */
    public Optional<String> name(String id) {
        VcenterStore.Entry e = id == null ? null : store.get(id);
        return e == null ? Optional.empty() : Optional.of(e.name());
    }

    /**
     * Logs in with a saved connection.
     *
     * @throws VsphereException when the connection was deleted, or the login is refused
     */
    public VsphereConnection open(String id) throws IOException {
        VcenterStore.Entry e = store.get(id);
        if (e == null) {
            throw new VsphereException("the vCenter connection " + id + " no longer exists; choose another one");
        }
        return open(e);
    }

    /**
     * The saved user and password, for a VDDK transport (VixDiskLib logs in to the server again for
     * each disk): the caller wipes the password once the run is over.
     *
     * @throws VsphereException when the connection was deleted
     */
    public Credentials credentials(String id) throws IOException {
        VcenterStore.Entry e = store.get(id);
        if (e == null) {
            throw new VsphereException("the vCenter connection " + id + " no longer exists; choose another one");
        }
        return new Credentials(e.user(), store.open(e));
    }

    VsphereConnection open(VcenterStore.Entry e) throws IOException {
        char[] password = store.open(e);
        try {
            return VsphereConnection.connect(
                    new ConnectOptions(URI.create(e.url()), e.user(), password, e.thumbprint(), e.insecure()));
        } finally {
            Arrays.fill(password, '\0');
        }
    }
}
