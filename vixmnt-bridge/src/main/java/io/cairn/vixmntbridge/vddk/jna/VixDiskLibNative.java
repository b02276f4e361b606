package io.cairn.vixmntbridge.vddk.jna;

import com.sun.jna.Callback;
import com.sun.jna.Library;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;

/**
 * The VixDiskLib functions cairn calls, with the C prototypes of {@code vixDiskLib.h} (VDDK 7.0/8.0).
 * Load it only through {@code io.cairn.vixmntbridge.vddk.VddkLibrary}.
 *
 * <p>Every function that returns {@code VixError} (uint64) returns {@link #VIX_OK} on success; the
 * error code proper is in the low 16 bits ({@link #errorCode}), the text comes from
 * {@link #VixDiskLib_GetErrorText}. Handles are not thread-safe: one call at a time per handle.
 */
public interface VixDiskLibNative extends Library {

    /** Shared-library file name inside {@code <VDDK>/lib64}. */
    String LIBRARY_FILE = "libvixDiskLib.so";

    /** Version cairn asks for in {@code VixDiskLib_InitEx}: 7.0, whose VixDiskLibInfo layout it maps. */
    int VIXDISKLIB_VERSION_MAJOR = 7;

    int VIXDISKLIB_VERSION_MINOR = 0;

    long VIX_OK = 0;
    /** {@code VIX_E_BUFFER_TOOSMALL}: the size queries of the metadata calls answer with it. */
    long VIX_E_BUFFER_TOOSMALL = 24;

    /** {@code #define VIXDISKLIB_SECTOR_SIZE 512}. */
    int VIXDISKLIB_SECTOR_SIZE = 512;
    /** Smallest {@code chunkSize} (sectors) of {@code VixDiskLib_QueryAllocatedBlocks}. */
    long VIXDISKLIB_MIN_CHUNK_SIZE = 128;
    /** Most chunks one {@code VixDiskLib_QueryAllocatedBlocks} call may cover ({@code 512*1024}). */
    long VIXDISKLIB_MAX_CHUNK_NUMBER = 512 * 1024;

    /* Open flags (uint32) of VixDiskLib_Open. */
    /** Disable host disk caching. */
    int VIXDISKLIB_FLAG_OPEN_UNBUFFERED = 1;
    /** Do not open parent disk(s). */
    int VIXDISKLIB_FLAG_OPEN_SINGLE_LINK = 1 << 1;
    /** Open read-only. */
    int VIXDISKLIB_FLAG_OPEN_READ_ONLY = 1 << 2;
    /** NBD/NBDSSL wire compression (VDDK 6.5+). */
    int VIXDISKLIB_FLAG_OPEN_COMPRESSION_ZLIB = 1 << 4;

    int VIXDISKLIB_FLAG_OPEN_COMPRESSION_FASTLZ = 1 << 5;
    int VIXDISKLIB_FLAG_OPEN_COMPRESSION_SKIPZ = 1 << 6;

    /* enum VixDiskLibCredType. */
    int VIXDISKLIB_CRED_UID = 1;
    int VIXDISKLIB_CRED_SESSIONID = 2;
    int VIXDISKLIB_CRED_TICKETID = 3;
    /** Windows only. */
    int VIXDISKLIB_CRED_SSPI = 4;

    int VIXDISKLIB_CRED_UNKNOWN = 256;

    /* enum VixDiskLibSpecType (6.7+). */
    int VIXDISKLIB_SPEC_VMX = 0;
    int VIXDISKLIB_SPEC_VSTORAGE_OBJECT = 1;
    int VIXDISKLIB_SPEC_UNKNOWN = 2;

    /* enum VixDiskLibAdapterType. Other controllers (LSI SAS, PVSCSI, NVMe, SATA) report UNKNOWN;
    their name is in the disk's adapterType metadata key. */
    int VIXDISKLIB_ADAPTER_IDE = 1;
    int VIXDISKLIB_ADAPTER_SCSI_BUSLOGIC = 2;
    int VIXDISKLIB_ADAPTER_SCSI_LSILOGIC = 3;
    int VIXDISKLIB_ADAPTER_UNKNOWN = 256;

    /** {@code VIX_ERROR_CODE(err)}: the code proper is in the low 16 bits. */
    static long errorCode(long vixError) {
        return vixError & 0xFFFF;
    }

    /**
     * {@code typedef void (VixDiskLibGenericLogFunc)(const char *fmt, va_list args);} — cairn passes
     * null (the library then logs per its config file): a {@code va_list} cannot be formatted
     * portably from Java.
     */
    interface LogFunc extends Callback {
        void invoke(String fmt, Pointer args);
    }

    /**
     * {@code VixError VixDiskLib_InitEx(uint32 majorVersion, uint32 minorVersion, VixDiskLibGenericLogFunc *log,
     * VixDiskLibGenericLogFunc *warn, VixDiskLibGenericLogFunc *panic, const char *libDir, const char *configFile);}
     */
    long VixDiskLib_InitEx(
            int majorVersion,
            int minorVersion,
            LogFunc log,
            LogFunc warn,
            LogFunc panic,
            String libDir,
            String configFile);

    /** {@code void VixDiskLib_Exit(void);} */
    void VixDiskLib_Exit();

    /**
     * {@code VixError VixDiskLib_ConnectEx(const VixDiskLibConnectParams *connectParams, Bool readOnly,
     * const char *snapshotRef, const char *transportModes, VixDiskLibConnection *connection);}
     * ({@code Bool} is {@code char}.)
     */
    long VixDiskLib_ConnectEx(
            VixDiskLibConnectParams connectParams,
            byte readOnly,
            String snapshotRef,
            String transportModes,
            PointerByReference connection);

    /** {@code VixError VixDiskLib_PrepareForAccess(const VixDiskLibConnectParams *connectParams, const char *identity);} */
    long VixDiskLib_PrepareForAccess(VixDiskLibConnectParams connectParams, String identity);

    /** {@code VixError VixDiskLib_EndAccess(const VixDiskLibConnectParams *connectParams, const char *identity);} */
    long VixDiskLib_EndAccess(VixDiskLibConnectParams connectParams, String identity);

    /** {@code VixError VixDiskLib_Disconnect(VixDiskLibConnection connection);} */
    long VixDiskLib_Disconnect(Pointer connection);

    /**
     * {@code VixError VixDiskLib_Cleanup(const VixDiskLibConnectParams *connectParams, uint32 *numCleanedUp,
     * uint32 *numRemaining);} — both counters may be NULL.
     */
    long VixDiskLib_Cleanup(
            VixDiskLibConnectParams connectParams, IntByReference numCleanedUp, IntByReference numRemaining);

    /**
     * {@code VixError VixDiskLib_Open(const VixDiskLibConnection connection, const char *path, uint32 flags,
     * VixDiskLibHandle *diskHandle);}
     */
    long VixDiskLib_Open(Pointer connection, String path, int flags, PointerByReference diskHandle);

    /** {@code VixError VixDiskLib_Close(VixDiskLibHandle diskHandle);} */
    long VixDiskLib_Close(Pointer diskHandle);

    /** {@code VixError VixDiskLib_GetInfo(VixDiskLibHandle diskHandle, VixDiskLibInfo **info);} */
    long VixDiskLib_GetInfo(Pointer diskHandle, PointerByReference info);

    /** {@code void VixDiskLib_FreeInfo(VixDiskLibInfo *info);} */
    void VixDiskLib_FreeInfo(Pointer info);

    /** {@code const char *VixDiskLib_GetTransportMode(VixDiskLibHandle diskHandle);} — static string, never freed. */
    String VixDiskLib_GetTransportMode(Pointer diskHandle);

    /**
     * {@code VixError VixDiskLib_Read(VixDiskLibHandle diskHandle, VixDiskLibSectorType startSector,
     * VixDiskLibSectorType numSectors, uint8 *readBuffer);}
     */
    long VixDiskLib_Read(Pointer diskHandle, long startSector, long numSectors, Pointer readBuffer);

    /**
     * {@code VixError VixDiskLib_Write(VixDiskLibHandle diskHandle, VixDiskLibSectorType startSector,
     * VixDiskLibSectorType numSectors, const uint8 *writeBuffer);}
     */
    long VixDiskLib_Write(Pointer diskHandle, long startSector, long numSectors, Pointer writeBuffer);

    /**
     * {@code VixError VixDiskLib_GetMetadataKeys(VixDiskLibHandle diskHandle, char *keys, size_t maxLen,
     * size_t *requiredLen);} — NUL-terminated keys followed by one more NUL.
     */
    long VixDiskLib_GetMetadataKeys(Pointer diskHandle, Pointer keys, SizeT maxLen, SizeT.ByRef requiredLen);

    /**
     * {@code VixError VixDiskLib_ReadMetadata(VixDiskLibHandle diskHandle, const char *key, char *buf,
     * size_t bufLen, size_t *requiredLen);}
     */
    long VixDiskLib_ReadMetadata(Pointer diskHandle, String key, Pointer buf, SizeT bufLen, SizeT.ByRef requiredLen);

    /** {@code VixError VixDiskLib_WriteMetadata(VixDiskLibHandle diskHandle, const char *key, const char *val);} */
    long VixDiskLib_WriteMetadata(Pointer diskHandle, String key, String val);

    /**
     * {@code VixError VixDiskLib_QueryAllocatedBlocks(VixDiskLibHandle diskHandle, VixDiskLibSectorType startSector,
     * VixDiskLibSectorType numSectors, VixDiskLibSectorType chunkSize, VixDiskLibBlockList **blockList);} (6.7+)
     */
    long VixDiskLib_QueryAllocatedBlocks(
            Pointer diskHandle, long startSector, long numSectors, long chunkSize, PointerByReference blockList);

    /** {@code VixError VixDiskLib_FreeBlockList(VixDiskLibBlockList *blockList);} (6.7+) */
    long VixDiskLib_FreeBlockList(Pointer blockList);

    /**
     * {@code char *VixDiskLib_GetErrorText(VixError err, const char *locale);} — locale must be NULL; the
     * result must be released with {@link #VixDiskLib_FreeErrorText}, hence {@link Pointer}, not String.
     */
    Pointer VixDiskLib_GetErrorText(long err, String locale);

    /** {@code void VixDiskLib_FreeErrorText(char *errMsg);} — NULL is allowed. */
    void VixDiskLib_FreeErrorText(Pointer errMsg);
}
