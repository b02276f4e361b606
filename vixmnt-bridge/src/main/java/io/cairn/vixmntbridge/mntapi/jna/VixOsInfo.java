package io.cairn.vixmntbridge.mntapi.jna;

import com.sun.jna.Pointer;
import com.sun.jna.Structure.FieldOrder;
import io.cairn.vixmntbridge.vddk.jna.VixStructure;

/**
 * {@code VixOsInfo} of {@code vixMntapi.h}, filled by {@code VixMntapi_GetOsInfo} and released with
 * {@code VixMntapi_FreeOsInfo} (the library owns the memory; the driver copies it, then frees it):
 * <pre>
 * typedef struct {
 *    VixOsFamily family;        // OS Family
 *    uint32 majorVersion;       // On Windows, 4=NT, 5=2000 and above
 *    uint32 minorVersion;       // On Windows, 0=2000, 1=XP, 2=2003
 *    Bool  osIs64Bit;           // True if the OS is 64-bit
 *    char* vendor;              // e.g. Microsoft, RedHat, etc ...
 *    char* edition;             // e.g. Desktop, Enterprise, etc ...
 *    char* osFolder;            // Location where the default OS is installed
 * } VixOsInfo;
 * </pre>
 * 40 bytes on x86-64 Linux.
 */
@FieldOrder({"family", "majorVersion", "minorVersion", "osIs64Bit", "vendor", "edition", "osFolder"})
public class VixOsInfo extends VixStructure {
    /** enum VixOsFamily: {@code VIXMNTAPI_NO_OS}, {@code VIXMNTAPI_WINDOWS}, {@code VIXMNTAPI_OTHER}. */
    public int family;
    /** uint32. */
    public int majorVersion;
    /** uint32. */
    public int minorVersion;
    /** Bool ({@code char}). */
    public byte osIs64Bit;
    /** char *, owned by the library; may be NULL. */
    public String vendor;

    public String edition;
    public String osFolder;

    public VixOsInfo() {}

    /** Reads the structure the library returned at {@code p}. */
    public VixOsInfo(Pointer p) {
        super(p);
        read();
    }
}
