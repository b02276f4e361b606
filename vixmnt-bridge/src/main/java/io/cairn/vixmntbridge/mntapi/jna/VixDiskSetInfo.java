package io.cairn.vixmntbridge.mntapi.jna;

import com.sun.jna.Pointer;
import com.sun.jna.Structure.FieldOrder;
import io.cairn.vixmntbridge.vddk.jna.VixStructure;

/**
 * {@code typedef struct { uint32 openFlags; char *mountPath; } VixDiskSetInfo;} of {@code vixMntapi.h},
 * filled by {@code VixMntapi_GetDiskSetInfo}, released with {@code VixMntapi_FreeDiskSetInfo}
 * (16 bytes on x86-64 Linux). {@code mountPath} is the directory under which the disk set's FUSE
 * mounts appear on Linux.
 */
@FieldOrder({"openFlags", "mountPath"})
public class VixDiskSetInfo extends VixStructure {
    /** uint32: the {@code VIXDISKLIB_FLAG_OPEN_*} flags the set was opened with. */
    public int openFlags;
    /** char *, owned by the library. */
    public String mountPath;

    public VixDiskSetInfo() {}

    /** Reads the structure the library returned at {@code p}. */
    public VixDiskSetInfo(Pointer p) {
        super(p);
        read();
    }
}
