package io.cairn.vixmntbridge.vddk.jna;

import com.sun.jna.Pointer;
import com.sun.jna.Structure;

/**
 * Base of the VixDiskLib structures: the platform's C alignment ({@link Structure#ALIGN_DEFAULT},
 * GNU C rules on Linux; {@code vixDiskLib.h} forces 4-byte packing only on Windows, which cairn
 * does not support), and {@link #offsetOf} so that tests can pin every field offset.
 */
public abstract class VixStructure extends Structure {

    protected VixStructure() {
        super(ALIGN_DEFAULT);
    }

    protected VixStructure(Pointer p) {
        super(p, ALIGN_DEFAULT);
    }

    /** Byte offset of {@code field} inside the C structure, as JNA lays it out. */
    public final int offsetOf(String field) {
        return fieldOffset(field);
    }
}
