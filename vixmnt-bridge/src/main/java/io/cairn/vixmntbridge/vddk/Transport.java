package io.cairn.vixmntbridge.vddk;

import java.util.Locale;

/**
 * How cairn reaches a VM's disk. Only {@link #HTTPS} (datastore file access over the vSphere
 * HTTPS API, read by the pure-Java VMDK code) works without VMware's VDDK; the others are
 * VixDiskLib transport modes.
 */
public enum Transport {
    /** Datastore file download/upload over HTTPS: no VDDK. */
    HTTPS(null),
    /** NFC over TCP 902, unencrypted. */
    NBD("nbd"),
    /** NFC over TLS. */
    NBDSSL("nbdssl"),
    /** The disk is hot-added to the VM cairn runs in. */
    HOTADD("hotadd"),
    /** Direct reads from the LUN over Fibre Channel/iSCSI. */
    SAN("san");

    private final String vddkMode;

    Transport(String vddkMode) {
        this.vddkMode = vddkMode;
    }

    /** Whether this transport needs {@code libvixDiskLib.so}. */
    public boolean needsVddk() {
        return vddkMode != null;
    }

    /** The mode name {@code VixDiskLib_ConnectEx} takes in its {@code transportModes} list. */
    public String vddkMode() {
        if (vddkMode == null) {
            throw new IllegalStateException("transport " + cliName() + " does not use the VDDK");
        }
        return vddkMode;
    }

    /** The name the command line uses ({@code --transport nbd}). */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
