package io.cairn.vixmntbridge.vddk.jna;

import com.sun.jna.IntegerType;
import com.sun.jna.Native;
import com.sun.jna.ptr.ByReference;

/** C {@code size_t}: 8 bytes on 64-bit platforms, unsigned. */
public final class SizeT extends IntegerType {
    private static final long serialVersionUID = 1L;

    public SizeT() {
        this(0);
    }

    public SizeT(long value) {
        super(Native.SIZE_T_SIZE, value, true);
    }

    /** C {@code size_t *} out-parameter. */
    public static final class ByRef extends ByReference {
        public ByRef() {
            super(Native.SIZE_T_SIZE);
            getPointer().setLong(0, 0);
        }

        public long getValue() {
            return Native.SIZE_T_SIZE == 8
                    ? getPointer().getLong(0)
                    : Integer.toUnsignedLong(getPointer().getInt(0));
        }
    }
}
