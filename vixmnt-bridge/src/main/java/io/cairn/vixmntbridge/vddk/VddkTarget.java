package io.cairn.vixmntbridge.vddk;

import com.sun.jna.Memory;
import io.cairn.vixmntbridge.vddk.jna.VixDiskLibConnectParams;
import io.cairn.vixmntbridge.vddk.jna.VixDiskLibNative;
import java.util.Objects;

/**
 * One disk of one VM snapshot, reached through vCenter or ESXi with VixDiskLib.
 *
 * @param server vCenter or ESXi host name
 * @param port HTTPS port of {@code server}, 0 for 443
 * @param thumbprint SHA-1 thumbprint of {@code server}'s certificate ({@code AA:BB:…})
 * @param userName vSphere user
 * @param password its password (copied to native memory only for the connection, then wiped)
 * @param vmMoref managed object id of the VM ({@code vm-42})
 * @param snapshotMoref the snapshot whose disks are read ({@code snapshot-7}); for a SAN restore the
 *        snapshot taken before writing to the base disk
 * @param diskPath datastore path of the disk ({@code [ds1] vm/vm.vmdk})
 * @param esxHost the ESXi host that runs the VM (SAN streams are counted per host)
 * @param transport how to reach the disk; must need the VDDK
 * @param readOnly open for reading only (backups)
 * @param placement the kind of datastore the disk lives on and whether it is thin, which decide the
 *     transports VixDiskLib may try ({@link #transportModes})
 */
public record VddkTarget(
        String server,
        int port,
        String thumbprint,
        String userName,
        String password,
        String vmMoref,
        String snapshotMoref,
        String diskPath,
        String esxHost,
        Transport transport,
        boolean readOnly,
        Placement placement) {

    public VddkTarget {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(thumbprint, "thumbprint");
        Objects.requireNonNull(userName, "userName");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(vmMoref, "vmMoref");
        Objects.requireNonNull(diskPath, "diskPath");
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(placement, "placement");
        if (!transport.needsVddk()) {
            throw new IllegalArgumentException("transport " + transport.cliName() + " does not use the VDDK");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port);
        }
    }

    /**
     * The {@code transportModes} list for {@code VixDiskLib_ConnectEx}: the transport asked for, except
     * where VMware's rules ({@link Placement}) say otherwise.
     *
     * <ul>
     *   <li>A disk on a host's local datastore is on no LUN a backup proxy can see, so SAN cannot reach
     *       it and hot-add only works from a proxy on the same host. Left to itself VixDiskLib would try
     *       its default order ({@code file:san:hotadd:nbd}) and end on unencrypted {@code nbd}; cairn
     *       asks for {@code nbdssl} explicitly instead (after {@code hotadd} if that was asked for).</li>
     *   <li>SAN never reaches a disk on a VVol datastore, and never writes a thin disk: those get
     *       {@code nbdssl}.</li>
     * </ul>
     */
    public String transportModes() {
        if (local()) {
            return null; // a local file: VixDiskLib's "file" mode, nothing to choose
        }
        if (placement.localDatastore()) {
            return transport == Transport.HOTADD ? "hotadd:nbdssl" : Transport.NBDSSL.vddkMode();
        }
        if (transport == Transport.SAN && (placement.vvol() || (!readOnly && placement.thin()))) {
            return Transport.NBDSSL.vddkMode();
        }
        return transport.vddkMode();
    }

    /**
     * The transport the disk will be opened with when VixDiskLib takes the first mode of
     * {@link #transportModes}: what decides whether a restore snapshot is needed.
     */
    public Transport effectiveTransport() {
        String first = transportModes().split(":")[0];
        for (Transport t : Transport.values()) {
            if (t.needsVddk() && t.vddkMode().equals(first)) {
                return t;
            }
        }
        throw new IllegalStateException("no transport " + first);
    }

    /** Whether the connection will use SAN (and so count against the host's SAN streams). */
    boolean usesSan() {
        return Transport.SAN.vddkMode().equals(transportModes());
    }

    /**
     * A VMDK file on this machine ({@code descriptor}, absolute), reached through a local connection:
     * no server, no VM, no snapshot, no login, no {@code PrepareForAccess} (VixDiskLib's own mode for
     * local files). cairn's VixMntapi mount opens a backup's disk this way, from its FUSE mount.
     */
    public static VddkTarget local(java.nio.file.Path descriptor, boolean readOnly) {
        if (!descriptor.isAbsolute()) {
            throw new IllegalArgumentException("a local disk is named by an absolute path, not " + descriptor);
        }
        return new VddkTarget(
                "",
                0,
                "",
                "",
                "",
                "",
                null,
                descriptor.toString(),
                null,
                Transport.NBD,
                readOnly,
                Placement.SHARED_THICK);
    }

    /** Whether this is a local file ({@link #local(java.nio.file.Path, boolean)}), not a disk on a server. */
    public boolean local() {
        return server.isEmpty();
    }

    /**
     * A zero-filled VixDiskLibConnectParams in its own native memory (free it with
     * {@code ((Memory) p.getPointer()).close()}), whose strings live in {@code strings}.
     *
     * @param withVm false for {@code VixDiskLib_Cleanup}, which wants {@code vmxSpec} NULL
     */
    VixDiskLibConnectParams connectParams(CStrings strings, boolean withVm) {
        VixDiskLibConnectParams p = new VixDiskLibConnectParams();
        ((Memory) p.getPointer()).clear();
        if (local()) {
            // every string NULL: VixDiskLib's local connection
            p.specType = VixDiskLibNative.VIXDISKLIB_SPEC_VMX;
            p.write();
            return p;
        }
        p.vmxSpec = withVm ? strings.of("moref=" + vmMoref) : null;
        p.serverName = strings.of(server);
        p.thumbPrint = strings.of(thumbprint);
        p.credType = VixDiskLibNative.VIXDISKLIB_CRED_UID;
        p.creds.setType(VixDiskLibConnectParams.UidPasswd.class);
        p.creds.uid.userName = strings.of(userName);
        p.creds.uid.password = strings.of(password);
        p.port = port;
        p.nfcHostPort = 0; // 902
        p.specType = VixDiskLibNative.VIXDISKLIB_SPEC_VMX;
        p.write();
        return p;
    }

    @Override
    public String toString() {
        if (local()) {
            return diskPath + " (local" + (readOnly ? ", read-only)" : ")");
        }
        return diskPath + " of " + vmMoref + (snapshotMoref == null ? "" : "@" + snapshotMoref) + " via " + userName
                + "@" + server + " (" + transportModes() + (readOnly ? ", read-only" : "") + ")";
    }
}
