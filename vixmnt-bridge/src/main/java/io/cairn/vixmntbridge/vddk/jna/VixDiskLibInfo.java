package io.cairn.vixmntbridge.vddk.jna;

import com.sun.jna.Pointer;
import com.sun.jna.Structure.FieldOrder;

/**
 * {@code VixDiskLibInfo}, filled by {@code VixDiskLib_GetInfo} and released with
 * {@code VixDiskLib_FreeInfo} (the library owns the memory; cairn only reads it):
 * <pre>
 * typedef struct {
 *    VixDiskLibGeometry   biosGeo;      // BIOS geometry for booting and partitioning
 *    VixDiskLibGeometry   physGeo;      // physical geometry
 *    VixDiskLibSectorType capacity;     // total capacity in sectors
 *    VixDiskLibAdapterType adapterType; // adapter type
 *    int numLinks;                      // number of links (i.e. base disk + redo logs)
 *    char *parentFileNameHint;          // parent file for a redo log
 *    char *uuid;                        // disk UUID
 *    uint32 logicalSectorSize;          // added in VDDK 7.0
 *    uint32 physicalSectorSize;         // added in VDDK 7.0
 * } VixDiskLibInfo;
 * </pre>
 * The two sector-size fields exist only in VDDK 7.0 and later; cairn initialises the library as
 * 7.0 ({@link VixDiskLibNative#VIXDISKLIB_VERSION_MAJOR}) so the layout always includes them.
 */
@FieldOrder({
    "biosGeo",
    "physGeo",
    "capacity",
    "adapterType",
    "numLinks",
    "parentFileNameHint",
    "uuid",
    "logicalSectorSize",
    "physicalSectorSize"
})
public class VixDiskLibInfo extends VixStructure {
    public VixDiskLibGeometry biosGeo;
    public VixDiskLibGeometry physGeo;
    /** VixDiskLibSectorType (uint64): capacity in 512-byte sectors. */
    public long capacity;
    /** enum VixDiskLibAdapterType: {@code VIXDISKLIB_ADAPTER_*}. */
    public int adapterType;

    public int numLinks;
    /** char *, owned by the library; null for a base disk. */
    public String parentFileNameHint;
    /** char *, owned by the library. */
    public String uuid;

    public int logicalSectorSize;
    public int physicalSectorSize;

    public VixDiskLibInfo() {}

    /** Reads the structure the library returned at {@code p}. */
    public VixDiskLibInfo(Pointer p) {
        super(p);
        read();
    }
}
