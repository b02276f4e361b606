package io.cairn.vixmntbridge.mntapi;

import io.cairn.vixmntbridge.mntapi.jna.VixMntapiNative;
import java.util.Objects;

/**
 * The default operating system of a {@link DiskSet}, as {@code VixMntapi_GetOsInfo} reports it.
 * VMware: "Currently, only Windows OS is recognized", and only by a VixMntapi running on the same OS
 * family, so on Linux expect {@link Family#OTHER} or {@link Family#NONE} and null strings.
 *
 * @param family the OS family
 * @param majorVersion on Windows 4 = NT, 5 = 2000 and later
 * @param minorVersion on Windows 0 = 2000, 1 = XP, 2 = 2003
 * @param is64Bit whether the OS is 64-bit
 * @param vendor e.g. Microsoft, or null
 * @param edition e.g. Enterprise, or null
 * @param osFolder where the OS is installed, or null
 */
public record GuestOs(
        Family family,
        long majorVersion,
        long minorVersion,
        boolean is64Bit,
        String vendor,
        String edition,
        String osFolder) {

    public GuestOs {
        Objects.requireNonNull(family, "family");
    }

    /** {@code enum VixOsFamily} of {@code vixMntapi.h}. */
    public enum Family {
        NONE(VixMntapiNative.VIXMNTAPI_NO_OS),
        WINDOWS(VixMntapiNative.VIXMNTAPI_WINDOWS),
        OTHER(VixMntapiNative.VIXMNTAPI_OTHER);

        private final int code;

        Family(int code) {
            this.code = code;
        }

        public int code() {
            return code;
        }

        /** The family for {@code code}; {@link #OTHER} for a value this binding does not know. */
        public static Family of(int code) {
            for (Family f : values()) {
                if (f.code == code) {
                    return f;
                }
            }
            return OTHER;
        }
    }
}
