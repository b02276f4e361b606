package io.cairn.vixmntbridge.mntapi.jna;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.Structure.FieldOrder;
import io.cairn.vixmntbridge.vddk.jna.SizeT;
import io.cairn.vixmntbridge.vddk.jna.VixStructure;

/**
 * {@code VixVolumeInfo} of {@code vixMntapi.h}, filled by {@code VixMntapi_GetVolumeInfo} and released
 * with {@code VixMntapi_FreeVolumeInfo}:
 * <pre>
 * typedef struct {
 *    VixVolumeType    type;              // Type of the volume
 *    Bool             isMounted;         // True if the volume is mounted on the proxy.
 *    char            *symbolicLink;      // Path to the volume mount point,
 *                                        // NULL if the volume is not mounted on the proxy.
 *    size_t  numGuestMountPoints;        // Number of mount points for the volume in the guest
 *                                        // 0 if the volume is not mounted on the proxy.
 *    char *inGuestMountPoints[1];        // Mount points for the volume in the guest
 * } VixVolumeInfo;
 * </pre>
 * 32 bytes on x86-64 Linux. {@code inGuestMountPoints} is a C "struct hack": the library allocates
 * {@code numGuestMountPoints} entries; JNA maps only the first, {@link #guestMountPoint(int)} reads
 * entry {@code i} from the library's memory. (The Programming Guide: the count is "Unimplemented on
 * Linux".)
 */
@FieldOrder({"type", "isMounted", "symbolicLink", "numGuestMountPoints", "inGuestMountPoints"})
public class VixVolumeInfo extends VixStructure {
    /** enum VixVolumeType: {@code VIXMNTAPI_*_VOLTYPE/PARTITION/VOLUME}. */
    public int type;
    /** Bool ({@code char}). */
    public byte isMounted;
    /** char *, owned by the library: where the volume's files appear on this machine; NULL if not mounted. */
    public String symbolicLink;
    /** size_t. */
    public SizeT numGuestMountPoints = new SizeT(0);
    /** char *[1]: first entry of the library-owned array. */
    public Pointer[] inGuestMountPoints = new Pointer[1];

    public VixVolumeInfo() {}

    /** Reads the structure the library returned at {@code p}. */
    public VixVolumeInfo(Pointer p) {
        super(p);
        read();
    }

    /** Entry {@code i} ({@code 0 <= i < numGuestMountPoints}) of the library-owned array; null for NULL. */
    public String guestMountPoint(int i) {
        if (i < 0 || i >= numGuestMountPoints.longValue()) {
            throw new IndexOutOfBoundsException("mount point " + i + " of " + numGuestMountPoints.longValue());
        }
        Pointer p = getPointer().getPointer(offsetOf("inGuestMountPoints") + (long) i * Native.POINTER_SIZE);
        return p == null ? null : p.getString(0);
    }
}
