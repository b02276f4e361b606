/*
 * vddk-standin.h -- STAND-IN for VMware's VDDK, test code of cairn; never shipped.
 *
 * The types, structures and constants of VMware's vixDiskLib.h and vixMntapi.h (VDDK 8.x, x86-64
 * Linux) that cairn's JNA binding uses, written from the public headers' declarations, plus the
 * few functions the two stand-in libraries share. VMware's VDDK cannot be installed where cairn is
 * built and tested; libvixDiskLib-standin.c and libvixMntapi-standin.c implement these prototypes
 * over the vCenter simulator's datastore folders so that cairn's real binding can be driven end to
 * end. They prove cairn's side of the ABI and of VMware's documented rules, nothing about VMware's
 * own library. docs/vddk.md says what they do and refuse.
 *
 * layout.c includes this header and prints every sizeof/offsetof, which the Java tests compare with
 * the JNA structures: the stand-ins and the layout check use the very same declarations.
 */
#ifndef CAIRN_VDDK_STANDIN_H
#define CAIRN_VDDK_STANDIN_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* vm_basic_types.h */
typedef char Bool;
typedef uint8_t uint8;
typedef uint32_t uint32;
typedef uint64_t uint64;

/* ---- vixDiskLib.h: errors (the part of vix.h it carries) ------------------------------------ */
typedef uint64 VixError;
#define VIX_ERROR_CODE(err) ((err) & 0xFFFF)

enum {
    VIX_OK = 0,
    VIX_E_FAIL = 1,
    VIX_E_OUT_OF_MEMORY = 2,
    VIX_E_INVALID_ARG = 3,
    VIX_E_FILE_NOT_FOUND = 4,
    VIX_E_OBJECT_IS_BUSY = 5,
    VIX_E_NOT_SUPPORTED = 6,
    VIX_E_FILE_ERROR = 7,
    VIX_E_DISK_FULL = 8,
    VIX_E_FILE_READ_ONLY = 11,
    VIX_E_FILE_ACCESS_ERROR = 13,
    VIX_E_BUFFER_TOOSMALL = 24,
    VIX_E_HOST_USER_PERMISSIONS = 3014,
    VIX_E_DISK_INVAL = 16000,
    VIX_E_DISK_NOINIT = 16001,
    VIX_E_DISK_NOIO = 16002,
    VIX_E_DISK_OUTOFRANGE = 16007,
    VIX_E_DISK_NOTSUPPORTED = 16013,
    VIX_E_DISK_KEY_NOTFOUND = 16052,
    VIX_E_DISK_INVALID_CONNECTION = 16054,
    VIX_E_MNTAPI_MOUNTPT_NOT_FOUND = 24000,
    VIX_E_MNTAPI_CANT_READ_PARTS = 24007,
    VIX_E_MNTAPI_UMOUNT = 24009,
    VIX_E_MNTAPI_INTERNAL = 24020,
    VIX_E_MNTAPI_INCOMPATIBLE_VERSION = 24300,
    VIX_E_MNTAPI_VOLUME_NOT_MOUNTED = 24304,
    VIX_E_MNTAPI_VOLUME_ALREADY_MOUNTED = 24305,
    VIX_E_MNTAPI_ALREADY_OPENED = 24308,
    VIX_E_MNTAPI_OPEN_FAILURE = 24321
};

/* ---- vixDiskLib.h: types ------------------------------------------------------------------- */
typedef uint64 VixDiskLibSectorType;
#define VIXDISKLIB_SECTOR_SIZE 512
#define VIXDISKLIB_MIN_CHUNK_SIZE 128
#define VIXDISKLIB_MAX_CHUNK_NUMBER (512 * 1024)

#define VIXDISKLIB_FLAG_OPEN_UNBUFFERED (1 << 0)
#define VIXDISKLIB_FLAG_OPEN_SINGLE_LINK (1 << 1)
#define VIXDISKLIB_FLAG_OPEN_READ_ONLY (1 << 2)
#define VIXDISKLIB_FLAG_OPEN_COMPRESSION_MASK (0x03f0)

typedef struct {
    uint32 cylinders;
    uint32 heads;
    uint32 sectors;
} VixDiskLibGeometry;

typedef enum {
    VIXDISKLIB_ADAPTER_IDE = 1,
    VIXDISKLIB_ADAPTER_SCSI_BUSLOGIC = 2,
    VIXDISKLIB_ADAPTER_SCSI_LSILOGIC = 3,
    VIXDISKLIB_ADAPTER_UNKNOWN = 256
} VixDiskLibAdapterType;

typedef enum {
    VIXDISKLIB_CRED_UID = 1,
    VIXDISKLIB_CRED_SESSIONID = 2,
    VIXDISKLIB_CRED_TICKETID = 3,
    VIXDISKLIB_CRED_SSPI = 4,
    VIXDISKLIB_CRED_UNKNOWN = 256
} VixDiskLibCredType;

typedef enum {
    VIXDISKLIB_SPEC_VMX = 0,
    VIXDISKLIB_SPEC_VSTORAGE_OBJECT = 1,
    VIXDISKLIB_SPEC_UNKNOWN = 2
} VixDiskLibSpecType;

typedef struct {
    char *id;
    char *datastoreMoRef;
    char *ssId;
} VixDiskLibVStorageObjectSpec;

typedef struct VixDiskLibConnectParamsState VixDiskLibConnectParamsState;

/* VDDK 6.7 and later (8.x unchanged): 128 bytes on x86-64 Linux. */
typedef struct {
    char *vmxSpec;
    char *serverName;
    char *thumbPrint;
    long privateUse;
    VixDiskLibCredType credType;
    union VixDiskLibCreds {
        struct VixDiskLibUidPasswdCreds {
            char *userName;
            char *password;
        } uid;
        struct VixDiskLibSessionIdCreds {
            char *cookie;
            char *userName;
            char *key;
        } sessionId;
        struct VixDiskLibTicketIdCreds *ticketId;
    } creds;
    uint32 port;
    uint32 nfcHostPort;
    char *vimApiVer;
    char reserved[8];
    VixDiskLibConnectParamsState *state;
    union {
        VixDiskLibVStorageObjectSpec vStorageObjSpec;
    } spec;
    VixDiskLibSpecType specType;
} VixDiskLibConnectParams;

/* VDDK 7.0 added the two sector sizes: 64 bytes. */
typedef struct {
    VixDiskLibGeometry biosGeo;
    VixDiskLibGeometry physGeo;
    VixDiskLibSectorType capacity;
    VixDiskLibAdapterType adapterType;
    int numLinks;
    char *parentFileNameHint;
    char *uuid;
    uint32 logicalSectorSize;
    uint32 physicalSectorSize;
} VixDiskLibInfo;

typedef struct {
    VixDiskLibSectorType offset;
    VixDiskLibSectorType length;
} VixDiskLibBlock;

typedef struct {
    uint32 numBlocks;
    VixDiskLibBlock blocks[1];
} VixDiskLibBlockList;

typedef struct VixDiskLibHandleStruct VixDiskLibHandleStruct;
typedef VixDiskLibHandleStruct *VixDiskLibHandle;
struct VixDiskLibConnectParam;
typedef struct VixDiskLibConnectParam *VixDiskLibConnection;

typedef void(VixDiskLibGenericLogFunc)(const char *fmt, va_list args);

/* ---- vixMntapi.h ---------------------------------------------------------------------------- */
#define VIXMNTAPI_MAJOR_VERSION 1
#define VIXMNTAPI_MINOR_VERSION 0

typedef enum VixOsFamily { VIXMNTAPI_NO_OS = 0, VIXMNTAPI_WINDOWS = 1, VIXMNTAPI_OTHER = 255 } VixOsFamily;

typedef struct {
    VixOsFamily family;
    uint32 majorVersion;
    uint32 minorVersion;
    Bool osIs64Bit;
    char *vendor;
    char *edition;
    char *osFolder;
} VixOsInfo;

typedef enum VixVolumeType {
    VIXMNTAPI_UNKNOWN_VOLTYPE = 0,
    VIXMNTAPI_BASIC_PARTITION = 1,
    VIXMNTAPI_GPT_PARTITION = 2,
    VIXMNTAPI_DYNAMIC_VOLUME = 3,
    VIXMNTAPI_LVM_VOLUME = 4
} VixVolumeType;

typedef struct {
    VixVolumeType type;
    Bool isMounted;
    char *symbolicLink;
    size_t numGuestMountPoints;
    char *inGuestMountPoints[1];
} VixVolumeInfo;

typedef struct {
    uint32 openFlags;
    char *mountPath;
} VixDiskSetInfo;

typedef struct VixDiskSetHandleStruct *VixDiskSetHandle;
typedef struct VixVolumeHandleStruct *VixVolumeHandle;

/* ---- shared by the two stand-ins ------------------------------------------------------------ */
#define STANDIN_API __attribute__((visibility("default")))

/* Environment variables the stand-ins read (docs/vddk.md). */
#define STANDIN_ENV_CALL_LOG "VDDK_STANDIN_CALL_LOG"
#define STANDIN_ENV_DATASTORES "VDDK_STANDIN_DATASTORES"
#define STANDIN_ENV_SAN "VDDK_STANDIN_SAN"
#define STANDIN_ENV_HOTADD "VDDK_STANDIN_HOTADD"
#define STANDIN_ENV_USER "VDDK_STANDIN_USER"
#define STANDIN_ENV_PASSWORD "VDDK_STANDIN_PASSWORD"
/* milliseconds every successful remote Open takes (a slow LUN or NFC setup), so that tests see opens overlap */
#define STANDIN_ENV_OPEN_DELAY_MS "VDDK_STANDIN_OPEN_DELAY_MS"

/* One line of the call log, built up and then appended with a single write(2). */
typedef struct {
    char buf[8192];
    size_t n;
} StandinLine;

void standin_line_start(StandinLine *l, const char *function);
void standin_line_str(StandinLine *l, const char *key, const char *value);
void standin_line_u64(StandinLine *l, const char *key, uint64 value);
void standin_line_hex(StandinLine *l, const char *key, uint64 value);
void standin_line_raw(StandinLine *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends " => OK" or " => ERROR <code> <text>" and writes the line to $VDDK_STANDIN_CALL_LOG. */
void standin_line_end(StandinLine *l, VixError result, const char *detail);
/* The text VixDiskLib_GetErrorText gives for a code. */
const char *standin_error_text(VixError err);

/*
 * Stand-in only, exported by libvixDiskLib for libvixMntapi (the real VixMntapi reads the disk
 * through its own FUSE layer over VixDiskLib): the single flat file holding the whole disk, for a
 * read-only mount with fuse2fs -o offset. VIX_E_NOT_SUPPORTED when the disk has several extents.
 */
STANDIN_API VixError VddkStandin_FlatFile(VixDiskLibHandle handle, const char **path, uint64 *offsetBytes);
/* Library allocations not yet given back by the caller (GetInfo, block lists, error texts). */
STANDIN_API long VddkStandin_Outstanding(void);

#endif
