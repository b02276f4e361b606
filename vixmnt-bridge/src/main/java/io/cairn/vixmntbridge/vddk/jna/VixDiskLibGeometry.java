package io.cairn.vixmntbridge.vddk.jna;

import com.sun.jna.Pointer;
import com.sun.jna.Structure.FieldOrder;

/**
 * {@code typedef struct { uint32 cylinders; uint32 heads; uint32 sectors; } VixDiskLibGeometry;}
 * (12 bytes, 4-byte aligned).
 */
@FieldOrder({"cylinders", "heads", "sectors"})
public class VixDiskLibGeometry extends VixStructure {
    /** uint32: read with {@link Integer#toUnsignedLong}. */
    public int cylinders;

    public int heads;
    public int sectors;

    public VixDiskLibGeometry() {}

    public VixDiskLibGeometry(Pointer p) {
        super(p);
    }
}
