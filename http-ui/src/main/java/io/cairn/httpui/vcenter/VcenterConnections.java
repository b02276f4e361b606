package io.cairn.httpui.vcenter;

import io.cairn.vsphere.connect.ConnectOptions;
import io.cairn.vsphere.connect.Credentials;
import io.cairn.vsphere.connect.VsphereConnection;
import io.cairn.vsphere.connect.VsphereException;
import io.cairn.vsphere.inventory.Inventory;
import java.io.IOException;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The saved vCenter connections ({@code vcenters.json}, see {@link VcenterStore}) as the rest of the
 * web UI uses them: listed without their passwords, added and edited only after one successful login
 * with the pinned thumbprint, tested, deleted, and opened for the restores and the scheduler's
 * backups. A password is opened only for a login and wiped afterwards; it leaves this package only
 * for a VDDK transport, which logs in again per disk ({@link #credentials}).
 */
public final class VcenterConnections {
    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * A saved connection as it may be shown: everything but the sealed password.
     *
     * @param thumbprint the pinned certificate's SHA-1 or SHA-256 (upper-case hex with colons), or null when
     *     {@code insecure}
     */
    public record Saved(
            String id, String name, String url, String user, String thumbprint, boolean insecure, LastTest lastTest) {}

    /**
     * What to connect to (validated by the caller: {@code sdk} an https SDK URL, {@code thumbprint}
     * normalized and null exactly when {@code insecure}).
     */
    public record Settings(String name, URI sdk, String user, String thumbprint, boolean insecure) {}

    /**
     * How a login went: refused is a result here, not an exception.
     *
     * @param apiVersion and {@code vms} (the VMs the login sees) only when {@code ok}
     */
    public record Tested(boolean ok, String message, String apiVersion, Integer vms) {}

    private final VcenterStore store;

    private VcenterConnections(VcenterStore store) {
        this.store = store;
    }

    /**
     * The connections saved in {@code stateDir}, read now; the key sealing their passwords
     * ({@code vcenter.key}) is made at first use.
     */
    public static VcenterConnections open(java.nio.file.Path stateDir) throws IOException {
        return new VcenterConnections(VcenterStore.open(stateDir));
    }

    /** Every saved connection, in the order they were added. */
    public List<Saved> list() {
        return store.list().stream().map(VcenterConnections::saved).toList();
    }

    /** The connection with this id, if there is one. */
    public Optional<Saved> get(String id) {
        VcenterStore.Entry e = id == null ? null : store.get(id);
        return e == null ? Optional.empty() : Optional.of(saved(e));
    }

    /** The connection's display name, or empty when there is no connection with that id (any more). */
    public Optional<String> name(String id) {
        return get(id).map(Saved::name);
    }

    /**
     * Logs in once with {@code settings} and {@code password}, then saves the connection under a new
     * random id with the password sealed.
     *
     * @throws VsphereException when the login fails (wrong thumbprint, password, unreachable), naming why
     */
    public Saved add(Settings settings, char[] password) throws IOException {
        String id = HexFormat.of().formatHex(randomBytes(8));
        Tested t = login(settings.sdk(), settings.user(), password, settings.thumbprint(), settings.insecure());
        if (!t.ok()) {
            throw new VsphereException(t.message());
        }
        VcenterStore.Entry unsealed = new VcenterStore.Entry(
                id,
                settings.name(),
                settings.sdk().toString(),
                settings.user(),
                settings.thumbprint(),
                settings.insecure(),
                null,
                last(t));
        VcenterStore.Entry e = unsealed.withSealedPassword(store.seal(unsealed, password));
        store.put(e);
        return saved(e);
    }

    /**
     * Logs in once with the new settings and {@code password} (or the stored one when null), then
     * saves them; nothing changes when the login fails. The stored password goes only where it was
     * given for: a change of the URL, the user, the thumbprint or the insecure flag needs the password
     * again ({@link PasswordRequiredException}), else whoever may edit a connection could send the
     * saved password to a server of their own.
     *
     * @throws PasswordRequiredException when such a change comes without a password (nothing is changed
     *     and no login attempted)
     * @throws VsphereException when the login fails, naming why
     * @throws SealedPasswordException when no new password is given and the stored one cannot be opened
     */
    public Saved edit(String id, Settings settings, char[] password) throws IOException {
        VcenterStore.Entry old = entry(id);
        VcenterStore.Entry next = new VcenterStore.Entry(
                old.id(),
                settings.name(),
                settings.sdk().toString(),
                settings.user(),
                settings.thumbprint(),
                settings.insecure(),
                old.sealedPassword(),
                old.lastTest());
        List<String> moved = changedBinding(old, next);
        if (password == null && !moved.isEmpty()) {
            throw new PasswordRequiredException("changing the " + String.join(", ", moved) + " of vCenter connection '"
                    + old.name() + "' needs its password again");
        }
        char[] pw = password != null ? password : store.open(old);
        try {
            Tested t = login(settings.sdk(), settings.user(), pw, settings.thumbprint(), settings.insecure());
            if (!t.ok()) {
                throw new VsphereException(t.message());
            }
            VcenterStore.Entry e = next.withLastTest(last(t));
            if (password != null) {
                e = e.withSealedPassword(store.seal(e, password));
            }
            store.put(e);
            return saved(e);
        } finally {
            if (password == null) {
                Arrays.fill(pw, '\0');
            }
        }
    }

    /** What of the settings a sealed password is bound to differs between {@code a} and {@code b}, by name. */
    static List<String> changedBinding(VcenterStore.Entry a, VcenterStore.Entry b) {
        List<String> out = new java.util.ArrayList<>();
        if (!a.url().equals(b.url())) {
            out.add("URL");
        }
        if (!a.user().equals(b.user())) {
            out.add("user");
        }
        if (!java.util.Objects.equals(a.thumbprint(), b.thumbprint())) {
            out.add("thumbprint");
        }
        if (a.insecure() != b.insecure()) {
            out.add("certificate check (insecure)");
        }
        return out;
    }

    /** What an edit from {@code id}'s current settings to {@code settings} changes, by name (for the audit log). */
    public List<String> changes(String id, Settings settings) throws VsphereException {
        VcenterStore.Entry old = entry(id);
        List<String> out = new java.util.ArrayList<>();
        if (!old.name().equals(settings.name())) {
            out.add("name");
        }
        out.addAll(changedBinding(
                old,
                new VcenterStore.Entry(
                        old.id(),
                        settings.name(),
                        settings.sdk().toString(),
                        settings.user(),
                        settings.thumbprint(),
                        settings.insecure(),
                        null,
                        null)));
        return out;
    }

    /** Removes the connection; false when there was none. */
    public boolean delete(String id) throws IOException {
        return store.remove(id);
    }

    /** Logs in with the stored settings and password and records the outcome as the connection's last test. */
    public Tested test(String id) throws IOException {
        VcenterStore.Entry e = entry(id);
        char[] password = store.open(e);
        Tested t;
        try {
            t = login(URI.create(e.url()), e.user(), password, e.thumbprint(), e.insecure());
        } finally {
            Arrays.fill(password, '\0');
        }
        VcenterStore.Entry now = store.get(e.id());
        if (now != null) {
            store.put(now.withLastTest(last(t)));
        }
        return t;
    }

    /**
     * Logs in with a saved connection.
     *
     * @throws VsphereException when the connection was deleted, or the login is refused
     * @throws SealedPasswordException when its stored password cannot be opened
     */
    public VsphereConnection open(String id) throws IOException {
        VcenterStore.Entry e = store.get(id);
        if (e == null) {
            throw new VsphereException("the vCenter connection " + id + " no longer exists; choose another one");
        }
        char[] password = store.open(e);
        try {
            return VsphereConnection.connect(
                    new ConnectOptions(URI.create(e.url()), e.user(), password, e.thumbprint(), e.insecure()));
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    /**
     * The saved user and password, for a VDDK transport (VixDiskLib logs in to the server again for
     * each disk): the caller wipes the password once the run is over.
     *
     * @throws VsphereException when the connection was deleted
     */
    public Credentials credentials(String id) throws IOException {
        VcenterStore.Entry e = entry(id);
        return new Credentials(e.user(), store.open(e));
    }

    private VcenterStore.Entry entry(String id) throws VsphereException {
        VcenterStore.Entry e = id == null ? null : store.get(id);
        if (e == null) {
            throw new VsphereException("the vCenter connection " + id + " no longer exists");
        }
        return e;
    }

    /** Logs in once and counts the VMs; a refusal is a result, not an exception. */
    private static Tested login(URI sdk, String user, char[] password, String thumbprint, boolean insecure) {
        try (VsphereConnection c =
                VsphereConnection.connect(new ConnectOptions(sdk, user, password, thumbprint, insecure))) {
            int vms = Inventory.vms(c).size();
            String kind = c.isVCenter() ? "vCenter Server" : "ESXi host";
            return new Tested(
                    true,
                    "logged in to " + kind + " " + sdk.getHost() + " as " + user + " (API " + c.apiVersion() + ", "
                            + vms + " VMs)",
                    c.apiVersion(),
                    vms);
        } catch (VsphereException e) {
            return new Tested(false, oneLine(e), null, null);
        } catch (RuntimeException e) {
            return new Tested(false, "connecting to " + sdk + " failed: " + oneLine(e), null, null);
        }
    }

    private static LastTest last(Tested t) {
        return new LastTest(Instant.now().toString(), t.ok(), t.message());
    }

    private static Saved saved(VcenterStore.Entry e) {
        return new Saved(e.id(), e.name(), e.url(), e.user(), e.thumbprint(), e.insecure(), e.lastTest());
    }

    private static String oneLine(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return m.lines().findFirst().orElse(m);
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }
}
