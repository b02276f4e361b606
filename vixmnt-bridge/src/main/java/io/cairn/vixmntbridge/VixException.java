package io.cairn.vixmntbridge;

import java.io.IOException;

/**
 * The one error of the disk layer: a VixDiskLib error code and its text. The pure-Java
 * implementation uses the same codes, so callers handle both alike.
 */
public final class VixException extends IOException {
    private static final long serialVersionUID = 1L;

    /** VixDiskLib error codes cairn produces or maps, as vix.h and vixDiskLib.h number them. */
    public static final long VIX_E_FAIL = 1;

    public static final long VIX_E_INVALID_ARG = 3;
    public static final long VIX_E_FILE_NOT_FOUND = 4;
    public static final long VIX_E_NOT_SUPPORTED = 6;
    public static final long VIX_E_FILE_IO_ERROR = 7;
    public static final long VIX_E_FILE_ACCESS_ERROR = 13;
    public static final long VIX_E_DISK_INVAL = 16000;
    public static final long VIX_E_DISK_NOINIT = 16001;
    public static final long VIX_E_DISK_NOIO = 16002;
    public static final long VIX_E_DISK_PARTIALCHAIN = 16003;
    public static final long VIX_E_DISK_OUTOFRANGE = 16007;
    public static final long VIX_E_DISK_CID_MISMATCH = 16008;
    /** VixDiskLib has no code of its own for a bad descriptor: it reports VIX_E_DISK_INVAL. */
    public static final long VIX_E_DISK_INVALID_DESCRIPTOR = VIX_E_DISK_INVAL;

    public static final long VIX_E_DISK_KEY_NOTFOUND = 16052;

    private final long code;

    public VixException(long code, String text) {
        super(text + " (VixDiskLib error " + code + ")");
        this.code = code;
    }

    public VixException(long code, String text, Throwable cause) {
        super(text + " (VixDiskLib error " + code + ")", cause);
        this.code = code;
    }

    public long code() {
        return code;
    }
}
