/*
 * cairn's FUSE descriptor shim, preloaded (LD_PRELOAD) into a guest filesystem driver that runs in
 * cairn's sandbox (io.cairn.mount.sandbox.Sandbox).
 *
 * Why: the driver (fuse2fs, ntfs-3g, guestmount) runs as an unprivileged user with no capabilities,
 * so it cannot mount anything, and a FUSE mount made inside its own namespaces could not be read
 * by cairn anyway. So cairn mounts the FUSE connection itself, as root and outside the sandbox
 * (mount -t fuse.NAME -o fd=3,...), and hands the driver the mounted /dev/fuse descriptor as fd
 * CAIRN_FUSE_FD. Every libfuse flavour the drivers use (libfuse2, ntfs-3g's built-in fuse-lite)
 * mounts the same way: open("/dev/fuse") gives a fresh descriptor N, then
 * mount(src, dir, "fuse...", flags, "fd=N,..."). This mount() puts the descriptor cairn mounted in
 * place of N (dup2) and reports success, so the driver serves cairn's mount. Nothing is mounted by
 * the driver, and the sandbox's seccomp filter refuses the real mount system calls anyway.
 *
 * umount()/umount2() succeed without doing anything: cairn unmounts from outside.
 *
 * realpath() of CAIRN_VOLUME (/vol, a link to /proc/1/fd/5, the volume's descriptor) is /vol
 * itself: ntfs-3g canonicalises its device path before opening it, and the descriptor link's text
 * is a host path that does not exist in the sandbox. Opened as it is, /vol reaches the volume.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <sys/mount.h>
#include <unistd.h>

/* The number after "fd=" in a comma-separated option string, or -1. */
static int option_fd(const char *options)
{
    const char *p = options;
    while (p != NULL && *p != '\0') {
        if (strncmp(p, "fd=", 3) == 0) {
            char *end;
            long v = strtol(p + 3, &end, 10);
            if (end != p + 3 && (*end == ',' || *end == '\0') && v >= 0 && v < 65536) {
                return (int) v;
            }
            return -1;
        }
        p = strchr(p, ',');
        if (p != NULL) {
            p++;
        }
    }
    return -1;
}

int mount(const char *source, const char *target, const char *type, unsigned long flags, const void *data)
{
    (void) source;
    (void) target;
    (void) flags;
    const char *ours = getenv("CAIRN_FUSE_FD");
    if (ours == NULL || type == NULL || strncmp(type, "fuse", 4) != 0 || data == NULL) {
        errno = EPERM;
        return -1;
    }
    char *end;
    long mounted = strtol(ours, &end, 10);
    int theirs = option_fd((const char *) data);
    if (end == ours || *end != '\0' || mounted < 0 || mounted > 65535 || theirs < 0) {
        errno = EPERM;
        return -1;
    }
    if (theirs != (int) mounted && dup2((int) mounted, theirs) < 0) {
        return -1;
    }
    return 0;
}

int umount(const char *target)
{
    (void) target;
    return 0;
}

int umount2(const char *target, int flags)
{
    (void) target;
    (void) flags;
    return 0;
}

/* The volume's own path when path is it, else NULL. */
static char *volume_path(const char *path, char *resolved, size_t size)
{
    const char *volume = getenv("CAIRN_VOLUME");
    if (volume == NULL || path == NULL || strcmp(path, volume) != 0 || strlen(volume) >= size) {
        return NULL;
    }
    if (resolved == NULL) {
        resolved = malloc(PATH_MAX);
        if (resolved == NULL) {
            return NULL;
        }
    }
    snprintf(resolved, size, "%s", volume);
    return resolved;
}

char *realpath(const char *path, char *resolved)
{
    char *mine = volume_path(path, resolved, PATH_MAX);
    if (mine != NULL) {
        return mine;
    }
    char *(*next)(const char *, char *) = (char *(*)(const char *, char *)) dlsym(RTLD_NEXT, "realpath");
    if (next == NULL) {
        errno = ENOSYS;
        return NULL;
    }
    return next(path, resolved);
}

/* What _FORTIFY_SOURCE builds call instead of realpath (ntfs-3g is one). */
char *__realpath_chk(const char *path, char *resolved, size_t resolvedlen)
{
    char *mine = volume_path(path, resolved, resolved == NULL ? PATH_MAX : resolvedlen);
    if (mine != NULL) {
        return mine;
    }
    char *(*next)(const char *, char *, size_t) =
        (char *(*)(const char *, char *, size_t)) dlsym(RTLD_NEXT, "__realpath_chk");
    if (next == NULL) {
        errno = ENOSYS;
        return NULL;
    }
    return next(path, resolved, resolvedlen);
}
