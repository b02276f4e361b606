/*
 * libvixDiskLib-standin.c -- STAND-IN for VMware's libvixDiskLib.so (VDDK 8.x), test code of
 * cairn; never shipped, never packaged. Built by scripts/vddk-standin into
 * DIR/lib64/libvixDiskLib.so.8.0.1 (soname libvixDiskLib.so.8), so that `--vddk DIR` loads it
 * exactly as it would load VMware's library.
 *
 * It exports the functions of vixDiskLib.h that cairn's binding calls, with the header's
 * prototypes and structures (vddk-standin.h), and does real work on the vCenter simulator's
 * datastores: "[datastore] dir/disk.vmdk" is resolved through VDDK_STANDIN_DATASTORES
 * ("name=/folder;name2=/folder2") to the datastore's folder, the VMDK descriptor there is parsed,
 * and sectors are read from and written to its flat extents. Every call is appended, with its
 * arguments and result, to the file VDDK_STANDIN_CALL_LOG names (standin-log.c); passwords never.
 *
 * What it serves: monolithicFlat, twoGbMaxExtentFlat and vmfs (VMFS flat/thin) descriptors with
 * FLAT, VMFS and ZERO extents in the descriptor's folder. What it refuses, with the error code the
 * header gives: sparse, streamOptimized, seSparse and RDM disks and extents, snapshot (delta) disks
 * (a parent), extents outside the descriptor's folder, credentials other than user/password, I/O
 * beyond the capacity, SAN-mode buffers not aligned to 512 bytes.
 *
 * Local connections (connectParams with no serverName, as VixDiskLib takes for VMDK files on the
 * machine itself: cairn's VixMntapi mount opens a backup's disk that way, from its FUSE mount) open an
 * absolute path of a local descriptor in "file" mode; no VM, snapshot or credentials.
 *
 * Transports: ConnectEx's list is tried in order at Open, like VixDiskLib. nbd and nbdssl always
 * reach a disk; san only on the datastores VDDK_STANDIN_SAN names (comma-separated: the LUNs this
 * "proxy" sees), hotadd only on those VDDK_STANDIN_HOTADD names; file never (remote disks). When no
 * mode in the list reaches the disk, Open fails with VIX_E_FILE_ACCESS_ERROR (13), the error
 * VixDiskLib reports then. If VDDK_STANDIN_USER / VDDK_STANDIN_PASSWORD are set, ConnectEx and
 * PrepareForAccess refuse other credentials (VIX_E_HOST_USER_PERMISSIONS).
 */
#define _GNU_SOURCE
#include "vddk-standin.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define CONN_MAGIC 0x434f4e4eu
#define DISK_MAGIC 0x4449534bu
#define MAX_EXTENTS 64
#define MAX_DDB 256
#define MAX_DESCRIPTOR (64 * 1024)
#define MAX_CAPACITY_SECTORS (1ULL << 40) /* 512 TiB: far beyond any VMDK */

struct VixDiskLibConnectParam {
    uint32 magic;
    unsigned id;
    char *vm;
    char *server;
    char *snapshot;
    char *modes;
    Bool readOnly;
    int local; /* no server: the paths Open takes are local files */
    struct VixDiskLibConnectParam *next;
};

enum { EXT_FLAT, EXT_ZERO };

typedef struct {
    int type;
    int readOnly;
    uint64 start;      /* first disk sector */
    uint64 sectors;
    uint64 fileOffset; /* in sectors */
    char *path;
    int fd;
} Extent;

typedef struct {
    char *key;
    char *value;
} Ddb;

struct VixDiskLibHandleStruct {
    uint32 magic;
    unsigned id;
    pthread_mutex_t io;
    VixDiskLibConnection conn;
    char *descriptor;
    int readOnly;
    const char *mode;
    char *createType;
    Extent ext[MAX_EXTENTS];
    int nExt;
    uint64 capacity;
    Ddb ddb[MAX_DDB];
    int nDdb;
    struct VixDiskLibHandleStruct *next;
};

/* Memory handed to the caller (GetInfo, block lists, error texts) until it gives it back. */
typedef struct Handout {
    void *p;
    struct Handout *next;
} Handout;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int initialised;
static unsigned nextId;
static struct VixDiskLibConnectParam *conns;
static VixDiskLibHandleStruct *disks;
static Handout *handouts;
static long outstanding;

/* ---- helpers -------------------------------------------------------------------------------- */

static void hand_out(void *p) {
    Handout *h = malloc(sizeof *h);
    if (h == NULL) {
        return;
    }
    pthread_mutex_lock(&mu);
    h->p = p;
    h->next = handouts;
    handouts = h;
    outstanding++;
    pthread_mutex_unlock(&mu);
}

/* 1 if p was handed out (and is now taken back), 0 if the library never gave it. */
static int take_back(void *p) {
    int found = 0;
    pthread_mutex_lock(&mu);
    for (Handout **h = &handouts; *h; h = &(*h)->next) {
        if ((*h)->p == p) {
            Handout *dead = *h;
            *h = dead->next;
            free(dead);
            outstanding--;
            found = 1;
            break;
        }
    }
    pthread_mutex_unlock(&mu);
    return found;
}

static int live_conn(VixDiskLibConnection c) {
    for (struct VixDiskLibConnectParam *x = conns; x; x = x->next) {
        if (x == c) {
            return x->magic == CONN_MAGIC;
        }
    }
    return 0;
}

/* Finds a live disk and locks its I/O mutex (under the registry lock, so Close waits for it). */
static VixDiskLibHandle lock_disk(VixDiskLibHandle h) {
    VixDiskLibHandle found = NULL;
    pthread_mutex_lock(&mu);
    for (VixDiskLibHandle x = disks; x; x = x->next) {
        if (x == h && x->magic == DISK_MAGIC) {
            found = x;
            pthread_mutex_lock(&x->io);
            break;
        }
    }
    pthread_mutex_unlock(&mu);
    return found;
}

static void unlock_disk(VixDiskLibHandle h) {
    pthread_mutex_unlock(&h->io);
}

/* Whether `name` is one of the comma-separated names in environment variable `var`. */
static int env_lists(const char *var, const char *name) {
    const char *v = getenv(var);
    if (v == NULL) {
        return 0;
    }
    size_t n = strlen(name);
    while (*v) {
        const char *end = strchr(v, ',');
        size_t len = end ? (size_t)(end - v) : strlen(v);
        if (len == n && strncmp(v, name, n) == 0) {
            return 1;
        }
        if (!end) {
            break;
        }
        v = end + 1;
    }
    return 0;
}

/* The folder of datastore `name` from VDDK_STANDIN_DATASTORES ("name=/folder;..."), malloc'd. */
static char *datastore_folder(const char *name) {
    const char *v = getenv(STANDIN_ENV_DATASTORES);
    if (v == NULL) {
        return NULL;
    }
    size_t n = strlen(name);
    while (*v) {
        const char *end = strchr(v, ';');
        size_t len = end ? (size_t)(end - v) : strlen(v);
        if (len > n + 1 && strncmp(v, name, n) == 0 && v[n] == '=' && v[n + 1] == '/') {
            return strndup(v + n + 1, len - n - 1);
        }
        if (!end) {
            break;
        }
        v = end + 1;
    }
    return NULL;
}

/* An absolute local path without empty, "." or ".." components. */
static int local_path(const char *p) {
    if (p == NULL || p[0] != '/' || strlen(p) > 4000) {
        return 0;
    }
    for (const char *c = p + 1; *c;) {
        const char *end = strchr(c, '/');
        size_t n = end ? (size_t)(end - c) : strlen(c);
        if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.')) {
            return 0;
        }
        if (!end) {
            break;
        }
        c = end + 1;
    }
    return 1;
}

static int valid_moref(const char *s) {
    if (s == NULL || *s == '\0' || strlen(s) > 128) {
        return 0;
    }
    for (; *s; s++) {
        if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_' && *s != '.') {
            return 0;
        }
    }
    return 1;
}

/* "AA:BB:..." with 20 (SHA-1) or 32 (SHA-256) hex pairs. */
static int valid_thumbprint(const char *t) {
    if (t == NULL) {
        return 0;
    }
    size_t len = strlen(t);
    if (len != 20 * 3 - 1 && len != 32 * 3 - 1) {
        return 0;
    }
    for (size_t i = 0; i < len; i++) {
        if (i % 3 == 2 ? t[i] != ':' : !isxdigit((unsigned char)t[i])) {
            return 0;
        }
    }
    return 1;
}

static int known_mode(const char *m, size_t n) {
    static const char *modes[] = {"file", "san", "hotadd", "nbd", "nbdssl"};
    for (size_t i = 0; i < sizeof modes / sizeof *modes; i++) {
        if (strlen(modes[i]) == n && strncmp(modes[i], m, n) == 0) {
            return 1;
        }
    }
    return 0;
}

static const char *static_mode(const char *m, size_t n) {
    static const char *modes[] = {"san", "hotadd", "nbdssl", "nbd"};
    for (size_t i = 0; i < sizeof modes / sizeof *modes; i++) {
        if (strlen(modes[i]) == n && strncmp(modes[i], m, n) == 0) {
            return modes[i];
        }
    }
    return NULL;
}

/* The credentials of `p` against VDDK_STANDIN_USER/PASSWORD (when set); logs user, never the password. */
static VixError check_params(StandinLine *l, const VixDiskLibConnectParams *p, int needVm, char *detail, size_t dn) {
    standin_line_str(l, "vmxSpec", p->vmxSpec);
    standin_line_str(l, "server", p->serverName);
    standin_line_u64(l, "port", p->port);
    standin_line_u64(l, "nfcHostPort", p->nfcHostPort);
    standin_line_str(l, "thumbprint", p->thumbPrint);
    standin_line_u64(l, "credType", (uint64)p->credType);
    standin_line_u64(l, "specType", (uint64)p->specType);
    if (p->credType == VIXDISKLIB_CRED_UID) {
        standin_line_str(l, "user", p->creds.uid.userName);
        standin_line_str(l, "password", p->creds.uid.password == NULL ? NULL : "(set)");
    }
    if (p->specType != VIXDISKLIB_SPEC_VMX) {
        snprintf(detail, dn, "specType %d: the stand-in serves VM disks only (VIXDISKLIB_SPEC_VMX)", (int)p->specType);
        return VIX_E_NOT_SUPPORTED;
    }
    if (needVm) {
        if (p->vmxSpec == NULL || strncmp(p->vmxSpec, "moref=", 6) != 0 || !valid_moref(p->vmxSpec + 6)) {
            snprintf(detail, dn, "vmxSpec must be moref=<VM moRef>");
            return VIX_E_INVALID_ARG;
        }
    } else if (p->vmxSpec != NULL) {
        snprintf(detail, dn, "vmxSpec must be NULL for VixDiskLib_Cleanup");
        return VIX_E_INVALID_ARG;
    }
    if (p->serverName == NULL || *p->serverName == '\0') {
        snprintf(detail, dn, "no serverName: the stand-in serves no local disks");
        return VIX_E_NOT_SUPPORTED;
    }
    if (!valid_thumbprint(p->thumbPrint)) {
        snprintf(detail, dn, "thumbPrint must be 20 or 32 colon-separated hex pairs");
        return VIX_E_INVALID_ARG;
    }
    if (p->credType != VIXDISKLIB_CRED_UID) {
        snprintf(detail, dn, "credType %d: the stand-in takes user and password (VIXDISKLIB_CRED_UID)", (int)p->credType);
        return VIX_E_NOT_SUPPORTED;
    }
    if (p->creds.uid.userName == NULL || p->creds.uid.password == NULL) {
        snprintf(detail, dn, "no user name or password");
        return VIX_E_INVALID_ARG;
    }
    const char *u = getenv(STANDIN_ENV_USER);
    const char *w = getenv(STANDIN_ENV_PASSWORD);
    if ((u != NULL && strcmp(u, p->creds.uid.userName) != 0) || (w != NULL && strcmp(w, p->creds.uid.password) != 0)) {
        snprintf(detail, dn, "login of %s refused", p->creds.uid.userName);
        return VIX_E_HOST_USER_PERMISSIONS;
    }
    return VIX_OK;
}

/* ---- descriptor ---------------------------------------------------------------------------- */

static char *trim(char *s) {
    while (isspace((unsigned char)*s)) {
        s++;
    }
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1])) {
        *--e = '\0';
    }
    return s;
}

/* A quoted value "..." (no escapes in VMDK descriptors); NULL if not quoted. */
static char *unquote(char *s) {
    size_t n = strlen(s);
    if (n < 2 || s[0] != '"' || s[n - 1] != '"') {
        return NULL;
    }
    s[n - 1] = '\0';
    return s + 1;
}

static int parse_u64(const char *s, uint64 *out) {
    if (!isdigit((unsigned char)*s)) {
        return 0;
    }
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0') {
        return 0;
    }
    *out = v;
    return 1;
}

static int safe_file_name(const char *n) {
    return *n != '\0' && strlen(n) < 256 && strchr(n, '/') == NULL && strcmp(n, ".") != 0 && strcmp(n, "..") != 0;
}

static VixError parse_extent(VixDiskLibHandle d, char *line, const char *folder, char *detail, size_t dn) {
    char *save;
    char *access = strtok_r(line, " \t", &save);
    char *size = strtok_r(NULL, " \t", &save);
    char *type = strtok_r(NULL, " \t", &save);
    char *rest = strtok_r(NULL, "", &save);
    uint64 sectors;
    if (access == NULL || size == NULL || type == NULL || !parse_u64(size, &sectors) || sectors == 0) {
        snprintf(detail, dn, "a malformed extent line in %s", d->descriptor);
        return VIX_E_DISK_INVAL;
    }
    if (d->nExt == MAX_EXTENTS) {
        snprintf(detail, dn, "more than %d extents in %s", MAX_EXTENTS, d->descriptor);
        return VIX_E_DISK_INVAL;
    }
    if (strcmp(access, "NOACCESS") == 0) {
        snprintf(detail, dn, "a NOACCESS extent in %s", d->descriptor);
        return VIX_E_DISK_INVAL;
    }
    if (strcmp(access, "RW") != 0 && strcmp(access, "RDONLY") != 0) {
        snprintf(detail, dn, "extent access '%s' in %s", access, d->descriptor);
        return VIX_E_DISK_INVAL;
    }
    if (d->capacity + sectors > MAX_CAPACITY_SECTORS) {
        snprintf(detail, dn, "extents of %s add up to more than 2^40 sectors", d->descriptor);
        return VIX_E_DISK_INVAL;
    }
    Extent *e = &d->ext[d->nExt];
    e->readOnly = strcmp(access, "RDONLY") == 0;
    e->start = d->capacity;
    e->sectors = sectors;
    e->fd = -1;
    if (strcmp(type, "ZERO") == 0) {
        e->type = EXT_ZERO;
    } else if (strcmp(type, "FLAT") == 0 || strcmp(type, "VMFS") == 0) {
        e->type = EXT_FLAT;
        char *name = rest == NULL ? NULL : trim(rest);
        char *offset = NULL;
        if (name != NULL && name[0] == '"') {
            char *close = strchr(name + 1, '"');
            if (close != NULL) {
                offset = trim(close + 1);
                close[1] = '\0';
                name = unquote(name);
            } else {
                name = NULL;
            }
        } else {
            name = NULL;
        }
        if (name == NULL || !safe_file_name(name)) {
            snprintf(detail, dn, "extent files must be named in quotes and lie in the descriptor's folder (%s)",
                     d->descriptor);
            return VIX_E_DISK_INVAL;
        }
        e->fileOffset = 0;
        if (offset != NULL && *offset != '\0' && !parse_u64(offset, &e->fileOffset)) {
            snprintf(detail, dn, "a malformed extent offset in %s", d->descriptor);
            return VIX_E_DISK_INVAL;
        }
        if (e->fileOffset > MAX_CAPACITY_SECTORS) {
            snprintf(detail, dn, "an extent offset beyond 2^40 sectors in %s", d->descriptor);
            return VIX_E_DISK_INVAL;
        }
        if (asprintf(&e->path, "%s/%s", folder, name) < 0) {
            e->path = NULL;
            return VIX_E_OUT_OF_MEMORY;
        }
        int flags = (d->readOnly || e->readOnly ? O_RDONLY : O_RDWR) | O_CLOEXEC | O_NOFOLLOW;
        e->fd = open(e->path, flags);
        if (e->fd < 0) {
            int err = errno;
            snprintf(detail, dn, "extent %s: %s", e->path, strerror(err));
            return err == ENOENT ? VIX_E_FILE_NOT_FOUND : VIX_E_FILE_ACCESS_ERROR;
        }
        struct stat st;
        if (fstat(e->fd, &st) != 0 || !S_ISREG(st.st_mode)) {
            snprintf(detail, dn, "extent %s is not a regular file", e->path);
            d->nExt++;
            return VIX_E_DISK_INVAL;
        }
    } else {
        snprintf(detail, dn,
                 "%s extents (sparse, seSparse, RDM) are not served by the stand-in, which reads flat disks only (%s)",
                 type, d->descriptor);
        return VIX_E_DISK_NOTSUPPORTED;
    }
    d->nExt++;
    d->capacity += sectors;
    return VIX_OK;
}

static int accepted_create_type(const char *t) {
    static const char *ok[] = {"monolithicFlat", "twoGbMaxExtentFlat", "vmfs", "vmfsPreallocated", "vmfsEagerZeroedThick"};
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
        if (strcmp(t, ok[i]) == 0) {
            return 1;
        }
    }
    return 0;
}

static VixError add_ddb(VixDiskLibHandle d, const char *key, const char *value) {
    for (int i = 0; i < d->nDdb; i++) {
        if (strcmp(d->ddb[i].key, key) == 0) {
            char *v = strdup(value);
            if (v == NULL) {
                return VIX_E_OUT_OF_MEMORY;
            }
            free(d->ddb[i].value);
            d->ddb[i].value = v;
            return VIX_OK;
        }
    }
    if (d->nDdb == MAX_DDB) {
        return VIX_E_DISK_INVAL;
    }
    d->ddb[d->nDdb].key = strdup(key);
    d->ddb[d->nDdb].value = strdup(value);
    if (d->ddb[d->nDdb].key == NULL || d->ddb[d->nDdb].value == NULL) {
        return VIX_E_OUT_OF_MEMORY;
    }
    d->nDdb++;
    return VIX_OK;
}

static const char *ddb_get(VixDiskLibHandle d, const char *key) {
    for (int i = 0; i < d->nDdb; i++) {
        if (strcmp(d->ddb[i].key, key) == 0) {
            return d->ddb[i].value;
        }
    }
    return NULL;
}

/* Reads the whole descriptor file (bounded), NUL-terminated, into *out. */
static VixError read_descriptor(const char *path, char **out, char *detail, size_t dn) {
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        int err = errno;
        snprintf(detail, dn, "%s: %s", path, strerror(err));
        return err == ENOENT ? VIX_E_FILE_NOT_FOUND : VIX_E_FILE_ACCESS_ERROR;
    }
    struct stat st;
    char magic[4];
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && pread(fd, magic, 4, 0) == 4
        && (memcmp(magic, "KDMV", 4) == 0 || memcmp(magic, "COWD", 4) == 0)) {
        close(fd);
        snprintf(detail, dn, "%s is a sparse or streamOptimized VMDK: the stand-in reads flat disks only", path);
        return VIX_E_DISK_NOTSUPPORTED;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > MAX_DESCRIPTOR) {
        close(fd);
        snprintf(detail, dn, "%s is not a VMDK descriptor of at most %d bytes", path, MAX_DESCRIPTOR);
        return VIX_E_DISK_INVAL;
    }
    char *buf = malloc((size_t)st.st_size + 1);
    if (buf == NULL) {
        close(fd);
        return VIX_E_OUT_OF_MEMORY;
    }
    size_t got = 0;
    while (got < (size_t)st.st_size) {
        ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r <= 0) {
            break;
        }
        got += (size_t)r;
    }
    close(fd);
    buf[got] = '\0';
    /* The text ends at the first NUL, as in a descriptor embedded in a sparse extent: tools pad
       descriptors with NULs to whole sectors (qemu-img does), and what follows is not read. The
       stand-in used to refuse anything but NULs there; a disk the simulator had set up for
       VddkTransportIT sometimes carried other bytes after them under load (where they come from in
       the simulator is not known yet), which failed that test for a reason outside cairn. */
    *out = buf;
    return VIX_OK;
}

static VixError parse_descriptor(VixDiskLibHandle d, char *text, const char *folder, char *detail, size_t dn) {
    char *save;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *s = trim(line);
        if (*s == '\0' || *s == '#') {
            continue;
        }
        if (strncmp(s, "RW ", 3) == 0 || strncmp(s, "RDONLY ", 7) == 0 || strncmp(s, "NOACCESS ", 9) == 0) {
            VixError e = parse_extent(d, s, folder, detail, dn);
            if (e != VIX_OK) {
                return e;
            }
            continue;
        }
        char *eq = strchr(s, '=');
        if (eq == NULL) {
            continue;
        }
        *eq = '\0';
        char *key = trim(s);
        char *raw = trim(eq + 1);
        if (strcmp(key, "parentCID") == 0 && strcmp(raw, "ffffffff") != 0) {
            snprintf(detail, dn, "%s is a snapshot (delta) disk: the stand-in serves base disks only", d->descriptor);
            return VIX_E_DISK_NOTSUPPORTED;
        }
        if (strcmp(key, "parentFileNameHint") == 0) {
            snprintf(detail, dn, "%s is a snapshot (delta) disk: the stand-in serves base disks only", d->descriptor);
            return VIX_E_DISK_NOTSUPPORTED;
        }
        char *value = unquote(raw);
        if (strcmp(key, "createType") == 0) {
            if (value == NULL || !accepted_create_type(value)) {
                snprintf(detail, dn, "createType %s of %s is not served by the stand-in (flat disks only)", raw,
                         d->descriptor);
                return VIX_E_DISK_NOTSUPPORTED;
            }
            d->createType = strdup(value);
        } else if (strncmp(key, "ddb.", 4) == 0 && key[4] != '\0' && value != NULL) {
            VixError e = add_ddb(d, key + 4, value);
            if (e != VIX_OK) {
                snprintf(detail, dn, "too many ddb keys in %s", d->descriptor);
                return e;
            }
        }
    }
    if (d->createType == NULL) {
        snprintf(detail, dn, "%s names no createType", d->descriptor);
        return VIX_E_DISK_INVAL;
    }
    if (d->nExt == 0) {
        snprintf(detail, dn, "%s names no extent", d->descriptor);
        return VIX_E_DISK_INVAL;
    }
    return VIX_OK;
}

static void free_disk(VixDiskLibHandle d) {
    for (int i = 0; i < d->nExt; i++) {
        if (d->ext[i].fd >= 0) {
            close(d->ext[i].fd);
        }
        free(d->ext[i].path);
    }
    for (int i = 0; i < d->nDdb; i++) {
        free(d->ddb[i].key);
        free(d->ddb[i].value);
    }
    free(d->descriptor);
    free(d->createType);
    pthread_mutex_destroy(&d->io);
    d->magic = 0;
    free(d);
}

/* ---- library --------------------------------------------------------------------------------- */

STANDIN_API VixError VixDiskLib_InitEx(uint32 majorVersion, uint32 minorVersion, VixDiskLibGenericLogFunc *log,
                                       VixDiskLibGenericLogFunc *warn, VixDiskLibGenericLogFunc *panic,
                                       const char *libDir, const char *configFile) {
    StandinLine l;
    char detail[512] = "";
    standin_line_start(&l, "VixDiskLib_InitEx");
    standin_line_raw(&l, " version=%u.%u", majorVersion, minorVersion);
    standin_line_str(&l, "log", log ? "set" : NULL);
    standin_line_str(&l, "warn", warn ? "set" : NULL);
    standin_line_str(&l, "panic", panic ? "set" : NULL);
    standin_line_str(&l, "libDir", libDir);
    standin_line_str(&l, "configFile", configFile);
    /* the configuration, name=value lines joined by ';' (the tests check the NFC settings) */
    char config[4096] = "";
    if (configFile != NULL) {
        FILE *f = fopen(configFile, "re");
        if (f == NULL) {
            snprintf(config, sizeof config, "(unreadable: %s)", strerror(errno));
        } else {
            char line[1024];
            size_t n = 0;
            while (fgets(line, sizeof line, f) != NULL) {
                char *s = trim(line);
                if (*s == '\0' || *s == '#') {
                    continue;
                }
                int w = snprintf(config + n, sizeof config - n, "%s%s", n ? ";" : "", s);
                if (w < 0 || (size_t)w >= sizeof config - n) {
                    break;
                }
                n += (size_t)w;
            }
            fclose(f);
        }
    }
    standin_line_str(&l, "config", config);
    VixError r = VIX_OK;
    pthread_mutex_lock(&mu);
    if (majorVersion < 1 || majorVersion > 8) {
        snprintf(detail, sizeof detail, "version %u.%u: this stand-in of VDDK 8 serves 1.0 to 8.x", majorVersion,
                 minorVersion);
        r = VIX_E_NOT_SUPPORTED;
    } else if (initialised) {
        snprintf(detail, sizeof detail, "VixDiskLib_InitEx called twice without VixDiskLib_Exit (once per process)");
        r = VIX_E_FAIL;
    } else {
        initialised = 1;
    }
    pthread_mutex_unlock(&mu);
    standin_line_end(&l, r, detail);
    return r;
}

STANDIN_API VixError VixDiskLib_Init(uint32 majorVersion, uint32 minorVersion, VixDiskLibGenericLogFunc *log,
                                     VixDiskLibGenericLogFunc *warn, VixDiskLibGenericLogFunc *panic,
                                     const char *libDir) {
    return VixDiskLib_InitEx(majorVersion, minorVersion, log, warn, panic, libDir, NULL);
}

STANDIN_API void VixDiskLib_Exit(void) {
    StandinLine l;
    standin_line_start(&l, "VixDiskLib_Exit");
    pthread_mutex_lock(&mu);
    unsigned nc = 0, nd = 0;
    for (struct VixDiskLibConnectParam *c = conns; c; c = c->next) {
        nc++;
    }
    for (VixDiskLibHandle d = disks; d; d = d->next) {
        nd++;
    }
    initialised = 0;
    long left = outstanding;
    pthread_mutex_unlock(&mu);
    standin_line_u64(&l, "openConnections", nc);
    standin_line_u64(&l, "openDisks", nd);
    standin_line_u64(&l, "unfreed", (uint64)left);
    standin_line_end(&l, VIX_OK, NULL);
}

STANDIN_API const char *VixDiskLib_ListTransportModes(void) {
    StandinLine l;
    standin_line_start(&l, "VixDiskLib_ListTransportModes");
    standin_line_end(&l, VIX_OK, "modes=file:san:hotadd:nbdssl:nbd");
    return "file:san:hotadd:nbdssl:nbd";
}

STANDIN_API VixError VixDiskLib_Cleanup(const VixDiskLibConnectParams *connectParams, uint32 *numCleanedUp,
                                        uint32 *numRemaining) {
    StandinLine l;
    char detail[512] = "";
    standin_line_start(&l, "VixDiskLib_Cleanup");
    VixError r;
    if (!initialised) {
        r = VIX_E_DISK_NOINIT;
    } else if (connectParams == NULL) {
        snprintf(detail, sizeof detail, "no connectParams: the stand-in serves no local disks");
        r = VIX_E_NOT_SUPPORTED;
    } else {
        r = check_params(&l, connectParams, 0, detail, sizeof detail);
    }
    if (r == VIX_OK) {
        /* Nothing is left behind by this stand-in: no hot-added disks, no SAN sessions. */
        if (numCleanedUp != NULL) {
            *numCleanedUp = 0;
        }
        if (numRemaining != NULL) {
            *numRemaining = 0;
        }
        snprintf(detail, sizeof detail, "cleanedUp=0 remaining=0");
    }
    standin_line_end(&l, r, detail);
    return r;
}

static VixError connect_ex(const char *function, const VixDiskLibConnectParams *p, Bool readOnly,
                           const char *snapshotRef, const char *transportModes, VixDiskLibConnection *connection) {
    StandinLine l;
    char detail[512] = "";
    standin_line_start(&l, function);
    VixError r = VIX_OK;
    /* no server name: a local connection (VMDK files on this machine) */
    int local = p != NULL && (p->serverName == NULL || *p->serverName == '\0');
    if (local) {
        standin_line_str(&l, "vmxSpec", p->vmxSpec);
        standin_line_str(&l, "server", p->serverName);
        standin_line_raw(&l, " local=1");
        if (p->vmxSpec != NULL) {
            snprintf(detail, sizeof detail, "a local connection takes no vmxSpec");
            r = VIX_E_INVALID_ARG;
        }
    } else if (p != NULL) {
        r = check_params(&l, p, 1, detail, sizeof detail);
    }
    standin_line_u64(&l, "readOnly", (uint64)(unsigned char)readOnly);
    standin_line_str(&l, "snapshotRef", snapshotRef);
    standin_line_str(&l, "transportModes", transportModes);
    const char *modes = local ? "file" : transportModes == NULL ? "file:san:hotadd:nbd" : transportModes;
    if (r == VIX_OK) {
        if (!initialised) {
            r = VIX_E_DISK_NOINIT;
        } else if (p == NULL) {
            snprintf(detail, sizeof detail, "no connectParams");
            r = VIX_E_INVALID_ARG;
        } else if (local && snapshotRef != NULL) {
            snprintf(detail, sizeof detail, "a local connection has no snapshot");
            r = VIX_E_INVALID_ARG;
        } else if (connection == NULL) {
            r = VIX_E_INVALID_ARG;
        } else if (snapshotRef != NULL && !valid_moref(snapshotRef)) {
            snprintf(detail, sizeof detail, "snapshotRef '%s' is not a moRef", snapshotRef);
            r = VIX_E_INVALID_ARG;
        }
    }
    if (r == VIX_OK) {
        for (const char *m = modes; *m;) {
            const char *end = strchr(m, ':');
            size_t n = end ? (size_t)(end - m) : strlen(m);
            if (!known_mode(m, n)) {
                snprintf(detail, sizeof detail, "unknown transport mode '%.*s' in '%s'", (int)n, m, modes);
                r = VIX_E_INVALID_ARG;
                break;
            }
            if (!end) {
                break;
            }
            m = end + 1;
        }
    }
    if (r == VIX_OK) {
        struct VixDiskLibConnectParam *c = calloc(1, sizeof *c);
        if (c == NULL) {
            r = VIX_E_OUT_OF_MEMORY;
        } else {
            c->magic = CONN_MAGIC;
            c->vm = local ? NULL : strdup(p->vmxSpec + 6);
            c->server = local ? NULL : strdup(p->serverName);
            c->local = local;
            c->snapshot = snapshotRef ? strdup(snapshotRef) : NULL;
            c->modes = strdup(modes);
            c->readOnly = readOnly;
            pthread_mutex_lock(&mu);
            c->id = ++nextId;
            c->next = conns;
            conns = c;
            pthread_mutex_unlock(&mu);
            *connection = c;
            snprintf(detail, sizeof detail, "conn=c%u", c->id);
        }
    }
    standin_line_end(&l, r, detail);
    return r;
}

STANDIN_API VixError VixDiskLib_ConnectEx(const VixDiskLibConnectParams *connectParams, Bool readOnly,
                                          const char *snapshotRef, const char *transportModes,
                                          VixDiskLibConnection *connection) {
    return connect_ex("VixDiskLib_ConnectEx", connectParams, readOnly, snapshotRef, transportModes, connection);
}

STANDIN_API VixError VixDiskLib_Connect(const VixDiskLibConnectParams *connectParams,
                                        VixDiskLibConnection *connection) {
    return connect_ex("VixDiskLib_Connect", connectParams, 0, NULL, NULL, connection);
}

STANDIN_API VixError VixDiskLib_Disconnect(VixDiskLibConnection connection) {
    StandinLine l;
    char detail[128] = "";
    standin_line_start(&l, "VixDiskLib_Disconnect");
    VixError r = VIX_OK;
    pthread_mutex_lock(&mu);
    if (!live_conn(connection)) {
        r = VIX_E_DISK_INVALID_CONNECTION;
    } else {
        standin_line_raw(&l, " conn=c%u", connection->id);
        unsigned stillOpen = 0;
        for (VixDiskLibHandle d = disks; d; d = d->next) {
            if (d->conn == connection) {
                stillOpen++;
            }
        }
        /* VMware: Disconnect invalidates the connection's open disks; log it, a caller should Close first */
        snprintf(detail, sizeof detail, "openDisks=%u", stillOpen);
        for (struct VixDiskLibConnectParam **c = &conns; *c; c = &(*c)->next) {
            if (*c == connection) {
                *c = connection->next;
                break;
            }
        }
        connection->magic = 0;
        free(connection->vm);
        free(connection->server);
        free(connection->snapshot);
        free(connection->modes);
        free(connection);
    }
    pthread_mutex_unlock(&mu);
    standin_line_end(&l, r, detail);
    return r;
}

static VixError access_call(const char *function, const VixDiskLibConnectParams *p, const char *identity) {
    StandinLine l;
    char detail[512] = "";
    standin_line_start(&l, function);
    VixError r = p == NULL ? VIX_E_INVALID_ARG : check_params(&l, p, 1, detail, sizeof detail);
    standin_line_str(&l, "identity", identity);
    if (r == VIX_OK && !initialised) {
        r = VIX_E_DISK_NOINIT;
    } else if (r == VIX_OK && (identity == NULL || *identity == '\0')) {
        snprintf(detail, sizeof detail, "no identity");
        r = VIX_E_INVALID_ARG;
    }
    standin_line_end(&l, r, detail);
    return r;
}

STANDIN_API VixError VixDiskLib_PrepareForAccess(const VixDiskLibConnectParams *connectParams, const char *identity) {
    return access_call("VixDiskLib_PrepareForAccess", connectParams, identity);
}

STANDIN_API VixError VixDiskLib_EndAccess(const VixDiskLibConnectParams *connectParams, const char *identity) {
    return access_call("VixDiskLib_EndAccess", connectParams, identity);
}

/* Splits "[datastore] relative/path.vmdk"; 0 if malformed or if the path leaves the datastore. */
static int split_path(const char *path, char *ds, size_t dsn, const char **rel) {
    if (path == NULL || path[0] != '[') {
        return 0;
    }
    const char *close = strchr(path, ']');
    if (close == NULL || close == path + 1 || (size_t)(close - path - 1) >= dsn || close[1] != ' ') {
        return 0;
    }
    memcpy(ds, path + 1, (size_t)(close - path - 1));
    ds[close - path - 1] = '\0';
    const char *r = close + 2;
    if (*r == '\0' || *r == '/' || strlen(r) > 1024) {
        return 0;
    }
    for (const char *c = r; *c;) {
        const char *end = strchr(c, '/');
        size_t n = end ? (size_t)(end - c) : strlen(c);
        if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.')) {
            return 0;
        }
        if (!end) {
            break;
        }
        c = end + 1;
    }
    *rel = r;
    return 1;
}

/* The first mode of the connection's list that reaches datastore `ds` (see the file comment). */
static const char *negotiate(const char *modes, const char *ds, char *why, size_t wn) {
    size_t at = 0;
    why[0] = '\0';
    for (const char *m = modes; *m;) {
        const char *end = strchr(m, ':');
        size_t n = end ? (size_t)(end - m) : strlen(m);
        const char *mode = static_mode(m, n);
        const char *reason = NULL;
        if (mode == NULL) {
            reason = "file: not for a remote disk";
        } else if (strcmp(mode, "san") == 0 && !env_lists(STANDIN_ENV_SAN, ds)) {
            reason = "san: no SAN LUN of this datastore is visible (" STANDIN_ENV_SAN ")";
        } else if (strcmp(mode, "hotadd") == 0 && !env_lists(STANDIN_ENV_HOTADD, ds)) {
            reason = "hotadd: this proxy cannot hot-add from this datastore (" STANDIN_ENV_HOTADD ")";
        } else {
            return mode;
        }
        int w = snprintf(why + at, wn - at, "%s%s", at ? "; " : "", reason);
        if (w > 0 && (size_t)w < wn - at) {
            at += (size_t)w;
        }
        if (!end) {
            break;
        }
        m = end + 1;
    }
    return NULL;
}

STANDIN_API VixError VixDiskLib_Open(const VixDiskLibConnection connection, const char *path, uint32 flags,
                                     VixDiskLibHandle *diskHandle) {
    StandinLine l;
    char detail[1024] = "";
    standin_line_start(&l, "VixDiskLib_Open");
    standin_line_str(&l, "path", path);
    standin_line_hex(&l, "flags", flags);
    VixError r = VIX_OK;
    char ds[256];
    const char *rel = NULL;
    char modes[256] = "";
    char snapshot[160] = "";
    Bool connReadOnly = 0;
    int local = 0;
    unsigned connId = 0;
    pthread_mutex_lock(&mu);
    if (!initialised) {
        r = VIX_E_DISK_NOINIT;
    } else if (!live_conn(connection)) {
        r = VIX_E_DISK_INVALID_CONNECTION;
    } else {
        connId = connection->id;
        snprintf(modes, sizeof modes, "%s", connection->modes);
        snprintf(snapshot, sizeof snapshot, "%s", connection->snapshot ? connection->snapshot : "");
        connReadOnly = connection->readOnly;
        local = connection->local;
    }
    pthread_mutex_unlock(&mu);
    if (connId != 0) {
        standin_line_raw(&l, " conn=c%u", connId);
    }
    int readOnly = (flags & VIXDISKLIB_FLAG_OPEN_READ_ONLY) != 0;
    if (r == VIX_OK && diskHandle == NULL) {
        r = VIX_E_INVALID_ARG;
    }
    if (r == VIX_OK && local && !local_path(path)) {
        snprintf(detail, sizeof detail, "'%s' is not an absolute path without . or .. components",
                 path ? path : "(null)");
        r = VIX_E_INVALID_ARG;
    } else if (r == VIX_OK && !local && !split_path(path, ds, sizeof ds, &rel)) {
        snprintf(detail, sizeof detail, "'%s' is not a datastore path [datastore] folder/disk.vmdk within the datastore",
                 path ? path : "(null)");
        r = VIX_E_INVALID_ARG;
    }
    if (r == VIX_OK && !readOnly && connReadOnly) {
        snprintf(detail, sizeof detail, "opened for writing on a read-only connection (ConnectEx readOnly=TRUE)");
        r = VIX_E_FILE_READ_ONLY;
    }
    char *folder = NULL;
    if (r == VIX_OK && !local) {
        folder = datastore_folder(ds);
        if (folder == NULL) {
            snprintf(detail, sizeof detail, "datastore '%s' is not in %s", ds, STANDIN_ENV_DATASTORES);
            r = VIX_E_FILE_NOT_FOUND;
        }
    }
    const char *mode = NULL;
    if (r == VIX_OK && local) {
        mode = "file";
    } else if (r == VIX_OK) {
        char why[512];
        mode = negotiate(modes, ds, why, sizeof why);
        if (mode == NULL) {
            snprintf(detail, sizeof detail, "no transport mode of '%s' reaches %s: %s", modes, path, why);
            r = VIX_E_FILE_ACCESS_ERROR;
        }
    }
    VixDiskLibHandle d = NULL;
    if (r == VIX_OK) {
        d = calloc(1, sizeof *d);
        if (d == NULL) {
            r = VIX_E_OUT_OF_MEMORY;
        }
    }
    char *text = NULL;
    if (r == VIX_OK) {
        pthread_mutex_init(&d->io, NULL);
        d->magic = DISK_MAGIC;
        d->conn = connection;
        d->readOnly = readOnly;
        d->mode = mode;
        if (local ? (d->descriptor = strdup(path)) == NULL : asprintf(&d->descriptor, "%s/%s", folder, rel) < 0) {
            d->descriptor = NULL;
            r = VIX_E_OUT_OF_MEMORY;
        }
    }
    if (r == VIX_OK) {
        r = read_descriptor(d->descriptor, &text, detail, sizeof detail);
    }
    if (r == VIX_OK) {
        char *dir = strdup(d->descriptor);
        if (dir == NULL) {
            r = VIX_E_OUT_OF_MEMORY;
        } else {
            *strrchr(dir, '/') = '\0';
            r = parse_descriptor(d, text, dir, detail, sizeof detail);
            free(dir);
        }
    }
    if (r == VIX_OK && !readOnly) {
        for (int i = 0; i < d->nExt; i++) {
            if (d->ext[i].readOnly) {
                snprintf(detail, sizeof detail, "%s has a read-only extent", path);
                r = VIX_E_FILE_READ_ONLY;
            }
        }
    }
    free(text);
    free(folder);
    if (r == VIX_OK) {
        pthread_mutex_lock(&mu);
        if (!live_conn(connection)) {
            r = VIX_E_DISK_INVALID_CONNECTION;
        } else {
            d->id = ++nextId;
            d->next = disks;
            disks = d;
        }
        pthread_mutex_unlock(&mu);
    }
    if (r == VIX_OK && !local) {
        const char *delay = getenv(STANDIN_ENV_OPEN_DELAY_MS);
        long ms = delay == NULL ? 0 : strtol(delay, NULL, 10);
        if (ms > 0 && ms <= 60000) {
            struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
            nanosleep(&ts, NULL);
        }
    }
    if (r == VIX_OK) {
        const char *thin = ddb_get(d, "thinProvisioned");
        *diskHandle = d;
        snprintf(detail, sizeof detail, "disk=d%u transport=%s createType=%s capacity=%llu extents=%d links=1 thin=%s%s%s",
                 d->id, mode, d->createType, (unsigned long long)d->capacity, d->nExt,
                 thin != NULL && strcmp(thin, "1") == 0 ? "1" : "0", *snapshot ? " snapshotRef=" : "", snapshot);
    } else {
        if (d != NULL) {
            free_disk(d);
        }
        if (diskHandle != NULL) {
            *diskHandle = NULL;
        }
    }
    standin_line_end(&l, r, detail);
    return r;
}

STANDIN_API VixError VixDiskLib_Close(VixDiskLibHandle diskHandle) {
    StandinLine l;
    standin_line_start(&l, "VixDiskLib_Close");
    VixDiskLibHandle d = NULL;
    pthread_mutex_lock(&mu);
    for (VixDiskLibHandle *x = &disks; *x; x = &(*x)->next) {
        if (*x == diskHandle && diskHandle->magic == DISK_MAGIC) {
            d = *x;
            *x = d->next;
            break;
        }
    }
    pthread_mutex_unlock(&mu);
    if (d == NULL) {
        standin_line_end(&l, VIX_E_INVALID_ARG, "not an open disk handle");
        return VIX_E_INVALID_ARG;
    }
    standin_line_raw(&l, " disk=d%u", d->id);
    pthread_mutex_lock(&d->io); /* waits for a call still using the disk */
    pthread_mutex_unlock(&d->io);
    VixError r = VIX_OK;
    char detail[256] = "";
    for (int i = 0; i < d->nExt; i++) {
        if (d->ext[i].fd >= 0 && !d->readOnly && fsync(d->ext[i].fd) != 0) {
            snprintf(detail, sizeof detail, "fsync of %s: %s", d->ext[i].path, strerror(errno));
            r = VIX_E_FILE_ERROR;
        }
    }
    free_disk(d);
    standin_line_end(&l, r, detail);
    return r;
}

STANDIN_API VixError VixDiskLib_GetInfo(VixDiskLibHandle diskHandle, VixDiskLibInfo **info) {
    StandinLine l;
    standin_line_start(&l, "VixDiskLib_GetInfo");
    VixDiskLibHandle d = lock_disk(diskHandle);
    if (d == NULL || info == NULL) {
        if (d != NULL) {
            unlock_disk(d);
        }
        standin_line_end(&l, VIX_E_INVALID_ARG, NULL);
        return VIX_E_INVALID_ARG;
    }
    standin_line_raw(&l, " disk=d%u", d->id);
    VixDiskLibInfo *i = calloc(1, sizeof *i);
    if (i == NULL) {
        unlock_disk(d);
        standin_line_end(&l, VIX_E_OUT_OF_MEMORY, NULL);
        return VIX_E_OUT_OF_MEMORY;
    }
    const char *v;
    i->physGeo.cylinders = (v = ddb_get(d, "geometry.cylinders")) ? (uint32)strtoul(v, NULL, 10) : 0;
    i->physGeo.heads = (v = ddb_get(d, "geometry.heads")) ? (uint32)strtoul(v, NULL, 10) : 0;
    i->physGeo.sectors = (v = ddb_get(d, "geometry.sectors")) ? (uint32)strtoul(v, NULL, 10) : 0;
    i->biosGeo.cylinders = (v = ddb_get(d, "geometry.biosCylinders")) ? (uint32)strtoul(v, NULL, 10) : i->physGeo.cylinders;
    i->biosGeo.heads = (v = ddb_get(d, "geometry.biosHeads")) ? (uint32)strtoul(v, NULL, 10) : i->physGeo.heads;
    i->biosGeo.sectors = (v = ddb_get(d, "geometry.biosSectors")) ? (uint32)strtoul(v, NULL, 10) : i->physGeo.sectors;
    i->capacity = d->capacity;
    v = ddb_get(d, "adapterType");
    i->adapterType = v == NULL                    ? VIXDISKLIB_ADAPTER_UNKNOWN
                     : strcmp(v, "ide") == 0      ? VIXDISKLIB_ADAPTER_IDE
                     : strcmp(v, "buslogic") == 0 ? VIXDISKLIB_ADAPTER_SCSI_BUSLOGIC
                     : strcmp(v, "lsilogic") == 0 ? VIXDISKLIB_ADAPTER_SCSI_LSILOGIC
                                                  : VIXDISKLIB_ADAPTER_UNKNOWN;
    i->numLinks = 1;
    i->parentFileNameHint = NULL;
    v = ddb_get(d, "uuid");
    i->uuid = v ? strdup(v) : NULL;
    i->logicalSectorSize = VIXDISKLIB_SECTOR_SIZE;
    i->physicalSectorSize = VIXDISKLIB_SECTOR_SIZE;
    unlock_disk(d);
    hand_out(i);
    *info = i;
    char detail[128];
    snprintf(detail, sizeof detail, "capacity=%llu adapterType=%d numLinks=1", (unsigned long long)i->capacity,
             (int)i->adapterType);
    standin_line_end(&l, VIX_OK, detail);
    return VIX_OK;
}

STANDIN_API void VixDiskLib_FreeInfo(VixDiskLibInfo *info) {
    StandinLine l;
    standin_line_start(&l, "VixDiskLib_FreeInfo");
    if (info == NULL) {
        standin_line_end(&l, VIX_OK, NULL);
        return;
    }
    if (!take_back(info)) {
        standin_line_end(&l, VIX_E_INVALID_ARG, "pointer not from VixDiskLib_GetInfo (not freed)");
        return;
    }
    free(info->uuid);
    free(info->parentFileNameHint);
    free(info);
    standin_line_end(&l, VIX_OK, NULL);
}

STANDIN_API const char *VixDiskLib_GetTransportMode(VixDiskLibHandle diskHandle) {
    StandinLine l;
    standin_line_start(&l, "VixDiskLib_GetTransportMode");
    VixDiskLibHandle d = lock_disk(diskHandle);
    if (d == NULL) {
        standin_line_end(&l, VIX_E_INVALID_ARG, NULL);
        return NULL;
    }
    const char *mode = d->mode;
    standin_line_raw(&l, " disk=d%u", d->id);
    unlock_disk(d);
    char detail[64];
    snprintf(detail, sizeof detail, "mode=%s", mode);
    standin_line_end(&l, VIX_OK, detail);
    return mode;
}

/* Checks a Read/Write: handle, buffer, range and (SAN) alignment. Returns the locked disk or NULL. */
static VixDiskLibHandle io_begin(StandinLine *l, VixDiskLibHandle h, VixDiskLibSectorType start,
                                 VixDiskLibSectorType n, const void *buf, VixError *r, char *detail, size_t dn) {
    standin_line_u64(l, "start", start);
    standin_line_u64(l, "sectors", n);
    VixDiskLibHandle d = lock_disk(h);
    if (d == NULL) {
        *r = VIX_E_INVALID_ARG;
        snprintf(detail, dn, "not an open disk handle");
        return NULL;
    }
    standin_line_raw(l, " disk=d%u", d->id);
    if (n > 0 && buf == NULL) {
        *r = VIX_E_INVALID_ARG;
        snprintf(detail, dn, "no buffer");
    } else if (start > d->capacity || n > d->capacity - start) {
        *r = VIX_E_DISK_OUTOFRANGE;
        snprintf(detail, dn, "sectors %llu+%llu beyond the capacity of %llu sectors", (unsigned long long)start,
                 (unsigned long long)n, (unsigned long long)d->capacity);
    } else if (strcmp(d->mode, "san") == 0 && ((uintptr_t)buf % VIXDISKLIB_SECTOR_SIZE) != 0) {
        /* SAN reads and writes the LUN with direct I/O, which needs sector-aligned buffers */
        *r = VIX_E_INVALID_ARG;
        snprintf(detail, dn, "SAN transport needs a buffer aligned to %d bytes, got %p", VIXDISKLIB_SECTOR_SIZE, buf);
    } else {
        *r = VIX_OK;
        return d;
    }
    unlock_disk(d);
    return NULL;
}

static VixError io(VixDiskLibHandle d, VixDiskLibSectorType start, VixDiskLibSectorType n, uint8 *buf, int write,
                   char *detail, size_t dn) {
    uint64 end = start + n;
    for (int i = 0; i < d->nExt && start < end; i++) {
        Extent *e = &d->ext[i];
        uint64 eEnd = e->start + e->sectors;
        if (start >= eEnd) {
            continue;
        }
        uint64 take = (end < eEnd ? end : eEnd) - start;
        size_t bytes = (size_t)(take * VIXDISKLIB_SECTOR_SIZE);
        if (e->type == EXT_ZERO) {
            if (write) {
                snprintf(detail, dn, "sector %llu lies in a ZERO extent, which cannot be written",
                         (unsigned long long)start);
                return VIX_E_DISK_NOTSUPPORTED;
            }
            memset(buf, 0, bytes);
        } else {
            off_t at = (off_t)((e->fileOffset + (start - e->start)) * VIXDISKLIB_SECTOR_SIZE);
            size_t done = 0;
            while (done < bytes) {
                ssize_t k = write ? pwrite(e->fd, buf + done, bytes - done, at + (off_t)done)
                                  : pread(e->fd, buf + done, bytes - done, at + (off_t)done);
                if (k < 0 && errno == EINTR) {
                    continue;
                }
                if (k < 0) {
                    int err = errno;
                    snprintf(detail, dn, "%s of %s: %s", write ? "write" : "read", e->path, strerror(err));
                    /* the high bits of a VixError carry extra information: here errno */
                    return (err == ENOSPC ? VIX_E_DISK_FULL : VIX_E_FILE_ERROR) | ((VixError)(uint32)err << 32);
                }
                if (k == 0) {
                    /* a flat extent shorter than the descriptor says: the rest reads as zeros */
                    memset(buf + done, 0, bytes - done);
                    break;
                }
                done += (size_t)k;
            }
        }
        buf += bytes;
        start += take;
    }
    return VIX_OK;
}

STANDIN_API VixError VixDiskLib_Read(VixDiskLibHandle diskHandle, VixDiskLibSectorType startSector,
                                     VixDiskLibSectorType numSectors, uint8 *readBuffer) {
    StandinLine l;
    char detail[512] = "";
    VixError r;
    standin_line_start(&l, "VixDiskLib_Read");
    VixDiskLibHandle d = io_begin(&l, diskHandle, startSector, numSectors, readBuffer, &r, detail, sizeof detail);
    if (d != NULL) {
        r = io(d, startSector, numSectors, readBuffer, 0, detail, sizeof detail);
        unlock_disk(d);
    }
    standin_line_end(&l, r, detail);
    return r;
}

STANDIN_API VixError VixDiskLib_Write(VixDiskLibHandle diskHandle, VixDiskLibSectorType startSector,
                                      VixDiskLibSectorType numSectors, const uint8 *writeBuffer) {
    StandinLine l;
    char detail[512] = "";
    VixError r;
    standin_line_start(&l, "VixDiskLib_Write");
    VixDiskLibHandle d = io_begin(&l, diskHandle, startSector, numSectors, writeBuffer, &r, detail, sizeof detail);
    if (d != NULL) {
        if (d->readOnly) {
            snprintf(detail, sizeof detail, "the disk was opened read-only");
            r = VIX_E_FILE_READ_ONLY;
        } else {
            r = io(d, startSector, numSectors, (uint8 *)writeBuffer, 1, detail, sizeof detail);
        }
        unlock_disk(d);
    }
    standin_line_end(&l, r, detail);
    return r;
}

STANDIN_API VixError VixDiskLib_Flush(VixDiskLibHandle diskHandle) {
    StandinLine l;
    standin_line_start(&l, "VixDiskLib_Flush");
    VixDiskLibHandle d = lock_disk(diskHandle);
    if (d == NULL) {
        standin_line_end(&l, VIX_E_INVALID_ARG, NULL);
        return VIX_E_INVALID_ARG;
    }
    VixError r = VIX_OK;
    for (int i = 0; i < d->nExt; i++) {
        if (d->ext[i].fd >= 0 && !d->readOnly && fsync(d->ext[i].fd) != 0) {
            r = VIX_E_FILE_ERROR;
        }
    }
    unlock_disk(d);
    standin_line_end(&l, r, NULL);
    return r;
}

/* Copies `b` (n bytes) out the way the metadata calls do: requiredLen always, the data if it fits. */
static VixError copy_out(const char *b, size_t n, char *buf, size_t bufLen, size_t *requiredLen) {
    if (requiredLen != NULL) {
        *requiredLen = n;
    }
    if (buf == NULL || bufLen < n) {
        return VIX_E_BUFFER_TOOSMALL;
    }
    memcpy(buf, b, n);
    return VIX_OK;
}

STANDIN_API VixError VixDiskLib_GetMetadataKeys(VixDiskLibHandle diskHandle, char *keys, size_t maxLen,
                                                size_t *requiredLen) {
    StandinLine l;
    standin_line_start(&l, "VixDiskLib_GetMetadataKeys");
    standin_line_u64(&l, "maxLen", maxLen);
    VixDiskLibHandle d = lock_disk(diskHandle);
    if (d == NULL) {
        standin_line_end(&l, VIX_E_INVALID_ARG, NULL);
        return VIX_E_INVALID_ARG;
    }
    standin_line_raw(&l, " disk=d%u", d->id);
    size_t n = 1;
    for (int i = 0; i < d->nDdb; i++) {
        n += strlen(d->ddb[i].key) + 1;
    }
    char *all = malloc(n);
    VixError r = VIX_E_OUT_OF_MEMORY;
    char detail[64] = "";
    if (all != NULL) {
        size_t at = 0;
        for (int i = 0; i < d->nDdb; i++) {
            size_t k = strlen(d->ddb[i].key) + 1;
            memcpy(all + at, d->ddb[i].key, k);
            at += k;
        }
        all[at] = '\0';
        r = copy_out(all, n, keys, maxLen, requiredLen);
        free(all);
        snprintf(detail, sizeof detail, "keys=%d requiredLen=%zu", d->nDdb, n);
    }
    unlock_disk(d);
    standin_line_end(&l, r, detail);
    return r;
}

STANDIN_API VixError VixDiskLib_ReadMetadata(VixDiskLibHandle diskHandle, const char *key, char *buf, size_t bufLen,
                                             size_t *requiredLen) {
    StandinLine l;
    standin_line_start(&l, "VixDiskLib_ReadMetadata");
    standin_line_str(&l, "key", key);
    standin_line_u64(&l, "bufLen", bufLen);
    VixDiskLibHandle d = lock_disk(diskHandle);
    if (d == NULL || key == NULL) {
        if (d != NULL) {
            unlock_disk(d);
        }
        standin_line_end(&l, VIX_E_INVALID_ARG, NULL);
        return VIX_E_INVALID_ARG;
    }
    standin_line_raw(&l, " disk=d%u", d->id);
    const char *v = ddb_get(d, key);
    VixError r = v == NULL ? VIX_E_DISK_KEY_NOTFOUND : copy_out(v, strlen(v) + 1, buf, bufLen, requiredLen);
    unlock_disk(d);
    standin_line_end(&l, r, NULL);
    return r;
}

static int valid_key(const char *k) {
    if (k == NULL || *k == '\0' || strlen(k) > 128) {
        return 0;
    }
    for (; *k; k++) {
        if (!isalnum((unsigned char)*k) && *k != '.' && *k != '_' && *k != '-') {
            return 0;
        }
    }
    return 1;
}

static int valid_value(const char *v) {
    if (v == NULL || strlen(v) > 4096) {
        return 0;
    }
    for (; *v; v++) {
        if (*v == '"' || (unsigned char)*v < 0x20) {
            return 0;
        }
    }
    return 1;
}

/* Rewrites the descriptor with ddb.<key> = "<value>" (replaced in place, or appended): temp file, fsync, rename. */
static VixError rewrite_descriptor(VixDiskLibHandle d, const char *key, const char *value, char *detail, size_t dn) {
    char *text = NULL;
    VixError r = read_descriptor(d->descriptor, &text, detail, dn);
    if (r != VIX_OK) {
        return r;
    }
    char *tmp = NULL;
    if (asprintf(&tmp, "%s.standin-%ld.tmp", d->descriptor, (long)getpid()) < 0) {
        free(text);
        return VIX_E_OUT_OF_MEMORY;
    }
    FILE *f = fopen(tmp, "we");
    if (f == NULL) {
        snprintf(detail, dn, "%s: %s", tmp, strerror(errno));
        free(text);
        free(tmp);
        return VIX_E_FILE_ERROR;
    }
    int replaced = 0;
    char *save;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *s = line;
        while (isspace((unsigned char)*s)) {
            s++;
        }
        size_t kn = strlen(key);
        if (strncmp(s, "ddb.", 4) == 0 && strncmp(s + 4, key, kn) == 0 && (s[4 + kn] == ' ' || s[4 + kn] == '=')) {
            fprintf(f, "ddb.%s = \"%s\"\n", key, value);
            replaced = 1;
        } else {
            fprintf(f, "%s\n", line);
        }
    }
    if (!replaced) {
        fprintf(f, "ddb.%s = \"%s\"\n", key, value);
    }
    free(text);
    int bad = fflush(f) != 0 || fsync(fileno(f)) != 0;
    bad |= fclose(f) != 0;
    if (bad || rename(tmp, d->descriptor) != 0) {
        snprintf(detail, dn, "writing %s: %s", d->descriptor, strerror(errno));
        unlink(tmp);
        free(tmp);
        return VIX_E_FILE_ERROR;
    }
    free(tmp);
    return VIX_OK;
}

STANDIN_API VixError VixDiskLib_WriteMetadata(VixDiskLibHandle diskHandle, const char *key, const char *val) {
    StandinLine l;
    char detail[512] = "";
    standin_line_start(&l, "VixDiskLib_WriteMetadata");
    standin_line_str(&l, "key", key);
    standin_line_str(&l, "value", val);
    VixDiskLibHandle d = lock_disk(diskHandle);
    VixError r;
    if (d == NULL) {
        r = VIX_E_INVALID_ARG;
    } else {
        standin_line_raw(&l, " disk=d%u", d->id);
        if (d->readOnly) {
            snprintf(detail, sizeof detail, "the disk was opened read-only");
            r = VIX_E_FILE_READ_ONLY;
        } else if (!valid_key(key) || !valid_value(val)) {
            snprintf(detail, sizeof detail, "keys are [A-Za-z0-9._-], values have no quote or control character");
            r = VIX_E_INVALID_ARG;
        } else {
            r = rewrite_descriptor(d, key, val, detail, sizeof detail);
            if (r == VIX_OK) {
                r = add_ddb(d, key, val);
            }
        }
        unlock_disk(d);
    }
    standin_line_end(&l, r, detail);
    return r;
}

/* Marks chunks [from, to) (disk sectors) allocated in `list`, merging with the last block. */
static int add_block(VixDiskLibBlock **list, uint32 *n, size_t *cap, uint64 from, uint64 to) {
    if (*n > 0) {
        VixDiskLibBlock *last = &(*list)[*n - 1];
        if (from <= last->offset + last->length) {
            if (to > last->offset + last->length) {
                last->length = to - last->offset;
            }
            return 1;
        }
    }
    if (*n == *cap) {
        size_t c = *cap ? *cap * 2 : 64;
        VixDiskLibBlock *g = realloc(*list, c * sizeof **list);
        if (g == NULL) {
            return 0;
        }
        *list = g;
        *cap = c;
    }
    (*list)[*n].offset = from;
    (*list)[*n].length = to - from;
    (*n)++;
    return 1;
}

STANDIN_API VixError VixDiskLib_QueryAllocatedBlocks(VixDiskLibHandle diskHandle, VixDiskLibSectorType startSector,
                                                     VixDiskLibSectorType numSectors, VixDiskLibSectorType chunkSize,
                                                     VixDiskLibBlockList **blockList) {
    StandinLine l;
    char detail[256] = "";
    standin_line_start(&l, "VixDiskLib_QueryAllocatedBlocks");
    standin_line_u64(&l, "start", startSector);
    standin_line_u64(&l, "sectors", numSectors);
    standin_line_u64(&l, "chunkSize", chunkSize);
    VixDiskLibHandle d = lock_disk(diskHandle);
    if (d == NULL || blockList == NULL) {
        if (d != NULL) {
            unlock_disk(d);
        }
        standin_line_end(&l, VIX_E_INVALID_ARG, NULL);
        return VIX_E_INVALID_ARG;
    }
    standin_line_raw(&l, " disk=d%u", d->id);
    VixError r = VIX_OK;
    if (chunkSize < VIXDISKLIB_MIN_CHUNK_SIZE || (chunkSize & (chunkSize - 1)) != 0) {
        snprintf(detail, sizeof detail, "chunkSize must be a power of two of at least %d sectors",
                 VIXDISKLIB_MIN_CHUNK_SIZE);
        r = VIX_E_INVALID_ARG;
    } else if (startSector % chunkSize != 0 || numSectors % chunkSize != 0) {
        snprintf(detail, sizeof detail, "startSector and numSectors must be whole chunks");
        r = VIX_E_INVALID_ARG;
    } else if (numSectors / chunkSize > VIXDISKLIB_MAX_CHUNK_NUMBER) {
        snprintf(detail, sizeof detail, "more than VIXDISKLIB_MAX_CHUNK_NUMBER (%d) chunks", VIXDISKLIB_MAX_CHUNK_NUMBER);
        r = VIX_E_INVALID_ARG;
    } else if (startSector >= d->capacity || numSectors > d->capacity - startSector + chunkSize - 1) {
        /* the last chunk may run past the capacity (a disk need not be whole chunks), no further */
        snprintf(detail, sizeof detail, "sectors %llu+%llu beyond the capacity of %llu sectors",
                 (unsigned long long)startSector, (unsigned long long)numSectors, (unsigned long long)d->capacity);
        r = VIX_E_DISK_OUTOFRANGE;
    }
    VixDiskLibBlock *blocks = NULL;
    uint32 n = 0;
    size_t cap = 0;
    uint64 end = startSector + numSectors < d->capacity ? startSector + numSectors : d->capacity;
    for (int i = 0; r == VIX_OK && i < d->nExt; i++) {
        Extent *e = &d->ext[i];
        uint64 from = e->start > startSector ? e->start : startSector;
        uint64 to = e->start + e->sectors < end ? e->start + e->sectors : end;
        if (from >= to || e->type == EXT_ZERO) {
            continue;
        }
        /* data runs of the extent file (SEEK_DATA/SEEK_HOLE), mapped to disk sectors, rounded to chunks */
        off_t base = (off_t)(e->fileOffset * VIXDISKLIB_SECTOR_SIZE) - (off_t)(e->start * VIXDISKLIB_SECTOR_SIZE);
        off_t pos = base + (off_t)(from * VIXDISKLIB_SECTOR_SIZE);
        off_t stop = base + (off_t)(to * VIXDISKLIB_SECTOR_SIZE);
        while (pos < stop) {
            off_t data = lseek(e->fd, pos, SEEK_DATA);
            if (data < 0 && errno == ENXIO) {
                break; /* only a hole up to the end of the file */
            }
            off_t hole = data < 0 ? stop : lseek(e->fd, data, SEEK_HOLE);
            if (data < 0) {
                data = pos; /* no SEEK_DATA on this file system: all of it is data */
            }
            if (hole < 0 || hole > stop) {
                hole = stop;
            }
            if (data >= stop) {
                break;
            }
            uint64 s0 = (uint64)(data - base) / VIXDISKLIB_SECTOR_SIZE;
            uint64 s1 = ((uint64)(hole - base) + VIXDISKLIB_SECTOR_SIZE - 1) / VIXDISKLIB_SECTOR_SIZE;
            uint64 c0 = s0 / chunkSize * chunkSize;
            uint64 c1 = (s1 + chunkSize - 1) / chunkSize * chunkSize;
            if (!add_block(&blocks, &n, &cap, c0, c1)) {
                r = VIX_E_OUT_OF_MEMORY;
                break;
            }
            pos = hole;
        }
    }
    unlock_disk(d);
    if (r == VIX_OK) {
        size_t size = sizeof(VixDiskLibBlockList) + (n > 1 ? (n - 1) * sizeof(VixDiskLibBlock) : 0);
        VixDiskLibBlockList *list = calloc(1, size);
        if (list == NULL) {
            r = VIX_E_OUT_OF_MEMORY;
        } else {
            list->numBlocks = n;
            if (n > 0) {
                memcpy(list->blocks, blocks, n * sizeof *blocks);
            }
            uint64 total = 0;
            for (uint32 i = 0; i < n; i++) {
                total += blocks[i].length;
            }
            hand_out(list);
            *blockList = list;
            snprintf(detail, sizeof detail, "blocks=%u allocatedSectors=%llu", n, (unsigned long long)total);
        }
    }
    free(blocks);
    standin_line_end(&l, r, detail);
    return r;
}

STANDIN_API VixError VixDiskLib_FreeBlockList(VixDiskLibBlockList *blockList) {
    StandinLine l;
    standin_line_start(&l, "VixDiskLib_FreeBlockList");
    if (blockList == NULL) {
        standin_line_end(&l, VIX_OK, NULL);
        return VIX_OK;
    }
    if (!take_back(blockList)) {
        standin_line_end(&l, VIX_E_INVALID_ARG, "pointer not from VixDiskLib_QueryAllocatedBlocks (not freed)");
        return VIX_E_INVALID_ARG;
    }
    free(blockList);
    standin_line_end(&l, VIX_OK, NULL);
    return VIX_OK;
}

STANDIN_API char *VixDiskLib_GetErrorText(VixError err, const char *locale) {
    StandinLine l;
    standin_line_start(&l, "VixDiskLib_GetErrorText");
    standin_line_hex(&l, "err", err);
    standin_line_str(&l, "locale", locale);
    char *text = strdup(standin_error_text(err));
    if (text != NULL) {
        hand_out(text);
    }
    standin_line_end(&l, VIX_OK, NULL);
    return text;
}

STANDIN_API void VixDiskLib_FreeErrorText(char *errMsg) {
    StandinLine l;
    standin_line_start(&l, "VixDiskLib_FreeErrorText");
    if (errMsg != NULL && !take_back(errMsg)) {
        standin_line_end(&l, VIX_E_INVALID_ARG, "pointer not from VixDiskLib_GetErrorText (not freed)");
        return;
    }
    free(errMsg);
    standin_line_end(&l, VIX_OK, NULL);
}

/* ---- stand-in only ------------------------------------------------------------------------- */

STANDIN_API VixError VddkStandin_FlatFile(VixDiskLibHandle diskHandle, const char **path, uint64 *offsetBytes) {
    VixDiskLibHandle d = lock_disk(diskHandle);
    if (d == NULL) {
        return VIX_E_INVALID_ARG;
    }
    VixError r = VIX_E_NOT_SUPPORTED;
    if (d->nExt == 1 && d->ext[0].type == EXT_FLAT) {
        *path = d->ext[0].path;
        *offsetBytes = d->ext[0].fileOffset * VIXDISKLIB_SECTOR_SIZE;
        r = VIX_OK;
    }
    unlock_disk(d);
    return r;
}

STANDIN_API long VddkStandin_Outstanding(void) {
    pthread_mutex_lock(&mu);
    long n = outstanding;
    pthread_mutex_unlock(&mu);
    return n;
}
