package io.cairn.vsphere.config;

import com.vmware.vim25.VirtualDiskFlatVer2BackingInfo;
import java.util.Locale;

/**
 * How a re-created disk is provisioned on its datastore, as {@code vmkfstools -d} and the vSphere
 * Client name it. On {@link VirtualDiskFlatVer2BackingInfo}: thin = {@code thinProvisioned},
 * thick (lazy zeroed) = neither flag, eager-zeroed thick = {@code eagerlyScrub} (VMware's "Thick
 * Provision Eager Zeroed", required for FT and some clustering). Not a property of an RDM, which
 * maps a LUN.
 */
public enum DiskFormat {
    THIN("thin"),
    THICK("thick"),
    EAGER_ZEROED_THICK("eagerzeroedthick");

    private final String cliName;

    DiskFormat(String cliName) {
        this.cliName = cliName;
    }

    /** {@code thin}, {@code thick} or {@code eagerzeroedthick}: what {@code --disk-format} takes. */
    public String cliName() {
        return cliName;
    }

    /**
     * Parses {@code thin|thick|eagerzeroedthick} (case-insensitive).
     *
     * @throws IllegalArgumentException naming the choices otherwise
     */
    public static DiskFormat parse(String s) {
        String v = s == null ? "" : s.strip().toLowerCase(Locale.ROOT);
        for (DiskFormat f : values()) {
            if (f.cliName.equals(v)) {
                return f;
            }
        }
        throw new IllegalArgumentException("disk format must be thin, thick or eagerzeroedthick, not '" + s + "'");
    }

    /** The format a flat backing describes. */
    static DiskFormat of(VirtualDiskFlatVer2BackingInfo b) {
        if (Boolean.TRUE.equals(b.isThinProvisioned())) {
            return THIN;
        }
        return Boolean.TRUE.equals(b.isEagerlyScrub()) ? EAGER_ZEROED_THICK : THICK;
    }

    /** Sets the backing's flags to this format. */
    void applyTo(VirtualDiskFlatVer2BackingInfo b) {
        b.setThinProvisioned(this == THIN);
        b.setEagerlyScrub(this == EAGER_ZEROED_THICK);
    }
}
