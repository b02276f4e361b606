/*
 * libvixMntapi-standin.c -- STAND-IN for VMware's libvixMntapi.so (the VDDK's Disk Mount library,
 * Linux), test code of cairn; never shipped, never packaged. Built by scripts/vddk-standin into
 * DIR/lib64/libvixMntapi.so.1.1.0 (soname libvixMntapi.so.1), linked against the libvixDiskLib
 * stand-in as VMware's is against libvixDiskLib.so.8.
 *
 * It exports the Linux functions of vixMntapi.h (VixMntapi_OpenDiskSet is Windows-only there, and
 * absent here too) and does real work: VixMntapi_OpenDisks opens the disk with VixDiskLib_Open on
 * the caller's connection; the volumes are the partitions of its MBR (primary partitions; extended
 * and logical ones are left out, as VMware's Linux library does) or GPT (header and entry array
 * checked with their CRC32), or, on a disk without a partition table that holds an ext2/3/4 file
 * system, the whole disk; everything read through VixDiskLib_Read. VixMntapi_MountVolume mounts an
 * ext2/3/4 volume read-only with fuse2fs (-o ro,norecovery,noexec,nodev,nosuid,offset=...) on the
 * disk's flat extent, in a directory under the tmpDirectory of the VixMntapi_Init config file, and
 * VixMntapi_GetVolumeInfo names it as symbolicLink; DismountVolume unmounts it with fusermount.
 *
 * Refused: read-write mounts, file systems other than ext2/3/4 (VMware's Linux VixMntapi mounts
 * only what Linux itself can mount; this stand-in only what fuse2fs can), volumes of disks with
 * several extents, more than one disk per set ("Must be 1 for Linux"). Every call is appended to
 * the call log VDDK_STANDIN_CALL_LOG names, as in the libvixDiskLib stand-in.
 */
#define _GNU_SOURCE
#include "vddk-standin.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* from the libvixDiskLib stand-in (the real VixMntapi, too, reads disks through VixDiskLib) */
VixError VixDiskLib_Open(const VixDiskLibConnection connection, const char *path, uint32 flags,
                         VixDiskLibHandle *diskHandle);
VixError VixDiskLib_Close(VixDiskLibHandle diskHandle);
VixError VixDiskLib_Read(VixDiskLibHandle diskHandle, VixDiskLibSectorType startSector,
                         VixDiskLibSectorType numSectors, uint8 *readBuffer);
VixError VixDiskLib_GetInfo(VixDiskLibHandle diskHandle, VixDiskLibInfo **info);
void VixDiskLib_FreeInfo(VixDiskLibInfo *info);

#define SET_MAGIC 0x53455453u
#define VOL_MAGIC 0x564f4c53u
#define MAX_VOLUMES 128
#define MAX_GPT_ENTRIES 256
#define MOUNT_WAIT_MS 30000

struct VixVolumeHandleStruct {
    uint32 magic;
    int index;
    struct VixDiskSetHandleStruct *set;
    VixVolumeType type;
    uint64 start;   /* sectors */
    uint64 sectors;
    int mounted;
    char *dir;
    pid_t pid;
};

struct VixDiskSetHandleStruct {
    uint32 magic;
    unsigned id;
    VixDiskLibHandle disk;
    uint32 flags;
    char *name;
    uint64 capacity;
    int nVol;
    struct VixVolumeHandleStruct *vol[MAX_VOLUMES];
    struct VixDiskSetHandleStruct *next;
};

typedef struct Handout {
    void *p;
    struct Handout *next;
} Handout;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int initialised, initCalls;
static char *tmpDirectory;
static unsigned nextId;
static struct VixDiskSetHandleStruct *sets;
static Handout *handouts;
static long outstanding;

static void hand_out(void *p) {
    Handout *h = malloc(sizeof *h);
    if (h != NULL) {
        h->p = p;
        h->next = handouts;
        handouts = h;
        outstanding++;
    }
}

static int take_back(void *p) {
    for (Handout **h = &handouts; *h; h = &(*h)->next) {
        if ((*h)->p == p) {
            Handout *dead = *h;
            *h = dead->next;
            free(dead);
            outstanding--;
            return 1;
        }
    }
    return 0;
}

static struct VixDiskSetHandleStruct *live_set(VixDiskSetHandle s) {
    for (struct VixDiskSetHandleStruct *x = sets; x; x = x->next) {
        if (x == s && x->magic == SET_MAGIC) {
            return x;
        }
    }
    return NULL;
}

static struct VixVolumeHandleStruct *live_volume(VixVolumeHandle v) {
    for (struct VixDiskSetHandleStruct *s = sets; s; s = s->next) {
        for (int i = 0; i < s->nVol; i++) {
            if (s->vol[i] == v && v->magic == VOL_MAGIC) {
                return v;
            }
        }
    }
    return NULL;
}

static uint32 le32(const uint8 *p) {
    return (uint32)p[0] | (uint32)p[1] << 8 | (uint32)p[2] << 16 | (uint32)p[3] << 24;
}

static uint64 le64(const uint8 *p) {
    return (uint64)le32(p) | (uint64)le32(p + 4) << 32;
}

static uint32 crc32(const uint8 *p, size_t n) {
    uint32 c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++) {
            c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
        }
    }
    return ~c;
}

static VixError read_sectors(struct VixDiskSetHandleStruct *s, uint64 start, uint64 n, uint8 *buf) {
    return VixDiskLib_Read(s->disk, start, n, buf);
}

static int add_volume(struct VixDiskSetHandleStruct *s, VixVolumeType type, uint64 start, uint64 sectors) {
    if (s->nVol == MAX_VOLUMES || sectors == 0 || start >= s->capacity || sectors > s->capacity - start) {
        return 0; /* outside the disk: a damaged table, the volume is left out */
    }
    struct VixVolumeHandleStruct *v = calloc(1, sizeof *v);
    if (v == NULL) {
        return 0;
    }
    v->magic = VOL_MAGIC;
    v->index = s->nVol;
    v->set = s;
    v->type = type;
    v->start = start;
    v->sectors = sectors;
    v->pid = -1;
    s->vol[s->nVol++] = v;
    return 1;
}

/* Whether the volume at `start` holds an ext2/3/4 superblock (magic 0xEF53 at byte 1024 + 56). */
static int is_ext(struct VixDiskSetHandleStruct *s, uint64 start, uint64 sectors) {
    uint8 sb[1024];
    if (sectors < 4 || read_sectors(s, start + 2, 2, sb) != VIX_OK) {
        return 0;
    }
    return sb[56] == 0x53 && sb[57] == 0xEF;
}

static VixError read_gpt(struct VixDiskSetHandleStruct *s, char *detail, size_t dn) {
    uint8 h[512];
    VixError r = read_sectors(s, 1, 1, h);
    if (r != VIX_OK) {
        return r;
    }
    uint32 hsize = le32(h + 12);
    if (memcmp(h, "EFI PART", 8) != 0 || hsize < 92 || hsize > 512) {
        snprintf(detail, dn, "protective MBR without a GPT header");
        return VIX_E_MNTAPI_CANT_READ_PARTS;
    }
    uint32 want = le32(h + 16);
    memset(h + 16, 0, 4);
    if (crc32(h, hsize) != want) {
        snprintf(detail, dn, "GPT header checksum mismatch");
        return VIX_E_MNTAPI_CANT_READ_PARTS;
    }
    uint64 lba = le64(h + 72);
    uint32 count = le32(h + 80);
    uint32 esize = le32(h + 84);
    if (count > MAX_GPT_ENTRIES || esize < 128 || esize > 1024 || esize % 8 != 0 || lba < 2 || lba >= s->capacity) {
        snprintf(detail, dn, "GPT entry array out of bounds (%u entries of %u bytes at sector %llu)", count, esize,
                 (unsigned long long)lba);
        return VIX_E_MNTAPI_CANT_READ_PARTS;
    }
    uint64 bytes = (uint64)count * esize;
    uint64 n = (bytes + 511) / 512;
    if (n > s->capacity - lba) {
        snprintf(detail, dn, "GPT entry array beyond the end of the disk");
        return VIX_E_MNTAPI_CANT_READ_PARTS;
    }
    uint8 *entries = malloc(n * 512 + 1);
    if (entries == NULL) {
        return VIX_E_OUT_OF_MEMORY;
    }
    r = read_sectors(s, lba, n, entries);
    if (r == VIX_OK && crc32(entries, (size_t)bytes) != le32(h + 88)) {
        snprintf(detail, dn, "GPT entry array checksum mismatch");
        r = VIX_E_MNTAPI_CANT_READ_PARTS;
    }
    for (uint32 i = 0; r == VIX_OK && i < count; i++) {
        const uint8 *e = entries + (size_t)i * esize;
        static const uint8 unused[16];
        if (memcmp(e, unused, 16) == 0) {
            continue;
        }
        uint64 first = le64(e + 32);
        uint64 last = le64(e + 40);
        if (last >= first) {
            add_volume(s, VIXMNTAPI_GPT_PARTITION, first, last - first + 1);
        }
    }
    free(entries);
    return r;
}

/* The volumes of the disk: MBR primaries, GPT entries, or a whole-disk ext file system. */
static VixError find_volumes(struct VixDiskSetHandleStruct *s, char *detail, size_t dn) {
    uint8 mbr[512];
    VixError r = read_sectors(s, 0, 1, mbr);
    if (r != VIX_OK) {
        return r;
    }
    if (mbr[510] == 0x55 && mbr[511] == 0xAA) {
        int any = 0;
        for (int i = 0; i < 4; i++) {
            const uint8 *e = mbr + 446 + 16 * i;
            uint8 type = e[4];
            if (type == 0xEE) {
                return read_gpt(s, detail, dn);
            }
            if (type == 0 || type == 0x05 || type == 0x0F || type == 0x85) {
                continue; /* empty, or an extended partition: VMware's Linux VixMntapi shows neither */
            }
            any |= add_volume(s, VIXMNTAPI_BASIC_PARTITION, le32(e + 8), le32(e + 12));
        }
        if (any) {
            return VIX_OK;
        }
    }
    if (is_ext(s, 0, s->capacity)) {
        add_volume(s, VIXMNTAPI_UNKNOWN_VOLTYPE, 0, s->capacity);
    }
    return VIX_OK;
}

/* ---- library --------------------------------------------------------------------------------- */

static char *config_value(const char *configFile, const char *name) {
    FILE *f = configFile ? fopen(configFile, "re") : NULL;
    if (f == NULL) {
        return NULL;
    }
    char line[1024];
    char *out = NULL;
    size_t n = strlen(name);
    while (out == NULL && fgets(line, sizeof line, f) != NULL) {
        char *s = line;
        while (*s == ' ' || *s == '\t') {
            s++;
        }
        if (strncmp(s, name, n) != 0) {
            continue;
        }
        s += n;
        while (*s == ' ' || *s == '\t') {
            s++;
        }
        if (*s++ != '=') {
            continue;
        }
        while (*s == ' ' || *s == '\t') {
            s++;
        }
        s[strcspn(s, "\r\n")] = '\0';
        size_t len = strlen(s);
        if (len >= 2 && s[0] == '"' && s[len - 1] == '"') {
            s[len - 1] = '\0';
            s++;
        }
        out = strdup(s);
    }
    fclose(f);
    return out;
}

STANDIN_API VixError VixMntapi_Init(uint32 majorVersion, uint32 minorVersion, VixDiskLibGenericLogFunc *log,
                                    VixDiskLibGenericLogFunc *warn, VixDiskLibGenericLogFunc *panic,
                                    const char *libDir, const char *configFile) {
    StandinLine l;
    char detail[512] = "";
    standin_line_start(&l, "VixMntapi_Init");
    standin_line_raw(&l, " version=%u.%u", majorVersion, minorVersion);
    standin_line_str(&l, "log", log ? "set" : NULL);
    standin_line_str(&l, "warn", warn ? "set" : NULL);
    standin_line_str(&l, "panic", panic ? "set" : NULL);
    standin_line_str(&l, "libDir", libDir);
    standin_line_str(&l, "configFile", configFile);
    char *tmp = config_value(configFile, "tmpDirectory");
    standin_line_str(&l, "tmpDirectory", tmp);
    VixError r = VIX_OK;
    pthread_mutex_lock(&mu);
    if (majorVersion != VIXMNTAPI_MAJOR_VERSION || minorVersion != VIXMNTAPI_MINOR_VERSION) {
        snprintf(detail, sizeof detail, "version %u.%u: VixMntapi takes 1.0", majorVersion, minorVersion);
        r = VIX_E_MNTAPI_INCOMPATIBLE_VERSION;
    } else if (initCalls > 0) {
        snprintf(detail, sizeof detail, "VixMntapi_Init may be called once per process");
        r = VIX_E_FAIL;
    } else if (tmp == NULL || tmp[0] != '/') {
        snprintf(detail, sizeof detail, "the config file names no absolute tmpDirectory");
        r = VIX_E_INVALID_ARG;
    } else if (mkdir(tmp, 0700) != 0 && errno != EEXIST) {
        snprintf(detail, sizeof detail, "tmpDirectory %s: %s", tmp, strerror(errno));
        r = VIX_E_FILE_ERROR;
    } else {
        initCalls++;
        initialised = 1;
        free(tmpDirectory);
        tmpDirectory = tmp;
        tmp = NULL;
    }
    pthread_mutex_unlock(&mu);
    free(tmp);
    standin_line_end(&l, r, detail);
    return r;
}

static VixError dismount(struct VixVolumeHandleStruct *v, int force, char *detail, size_t dn);
static void free_set(struct VixDiskSetHandleStruct *s);

STANDIN_API void VixMntapi_Exit(void) {
    StandinLine l;
    standin_line_start(&l, "VixMntapi_Exit");
    pthread_mutex_lock(&mu);
    unsigned open = 0;
    while (sets != NULL) {
        struct VixDiskSetHandleStruct *s = sets;
        sets = s->next;
        open++;
        char detail[256];
        for (int i = 0; i < s->nVol; i++) {
            if (s->vol[i]->mounted) {
                dismount(s->vol[i], 1, detail, sizeof detail);
            }
        }
        VixDiskLib_Close(s->disk);
        free_set(s);
    }
    initialised = 0;
    long left = outstanding;
    pthread_mutex_unlock(&mu);
    standin_line_u64(&l, "openDiskSets", open);
    standin_line_u64(&l, "unfreed", (uint64)left);
    standin_line_end(&l, VIX_OK, NULL);
}

static void free_set(struct VixDiskSetHandleStruct *s) {
    for (int i = 0; i < s->nVol; i++) {
        free(s->vol[i]->dir);
        s->vol[i]->magic = 0;
        free(s->vol[i]);
    }
    free(s->name);
    s->magic = 0;
    free(s);
}

STANDIN_API VixError VixMntapi_OpenDisks(VixDiskLibConnection connection, const char *diskNames[],
                                         size_t numberOfDisks, uint32 openFlags, VixDiskSetHandle *handle) {
    StandinLine l;
    char detail[512] = "";
    standin_line_start(&l, "VixMntapi_OpenDisks");
    standin_line_u64(&l, "numberOfDisks", numberOfDisks);
    standin_line_str(&l, "disk", diskNames && numberOfDisks > 0 ? diskNames[0] : NULL);
    standin_line_hex(&l, "openFlags", openFlags);
    VixError r = VIX_OK;
    pthread_mutex_lock(&mu);
    if (!initialised) {
        r = VIX_E_DISK_NOINIT;
    } else if (diskNames == NULL || handle == NULL || numberOfDisks != 1 || diskNames[0] == NULL) {
        snprintf(detail, sizeof detail, "numberOfDisks must be 1 on Linux, with one disk name");
        r = VIX_E_INVALID_ARG;
    }
    struct VixDiskSetHandleStruct *s = NULL;
    if (r == VIX_OK) {
        s = calloc(1, sizeof *s);
        if (s == NULL) {
            r = VIX_E_OUT_OF_MEMORY;
        }
    }
    if (r == VIX_OK) {
        s->magic = SET_MAGIC;
        s->flags = openFlags;
        s->name = strdup(diskNames[0]);
        r = VixDiskLib_Open(connection, diskNames[0], openFlags, &s->disk);
        if (r != VIX_OK) {
            snprintf(detail, sizeof detail, "VixDiskLib_Open of %s failed: %s", diskNames[0], standin_error_text(r));
        }
    }
    if (r == VIX_OK) {
        VixDiskLibInfo *info;
        r = VixDiskLib_GetInfo(s->disk, &info);
        if (r == VIX_OK) {
            s->capacity = info->capacity;
            VixDiskLib_FreeInfo(info);
            r = find_volumes(s, detail, sizeof detail);
        }
        if (r != VIX_OK) {
            VixDiskLib_Close(s->disk);
        }
    }
    if (r == VIX_OK) {
        s->id = ++nextId;
        s->next = sets;
        sets = s;
        *handle = s;
        snprintf(detail, sizeof detail, "diskSet=s%u volumes=%d", s->id, s->nVol);
    } else if (s != NULL) {
        free_set(s);
    }
    pthread_mutex_unlock(&mu);
    standin_line_end(&l, r, detail);
    return r;
}

STANDIN_API VixError VixMntapi_GetDiskSetInfo(VixDiskSetHandle diskSet, VixDiskSetInfo **diskSetInfo) {
    StandinLine l;
    standin_line_start(&l, "VixMntapi_GetDiskSetInfo");
    pthread_mutex_lock(&mu);
    struct VixDiskSetHandleStruct *s = live_set(diskSet);
    VixError r = s == NULL || diskSetInfo == NULL ? VIX_E_INVALID_ARG : VIX_OK;
    if (r == VIX_OK) {
        VixDiskSetInfo *i = calloc(1, sizeof *i);
        if (i == NULL) {
            r = VIX_E_OUT_OF_MEMORY;
        } else {
            i->openFlags = s->flags;
            i->mountPath = tmpDirectory ? strdup(tmpDirectory) : NULL;
            hand_out(i);
            *diskSetInfo = i;
        }
    }
    pthread_mutex_unlock(&mu);
    standin_line_end(&l, r, NULL);
    return r;
}

STANDIN_API void VixMntapi_FreeDiskSetInfo(VixDiskSetInfo *diskSetInfo) {
    StandinLine l;
    standin_line_start(&l, "VixMntapi_FreeDiskSetInfo");
    pthread_mutex_lock(&mu);
    int ok = diskSetInfo == NULL || take_back(diskSetInfo);
    pthread_mutex_unlock(&mu);
    if (diskSetInfo != NULL && ok) {
        free(diskSetInfo->mountPath);
        free(diskSetInfo);
    }
    standin_line_end(&l, ok ? VIX_OK : VIX_E_INVALID_ARG, ok ? NULL : "pointer not from GetDiskSetInfo (not freed)");
}

STANDIN_API VixError VixMntapi_CloseDiskSet(VixDiskSetHandle diskSet) {
    StandinLine l;
    char detail[256] = "";
    standin_line_start(&l, "VixMntapi_CloseDiskSet");
    pthread_mutex_lock(&mu);
    struct VixDiskSetHandleStruct *s = live_set(diskSet);
    VixError r = s == NULL ? VIX_E_INVALID_ARG : VIX_OK;
    if (s != NULL) {
        standin_line_raw(&l, " diskSet=s%u", s->id);
        unsigned dismounted = 0;
        for (int i = 0; i < s->nVol; i++) {
            if (s->vol[i]->mounted) {
                char d2[256];
                dismount(s->vol[i], 1, d2, sizeof d2);
                dismounted++;
            }
        }
        for (struct VixDiskSetHandleStruct **x = &sets; *x; x = &(*x)->next) {
            if (*x == s) {
                *x = s->next;
                break;
            }
        }
        r = VixDiskLib_Close(s->disk);
        free_set(s);
        snprintf(detail, sizeof detail, "stillMounted=%u", dismounted);
    }
    pthread_mutex_unlock(&mu);
    standin_line_end(&l, r, detail);
    return r;
}

STANDIN_API VixError VixMntapi_GetVolumeHandles(VixDiskSetHandle diskSet, size_t *numberOfVolumes,
                                                VixVolumeHandle **volumeHandles) {
    StandinLine l;
    char detail[64] = "";
    standin_line_start(&l, "VixMntapi_GetVolumeHandles");
    pthread_mutex_lock(&mu);
    struct VixDiskSetHandleStruct *s = live_set(diskSet);
    VixError r = s == NULL || numberOfVolumes == NULL || volumeHandles == NULL ? VIX_E_INVALID_ARG : VIX_OK;
    if (r == VIX_OK) {
        standin_line_raw(&l, " diskSet=s%u", s->id);
        VixVolumeHandle *a = calloc((size_t)s->nVol + 1, sizeof *a);
        if (a == NULL) {
            r = VIX_E_OUT_OF_MEMORY;
        } else {
            for (int i = 0; i < s->nVol; i++) {
                a[i] = s->vol[i];
            }
            hand_out(a);
            *volumeHandles = a;
            *numberOfVolumes = (size_t)s->nVol;
            snprintf(detail, sizeof detail, "volumes=%d", s->nVol);
        }
    }
    pthread_mutex_unlock(&mu);
    standin_line_end(&l, r, detail);
    return r;
}

STANDIN_API void VixMntapi_FreeVolumeHandles(VixVolumeHandle *volumeHandles) {
    StandinLine l;
    standin_line_start(&l, "VixMntapi_FreeVolumeHandles");
    pthread_mutex_lock(&mu);
    int ok = volumeHandles == NULL || take_back(volumeHandles);
    pthread_mutex_unlock(&mu);
    if (volumeHandles != NULL && ok) {
        free(volumeHandles);
    }
    standin_line_end(&l, ok ? VIX_OK : VIX_E_INVALID_ARG, ok ? NULL : "pointer not from GetVolumeHandles (not freed)");
}

/* NAME= and VERSION_ID= of a mounted volume's /etc/os-release, if any. */
static int os_release(const char *dir, char *name, size_t nn, char *version, size_t vn) {
    char path[4096];
    snprintf(path, sizeof path, "%s/etc/os-release", dir);
    FILE *f = fopen(path, "re");
    if (f == NULL) {
        return 0;
    }
    char line[512];
    name[0] = version[0] = '\0';
    while (fgets(line, sizeof line, f) != NULL) {
        line[strcspn(line, "\r\n")] = '\0';
        char *v = strchr(line, '=');
        if (v == NULL) {
            continue;
        }
        *v++ = '\0';
        size_t len = strlen(v);
        if (len >= 2 && v[0] == '"' && v[len - 1] == '"') {
            v[len - 1] = '\0';
            v++;
        }
        if (strcmp(line, "NAME") == 0) {
            snprintf(name, nn, "%s", v);
        } else if (strcmp(line, "VERSION_ID") == 0) {
            snprintf(version, vn, "%s", v);
        }
    }
    fclose(f);
    return name[0] != '\0';
}

STANDIN_API VixError VixMntapi_GetOsInfo(VixDiskSetHandle diskSet, VixOsInfo **info) {
    StandinLine l;
    char detail[256] = "";
    standin_line_start(&l, "VixMntapi_GetOsInfo");
    pthread_mutex_lock(&mu);
    struct VixDiskSetHandleStruct *s = live_set(diskSet);
    VixError r = s == NULL || info == NULL ? VIX_E_INVALID_ARG : VIX_OK;
    if (r == VIX_OK) {
        VixOsInfo *o = calloc(1, sizeof *o);
        if (o == NULL) {
            r = VIX_E_OUT_OF_MEMORY;
        } else {
            /* VMware recognises Windows only; for a Linux guest the stand-in reads the mounted
               system volume's /etc/os-release, and reports no OS without one */
            o->family = VIXMNTAPI_NO_OS;
            char name[128], version[64];
            for (int i = 0; i < s->nVol; i++) {
                if (s->vol[i]->mounted && os_release(s->vol[i]->dir, name, sizeof name, version, sizeof version)) {
                    o->family = VIXMNTAPI_OTHER;
                    o->majorVersion = (uint32)strtoul(version, NULL, 10);
                    const char *dot = strchr(version, '.');
                    o->minorVersion = dot ? (uint32)strtoul(dot + 1, NULL, 10) : 0;
                    o->osIs64Bit = 1;
                    o->vendor = strdup(name);
                    o->osFolder = strdup("/");
                    break;
                }
            }
            hand_out(o);
            *info = o;
            snprintf(detail, sizeof detail, "family=%d", (int)o->family);
        }
    }
    pthread_mutex_unlock(&mu);
    standin_line_end(&l, r, detail);
    return r;
}

STANDIN_API void VixMntapi_FreeOsInfo(VixOsInfo *info) {
    StandinLine l;
    standin_line_start(&l, "VixMntapi_FreeOsInfo");
    pthread_mutex_lock(&mu);
    int ok = info == NULL || take_back(info);
    pthread_mutex_unlock(&mu);
    if (info != NULL && ok) {
        free(info->vendor);
        free(info->edition);
        free(info->osFolder);
        free(info);
    }
    standin_line_end(&l, ok ? VIX_OK : VIX_E_INVALID_ARG, ok ? NULL : "pointer not from GetOsInfo (not freed)");
}

/* An executable `name` on PATH or in the sbin directories (where Debian puts fuse2fs). */
static int find_program(const char *name, char *out, size_t n) {
    const char *path = getenv("PATH");
    char dirs[4096];
    snprintf(dirs, sizeof dirs, "%s:/usr/sbin:/sbin:/usr/bin:/bin", path ? path : "");
    char *save;
    for (char *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
        snprintf(out, n, "%s/%s", d, name);
        if (access(out, X_OK) == 0) {
            return 1;
        }
    }
    return 0;
}

/* Runs argv with stdin/stdout on /dev/null and stderr to `errFile`, no other descriptor inherited. */
static pid_t spawn(char *const argv[], const char *errFile) {
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, errFile ? errFile : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addclosefrom_np(&fa, 3);
    pid_t pid;
    int e = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    return e == 0 ? pid : -1;
}

static int is_mount_point(const char *dir) {
    FILE *f = fopen("/proc/self/mountinfo", "re");
    if (f == NULL) {
        return 0;
    }
    char line[8192];
    int found = 0;
    while (!found && fgets(line, sizeof line, f) != NULL) {
        /* id parent major:minor root mountpoint ... (mountpoint with \040 for spaces; ours have none) */
        char *save;
        char *tok = strtok_r(line, " ", &save);
        for (int i = 0; tok != NULL && i < 4; i++) {
            tok = strtok_r(NULL, " ", &save);
        }
        found = tok != NULL && strcmp(tok, dir) == 0;
    }
    fclose(f);
    return found;
}

static void sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void tail_of(const char *file, char *out, size_t n) {
    out[0] = '\0';
    FILE *f = fopen(file, "re");
    if (f == NULL) {
        return;
    }
    size_t got = fread(out, 1, n - 1, f);
    out[got] = '\0';
    fclose(f);
    for (char *c = out; *c; c++) {
        if (*c == '\n') {
            *c = ' ';
        }
    }
}

STANDIN_API VixError VixMntapi_MountVolume(VixVolumeHandle volumeHandle, Bool readOnly) {
    StandinLine l;
    char detail[1024] = "";
    standin_line_start(&l, "VixMntapi_MountVolume");
    standin_line_u64(&l, "readOnly", (uint64)(unsigned char)readOnly);
    pthread_mutex_lock(&mu);
    struct VixVolumeHandleStruct *v = live_volume(volumeHandle);
    VixError r = v == NULL ? VIX_E_INVALID_ARG : VIX_OK;
    const char *flat = NULL;
    uint64 flatOffset = 0;
    if (v != NULL) {
        standin_line_raw(&l, " diskSet=s%u volume=%d", v->set->id, v->index);
        if (v->mounted) {
            r = VIX_E_MNTAPI_VOLUME_ALREADY_MOUNTED;
        } else if (!readOnly) {
            snprintf(detail, sizeof detail, "the stand-in mounts volumes read-only only");
            r = VIX_E_NOT_SUPPORTED;
        } else if (!is_ext(v->set, v->start, v->sectors)) {
            snprintf(detail, sizeof detail,
                     "volume %d holds no ext2/3/4 file system: the stand-in mounts those only (with fuse2fs)", v->index);
            r = VIX_E_NOT_SUPPORTED;
        } else if (VddkStandin_FlatFile(v->set->disk, &flat, &flatOffset) != VIX_OK) {
            snprintf(detail, sizeof detail, "the stand-in mounts volumes of single-extent flat disks only");
            r = VIX_E_NOT_SUPPORTED;
        }
    }
    char fuse2fs[4096];
    if (r == VIX_OK && !find_program("fuse2fs", fuse2fs, sizeof fuse2fs)) {
        snprintf(detail, sizeof detail, "fuse2fs is not installed (Debian package fuse2fs)");
        r = VIX_E_MNTAPI_OPEN_FAILURE;
    }
    char dir[4096], errFile[4200];
    if (r == VIX_OK) {
        snprintf(dir, sizeof dir, "%s/standin-%ld-s%u-v%d", tmpDirectory, (long)getpid(), v->set->id, v->index);
        snprintf(errFile, sizeof errFile, "%s.fuse2fs.log", dir);
        if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
            snprintf(detail, sizeof detail, "%s: %s", dir, strerror(errno));
            r = VIX_E_MNTAPI_MOUNTPT_NOT_FOUND;
        }
    }
    if (r == VIX_OK) {
        char opts[256];
        snprintf(opts, sizeof opts, "ro,norecovery,noexec,nodev,nosuid,fsname=vixmntapi-standin,offset=%llu",
                 (unsigned long long)(flatOffset + v->start * VIXDISKLIB_SECTOR_SIZE));
        char *argv[] = {fuse2fs, (char *)flat, dir, "-f", "-o", opts, NULL};
        pid_t pid = spawn(argv, errFile);
        if (pid < 0) {
            snprintf(detail, sizeof detail, "cannot start %s", fuse2fs);
            r = VIX_E_MNTAPI_OPEN_FAILURE;
        } else {
            int waited = 0, status;
            while (!is_mount_point(dir)) {
                if (waitpid(pid, &status, WNOHANG) == pid) {
                    char why[512];
                    tail_of(errFile, why, sizeof why);
                    snprintf(detail, sizeof detail, "fuse2fs exited before mounting: %s", why);
                    r = VIX_E_MNTAPI_OPEN_FAILURE;
                    break;
                }
                if (waited >= MOUNT_WAIT_MS) {
                    kill(pid, SIGKILL);
                    waitpid(pid, &status, 0);
                    snprintf(detail, sizeof detail, "fuse2fs did not mount within %d s", MOUNT_WAIT_MS / 1000);
                    r = VIX_E_MNTAPI_OPEN_FAILURE;
                    break;
                }
                sleep_ms(20);
                waited += 20;
            }
            if (r == VIX_OK) {
                v->mounted = 1;
                v->pid = pid;
                free(v->dir);
                v->dir = strdup(dir);
                snprintf(detail, sizeof detail, "path=%s driver=fuse2fs", dir);
            } else {
                rmdir(dir);
            }
        }
    }
    pthread_mutex_unlock(&mu);
    standin_line_end(&l, r, detail);
    return r;
}

/* Unmounts with fusermount (-u, or -uz when forced), reaps fuse2fs, removes the directory. Caller holds mu. */
static VixError dismount(struct VixVolumeHandleStruct *v, int force, char *detail, size_t dn) {
    char prog[4096];
    if (!find_program("fusermount", prog, sizeof prog) && !find_program("fusermount3", prog, sizeof prog)) {
        snprintf(detail, dn, "fusermount is not installed");
        return VIX_E_MNTAPI_UMOUNT;
    }
    char *argv[] = {prog, force ? "-uz" : "-u", v->dir, NULL};
    char errFile[4200];
    snprintf(errFile, sizeof errFile, "%s.fusermount.log", v->dir);
    pid_t pid = spawn(argv, errFile);
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        char why[512];
        tail_of(errFile, why, sizeof why);
        snprintf(detail, dn, "fusermount -u %s failed: %s", v->dir, why);
        unlink(errFile);
        return VIX_E_MNTAPI_UMOUNT;
    }
    unlink(errFile);
    /* fuse2fs ends once unmounted; it gets 10 s before it is killed */
    for (int i = 0; i < 500 && v->pid > 0; i++) {
        if (waitpid(v->pid, &status, WNOHANG) == v->pid) {
            v->pid = -1;
            break;
        }
        sleep_ms(20);
    }
    if (v->pid > 0) {
        kill(v->pid, SIGKILL);
        waitpid(v->pid, &status, 0);
        v->pid = -1;
    }
    char log[4200];
    snprintf(log, sizeof log, "%s.fuse2fs.log", v->dir);
    unlink(log);
    rmdir(v->dir);
    v->mounted = 0;
    snprintf(detail, dn, "unmounted=%s", v->dir);
    return VIX_OK;
}

STANDIN_API VixError VixMntapi_DismountVolume(VixVolumeHandle volumeHandle, Bool force) {
    StandinLine l;
    char detail[1024] = "";
    standin_line_start(&l, "VixMntapi_DismountVolume");
    standin_line_u64(&l, "force", (uint64)(unsigned char)force);
    pthread_mutex_lock(&mu);
    struct VixVolumeHandleStruct *v = live_volume(volumeHandle);
    VixError r = v == NULL ? VIX_E_INVALID_ARG : VIX_OK;
    if (v != NULL) {
        standin_line_raw(&l, " diskSet=s%u volume=%d", v->set->id, v->index);
        r = v->mounted ? dismount(v, force, detail, sizeof detail) : VIX_E_MNTAPI_VOLUME_NOT_MOUNTED;
    }
    pthread_mutex_unlock(&mu);
    standin_line_end(&l, r, detail);
    return r;
}

STANDIN_API VixError VixMntapi_GetVolumeInfo(VixVolumeHandle volumeHandle, VixVolumeInfo **info) {
    StandinLine l;
    char detail[512] = "";
    standin_line_start(&l, "VixMntapi_GetVolumeInfo");
    pthread_mutex_lock(&mu);
    struct VixVolumeHandleStruct *v = live_volume(volumeHandle);
    VixError r = v == NULL || info == NULL ? VIX_E_INVALID_ARG : VIX_OK;
    if (r == VIX_OK) {
        standin_line_raw(&l, " diskSet=s%u volume=%d", v->set->id, v->index);
        VixVolumeInfo *i = calloc(1, sizeof *i);
        if (i == NULL) {
            r = VIX_E_OUT_OF_MEMORY;
        } else {
            i->type = v->type;
            i->isMounted = (Bool)v->mounted;
            i->symbolicLink = v->mounted ? strdup(v->dir) : NULL;
            i->numGuestMountPoints = 0; /* VMware: unimplemented on Linux */
            hand_out(i);
            *info = i;
            snprintf(detail, sizeof detail, "type=%d start=%llu sectors=%llu mounted=%d", (int)v->type,
                     (unsigned long long)v->start, (unsigned long long)v->sectors, v->mounted);
        }
    }
    pthread_mutex_unlock(&mu);
    standin_line_end(&l, r, detail);
    return r;
}

STANDIN_API void VixMntapi_FreeVolumeInfo(VixVolumeInfo *info) {
    StandinLine l;
    standin_line_start(&l, "VixMntapi_FreeVolumeInfo");
    pthread_mutex_lock(&mu);
    int ok = info == NULL || take_back(info);
    pthread_mutex_unlock(&mu);
    if (info != NULL && ok) {
        free(info->symbolicLink);
        free(info);
    }
    standin_line_end(&l, ok ? VIX_OK : VIX_E_INVALID_ARG, ok ? NULL : "pointer not from GetVolumeInfo (not freed)");
}

/* Stand-in only: allocations of this library not yet given back by the caller. */
STANDIN_API long VddkStandin_MntapiOutstanding(void) {
    pthread_mutex_lock(&mu);
    long n = outstanding;
    pthread_mutex_unlock(&mu);
    return n;
}
