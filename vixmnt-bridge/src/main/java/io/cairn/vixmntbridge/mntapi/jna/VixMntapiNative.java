package io.cairn.vixmntbridge.mntapi.jna;

import com.sun.jna.Library;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import io.cairn.vixmntbridge.vddk.jna.SizeT;
import io.cairn.vixmntbridge.vddk.jna.VixDiskLibNative;

/**
 * The VixMntapi functions, with the C prototypes of {@code vixMntapi.h}. Load it only through
 * {@code io.cairn.vixmntbridge.mntapi.MntapiLibrary}, after {@code VixDiskLib_InitEx}.
 *
 * <p>Every function returning {@code VixError} (uint64) returns {@link #VIX_OK} on success; the code
 * proper is in the low 16 bits and its text comes from {@code VixDiskLib_GetErrorText} (VixMntapi has
 * no error-text function of its own). Handles are opaque pointers ({@code VixDiskSetHandle},
 * {@code VixVolumeHandle}, {@code VixDiskLibHandle}, {@code VixDiskLibConnection}).
 *
 * <p>JNA resolves each function at its first call, so a function absent from a library version
 * ({@link #VixMntapi_OpenDiskSet} on Linux) fails only when called, with {@link UnsatisfiedLinkError}.
 */
public interface VixMntapiNative extends Library {

    /** Shared-library file name inside {@code <VDDK>/lib64}, next to {@code libvixDiskLib.so}. */
    String LIBRARY_FILE = "libvixMntapi.so";

    /** {@code #define VIXMNTAPI_MAJOR_VERSION 1}; the guide: "currently must be 1". */
    int VIXMNTAPI_MAJOR_VERSION = 1;
    /** {@code #define VIXMNTAPI_MINOR_VERSION 0}; the guide: "currently must be 0". */
    int VIXMNTAPI_MINOR_VERSION = 0;

    long VIX_OK = 0;

    /* enum VixOsFamily ("Currently, only Windows OS is recognized"). */
    int VIXMNTAPI_NO_OS = 0;
    int VIXMNTAPI_WINDOWS = 1;
    int VIXMNTAPI_OTHER = 255;

    /* enum VixVolumeType. */
    int VIXMNTAPI_UNKNOWN_VOLTYPE = 0;
    int VIXMNTAPI_BASIC_PARTITION = 1;
    int VIXMNTAPI_GPT_PARTITION = 2;
    int VIXMNTAPI_DYNAMIC_VOLUME = 3;
    int VIXMNTAPI_LVM_VOLUME = 4;

    /**
     * {@code VixError VixMntapi_Init(uint32 majorVersion, uint32 minorVersion, VixDiskLibGenericLogFunc *log,
     * VixDiskLibGenericLogFunc *warn, VixDiskLibGenericLogFunc *panic, const char *libDir, const char *configFile);}
     * — once per process; {@code configFile} holds {@code tmpDirectory = <path>}.
     */
    long VixMntapi_Init(
            int majorVersion,
            int minorVersion,
            VixDiskLibNative.LogFunc log,
            VixDiskLibNative.LogFunc warn,
            VixDiskLibNative.LogFunc panic,
            String libDir,
            String configFile);

    /** {@code void VixMntapi_Exit(void);} — once per process. */
    void VixMntapi_Exit();

    /**
     * {@code VixError VixMntapi_OpenDiskSet(VixDiskLibHandle diskHandles[], size_t numberOfDisks, uint32 openMode,
     * VixDiskSetHandle *handle);} — declared only {@code #ifdef _WIN32} in the header ("Supported only on
     * Windows"); bound for completeness, the Linux driver uses {@link #VixMntapi_OpenDisks}.
     */
    long VixMntapi_OpenDiskSet(Pointer[] diskHandles, SizeT numberOfDisks, int openMode, PointerByReference handle);

    /**
     * {@code VixError VixMntapi_OpenDisks(VixDiskLibConnection connection, const char *diskNames[],
     * size_t numberOfDisks, uint32 openFlags, VixDiskSetHandle *handle);} — calls {@code VixDiskLib_Open}
     * with {@code openFlags} on each name; {@code numberOfDisks} "Must be 1 for Linux". JNA passes a
     * {@code String[]} as a NULL-terminated {@code char *[]}.
     */
    long VixMntapi_OpenDisks(
            Pointer connection, String[] diskNames, SizeT numberOfDisks, int openFlags, PointerByReference handle);

    /** {@code VixError VixMntapi_GetDiskSetInfo(VixDiskSetHandle handle, VixDiskSetInfo **diskSetInfo);} */
    long VixMntapi_GetDiskSetInfo(Pointer diskSet, PointerByReference diskSetInfo);

    /** {@code void VixMntapi_FreeDiskSetInfo(VixDiskSetInfo *diskSetInfo);} */
    void VixMntapi_FreeDiskSetInfo(Pointer diskSetInfo);

    /** {@code VixError VixMntapi_CloseDiskSet(VixDiskSetHandle diskSet);} — before {@code VixDiskLib_Disconnect}. */
    long VixMntapi_CloseDiskSet(Pointer diskSet);

    /**
     * {@code VixError VixMntapi_GetVolumeHandles(VixDiskSetHandle diskSet, size_t *numberOfVolumes,
     * VixVolumeHandle *volumeHandles[]);} — the library allocates the array of handles.
     */
    long VixMntapi_GetVolumeHandles(Pointer diskSet, SizeT.ByRef numberOfVolumes, PointerByReference volumeHandles);

    /** {@code void VixMntapi_FreeVolumeHandles(VixVolumeHandle *volumeHandles);} */
    void VixMntapi_FreeVolumeHandles(Pointer volumeHandles);

    /** {@code VixError VixMntapi_GetOsInfo(VixDiskSetHandle diskSet, VixOsInfo **info);} */
    long VixMntapi_GetOsInfo(Pointer diskSet, PointerByReference info);

    /** {@code void VixMntapi_FreeOsInfo(VixOsInfo *info);} */
    void VixMntapi_FreeOsInfo(Pointer info);

    /** {@code VixError VixMntapi_MountVolume(VixVolumeHandle volumeHandle, Bool readOnly);} ({@code Bool} is {@code char}.) */
    long VixMntapi_MountVolume(Pointer volumeHandle, byte readOnly);

    /** {@code VixError VixMntapi_DismountVolume(VixVolumeHandle volumeHandle, Bool force);} */
    long VixMntapi_DismountVolume(Pointer volumeHandle, byte force);

    /** {@code VixError VixMntapi_GetVolumeInfo(VixVolumeHandle volumeHandle, VixVolumeInfo **info);} */
    long VixMntapi_GetVolumeInfo(Pointer volumeHandle, PointerByReference info);

    /** {@code void VixMntapi_FreeVolumeInfo(VixVolumeInfo *info);} */
    void VixMntapi_FreeVolumeInfo(Pointer info);
}
