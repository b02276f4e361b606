package io.cairn.vixmntbridge.vddk.jna;

import com.sun.jna.Pointer;
import com.sun.jna.Structure.FieldOrder;

/**
 * {@code typedef struct { uint32 numBlocks; VixDiskLibBlock blocks[1]; } VixDiskLibBlockList;}
 * filled by {@code VixDiskLib_QueryAllocatedBlocks}, released with {@code VixDiskLib_FreeBlockList}.
 *
 * <p>{@code blocks} is a C "struct hack": the library allocates {@code numBlocks} entries. JNA maps
 * only the first; read entry {@code i} with {@link #block(int)}, which addresses the library's
 * memory directly.
 */
@FieldOrder({"numBlocks", "blocks"})
public class VixDiskLibBlockList extends VixStructure {
    /** uint32. */
    public int numBlocks;

    public VixDiskLibBlock[] blocks = new VixDiskLibBlock[1];

    public VixDiskLibBlockList() {}

    /** Reads the list header the library returned at {@code p}. */
    public VixDiskLibBlockList(Pointer p) {
        super(p);
        read();
    }

    /** Entry {@code i} ({@code 0 <= i < numBlocks}) of the library-owned array. */
    public VixDiskLibBlock block(int i) {
        if (i < 0 || Integer.toUnsignedLong(i) >= Integer.toUnsignedLong(numBlocks)) {
            throw new IndexOutOfBoundsException("block " + i + " of " + Integer.toUnsignedLong(numBlocks));
        }
        long at = offsetOf("blocks") + (long) i * blocks[0].size();
        VixDiskLibBlock b = new VixDiskLibBlock(getPointer().share(at));
        b.read();
        return b;
    }
}
