/*
 * standin-log.c -- STAND-IN for VMware's VDDK, test code of cairn; never shipped.
 *
 * The call log both stand-in libraries append to, and the error texts. One line per call:
 *
 *   <seconds.nanoseconds> <pid> <Function> key=value ... => OK [key=value ...]
 *   <seconds.nanoseconds> <pid> <Function> key=value ... => ERROR <code> "<text>"
 *
 * A value with anything but [A-Za-z0-9._:/@+,=-] is double-quoted with \" \\ \n escapes. The time
 * is when the call began, CLOCK_REALTIME, so the tests can order calls against what vCenter (vcsim)
 * did; a line is written when the call returns (a call made inside another comes first). Each line is
 * appended with one write(2) on an O_APPEND descriptor: lines of several threads or processes
 * never mix. Without VDDK_STANDIN_CALL_LOG nothing is written.
 */
#define _GNU_SOURCE
#include "vddk-standin.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void append(StandinLine *l, const char *s, size_t n) {
    /* keep one byte for the newline; a longer line is cut, never overflowed */
    size_t room = sizeof l->buf - 1 - l->n;
    if (n > room) {
        n = room;
    }
    memcpy(l->buf + l->n, s, n);
    l->n += n;
}

void standin_line_raw(StandinLine *l, const char *fmt, ...) {
    char tmp[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n > 0) {
        append(l, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
    }
}

void standin_line_start(StandinLine *l, const char *function) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    l->n = 0;
    standin_line_raw(l, "%lld.%09ld %ld %s", (long long)ts.tv_sec, ts.tv_nsec, (long)getpid(), function);
}

static int plain(const char *s) {
    if (*s == '\0') {
        return 0;
    }
    for (; *s; s++) {
        char c = *s;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strchr("._:/@+,=-", c))) {
            return 0;
        }
    }
    return 1;
}

void standin_line_str(StandinLine *l, const char *key, const char *value) {
    append(l, " ", 1);
    append(l, key, strlen(key));
    append(l, "=", 1);
    if (value == NULL) {
        append(l, "NULL", 4);
        return;
    }
    if (plain(value)) {
        append(l, value, strlen(value));
        return;
    }
    append(l, "\"", 1);
    for (const char *p = value; *p; p++) {
        if (*p == '"' || *p == '\\') {
            append(l, "\\", 1);
            append(l, p, 1);
        } else if (*p == '\n') {
            append(l, "\\n", 2);
        } else if ((unsigned char)*p < 0x20) {
            append(l, "?", 1);
        } else {
            append(l, p, 1);
        }
    }
    append(l, "\"", 1);
}

void standin_line_u64(StandinLine *l, const char *key, uint64 value) {
    standin_line_raw(l, " %s=%llu", key, (unsigned long long)value);
}

void standin_line_hex(StandinLine *l, const char *key, uint64 value) {
    standin_line_raw(l, " %s=0x%llx", key, (unsigned long long)value);
}

void standin_line_end(StandinLine *l, VixError result, const char *detail) {
    if (result == VIX_OK) {
        append(l, " => OK", 6);
        if (detail != NULL && *detail) {
            append(l, " ", 1);
            append(l, detail, strlen(detail));
        }
    } else {
        standin_line_raw(l, " => ERROR %llu", (unsigned long long)VIX_ERROR_CODE(result));
        standin_line_str(l, "text", detail != NULL && *detail ? detail : standin_error_text(result));
    }
    l->buf[l->n++] = '\n';
    if (result != VIX_OK && getenv("VDDK_STANDIN_ERRORS_TO_STDERR") != NULL) {
        /* a failing test's output then names the stand-in's reason, not only the error code */
        ssize_t e;
        do {
            e = write(2, l->buf, l->n);
        } while (e < 0 && errno == EINTR);
    }
    const char *path = getenv(STANDIN_ENV_CALL_LOG);
    if (path == NULL || *path == '\0') {
        return;
    }
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        return;
    }
    ssize_t w;
    do {
        w = write(fd, l->buf, l->n);
    } while (w < 0 && errno == EINTR);
    close(fd);
}

const char *standin_error_text(VixError err) {
    switch (VIX_ERROR_CODE(err)) {
        case VIX_OK: return "The operation was successful";
        case VIX_E_FAIL: return "Unknown error";
        case VIX_E_OUT_OF_MEMORY: return "Memory allocation failed: out of memory";
        case VIX_E_INVALID_ARG: return "One of the parameters was invalid";
        case VIX_E_FILE_NOT_FOUND: return "The system cannot find the file specified";
        case VIX_E_OBJECT_IS_BUSY: return "The object is in use";
        case VIX_E_NOT_SUPPORTED: return "The operation is not supported";
        case VIX_E_FILE_ERROR: return "A file access error occurred on the host or guest operating system";
        case VIX_E_DISK_FULL: return "There is not enough space on the disk";
        case VIX_E_FILE_READ_ONLY: return "The file is write-protected";
        case VIX_E_FILE_ACCESS_ERROR: return "You do not have access rights to this file";
        case VIX_E_BUFFER_TOOSMALL: return "The buffer is too small";
        case VIX_E_HOST_USER_PERMISSIONS: return "Insufficient permissions in the host operating system";
        case VIX_E_DISK_INVAL: return "One of the parameters supplied is invalid";
        case VIX_E_DISK_NOINIT: return "The disk library has not been initialized";
        case VIX_E_DISK_NOIO: return "The called function requires the virtual disk to be opened for I/O";
        case VIX_E_DISK_OUTOFRANGE: return "The requested sectors are out of range";
        case VIX_E_DISK_NOTSUPPORTED: return "The operation is not supported for this type of virtual disk";
        case VIX_E_DISK_KEY_NOTFOUND: return "The requested metadata key was not found";
        case VIX_E_DISK_INVALID_CONNECTION: return "Invalid connection handle";
        case VIX_E_MNTAPI_MOUNTPT_NOT_FOUND: return "Could not find the specified mountpoint";
        case VIX_E_MNTAPI_CANT_READ_PARTS: return "Could not read the partition table";
        case VIX_E_MNTAPI_UMOUNT: return "Could not unmount the volume";
        case VIX_E_MNTAPI_INTERNAL: return "Internal error in the mount library";
        case VIX_E_MNTAPI_INCOMPATIBLE_VERSION: return "The mount library does not support this version";
        case VIX_E_MNTAPI_VOLUME_NOT_MOUNTED: return "The volume is not mounted";
        case VIX_E_MNTAPI_VOLUME_ALREADY_MOUNTED: return "The volume is already mounted";
        case VIX_E_MNTAPI_ALREADY_OPENED: return "The disk set is already open";
        case VIX_E_MNTAPI_OPEN_FAILURE: return "The volume could not be opened";
        default: return "Unknown error";
    }
}
