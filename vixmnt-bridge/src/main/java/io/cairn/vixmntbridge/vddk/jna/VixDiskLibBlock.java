package io.cairn.vixmntbridge.vddk.jna;

import com.sun.jna.Pointer;
import com.sun.jna.Structure.FieldOrder;

/**
 * {@code typedef struct { VixDiskLibSectorType offset; VixDiskLibSectorType length; } VixDiskLibBlock;}
 * — one allocated range, in sectors (16 bytes).
 */
@FieldOrder({"offset", "length"})
public class VixDiskLibBlock extends VixStructure {
    public long offset;
    public long length;

    public VixDiskLibBlock() {}

    public VixDiskLibBlock(Pointer p) {
        super(p);
    }
}
