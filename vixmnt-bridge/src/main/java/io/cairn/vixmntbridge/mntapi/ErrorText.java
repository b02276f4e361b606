package io.cairn.vixmntbridge.mntapi;

import com.sun.jna.Pointer;
import io.cairn.vixmntbridge.VixException;
import io.cairn.vixmntbridge.vddk.jna.VixDiskLibNative;
import java.util.function.Supplier;

/**
 * The text of a {@code VixError}. VixMntapi has no error-text function: its errors are VixDiskLib
 * errors, worded by {@code VixDiskLib_GetErrorText} of the libvixDiskLib.so it is linked against.
 */
@FunctionalInterface
interface ErrorText {

    /** The text for {@code vixError}, or null/empty when there is none. */
    String of(long vixError);

    /** {@code "<doing> failed: <text>"}, the code in the low 16 bits: the one translation of a native error. */
    default VixException error(long vixError, Supplier<String> doing) {
        String text = null;
        try {
            text = of(vixError);
        } catch (RuntimeException | LinkageError e) {
            // no text is better than losing the error itself
        }
        if (text == null || text.isBlank()) {
            text = "VixMntapi error 0x" + Long.toHexString(vixError);
        }
        text = text.replaceAll("\\s*\\R\\s*", "; ").trim();
        return new VixException(VixDiskLibNative.errorCode(vixError), doing.get() + " failed: " + text);
    }

    /** Throws the translated error unless {@code vixError} is VIX_OK. */
    default void check(long vixError, Supplier<String> doing) throws VixException {
        if (vixError != VixDiskLibNative.VIX_OK) {
            throw error(vixError, doing);
        }
    }

    /** {@code VixDiskLib_GetErrorText}, freed with {@code VixDiskLib_FreeErrorText}. */
    static ErrorText of(VixDiskLibNative lib) {
        return err -> {
            Pointer p = lib.VixDiskLib_GetErrorText(err, null);
            try {
                return p == null ? null : p.getString(0);
            } finally {
                lib.VixDiskLib_FreeErrorText(p);
            }
        };
    }
}
