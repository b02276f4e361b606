package io.cairn.vixmntbridge.mntapi;

import io.cairn.vixmntbridge.mntapi.jna.VixMntapiNative;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * One volume (partition) VixMntapi found in a {@link DiskSet}, as {@code VixMntapi_GetVolumeInfo}
 * described it when the set was opened.
 *
 * @param index position in the set's volume list (what {@link DiskSet#mount} takes)
 * @param type partition or volume kind
 * @param mounted whether it was already mounted on this machine
 * @param symbolicLink where its files appear on this machine when mounted, else null
 * @param guestMountPoints where the guest mounts it (VMware: unimplemented on Linux, so usually empty)
 */
public record GuestVolume(int index, Type type, boolean mounted, Path symbolicLink, List<String> guestMountPoints) {

    public GuestVolume {
        Objects.requireNonNull(type, "type");
        guestMountPoints = List.copyOf(guestMountPoints);
    }

    /** {@code enum VixVolumeType} of {@code vixMntapi.h}. */
    public enum Type {
        UNKNOWN(VixMntapiNative.VIXMNTAPI_UNKNOWN_VOLTYPE),
        BASIC_PARTITION(VixMntapiNative.VIXMNTAPI_BASIC_PARTITION),
        GPT_PARTITION(VixMntapiNative.VIXMNTAPI_GPT_PARTITION),
        /** Windows dynamic (LDM) volume. */
        DYNAMIC_VOLUME(VixMntapiNative.VIXMNTAPI_DYNAMIC_VOLUME),
        /** Linux LVM: VMware documents that VixMntapi on Linux cannot mount it. */
        LVM_VOLUME(VixMntapiNative.VIXMNTAPI_LVM_VOLUME);

        private final int code;

        Type(int code) {
            this.code = code;
        }

        public int code() {
            return code;
        }

        /** The type for {@code code}; {@link #UNKNOWN} for a value this binding does not know. */
        public static Type of(int code) {
            for (Type t : values()) {
                if (t.code == code) {
                    return t;
                }
            }
            return UNKNOWN;
        }
    }
}
