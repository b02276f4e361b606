/**
 * Raw JNA bindings of VMware's VixDiskLib C API ({@code libvixDiskLib.so}, VDDK 7.0 and 8.0):
 * the function table {@link io.cairn.vixmntbridge.vddk.jna.VixDiskLibNative} and the C structures
 * it passes, field for field as {@code vixDiskLib.h} declares them.
 *
 * <p><b>Not API.</b> Nothing outside the native layer may import this package: the driver classes
 * in {@code vddk} are the only callers of its functions, and they alone own, free and check what
 * these functions allocate. The sibling raw binding {@code mntapi.jna} (VixMntapi, which builds on
 * VixDiskLib) reuses its {@code SizeT}, {@code VixStructure} and log callback type. Everything else
 * sees {@link io.cairn.vixmntbridge.VirtualDisk}.
 *
 * <p>Sources of the layouts (VMware does not publish the header outside the VDDK download):
 * <ul>
 *   <li>{@code vixDiskLib.h} of VDDK 5.5 (function prototypes, VixDiskLibGeometry, VixDiskLibInfo
 *       up to {@code uuid}, the connect parameters up to {@code nfcHostPort}, the enums and flags);</li>
 *   <li>the VDDK 6.7+ additions to VixDiskLibConnectParams ({@code vimApiVer}, {@code reserved[8]},
 *       {@code state}, the {@code spec} union and {@code specType}) as transcribed in a link stub
 *       built from the 6.7 header, and in nbdkit's {@code plugins/vddk/vddk-structs.h}
 *       ("Updated to VDDK 7.0"), which also gives the 7.0 fields {@code logicalSectorSize} and
 *       {@code physicalSectorSize} of VixDiskLibInfo and the compression open flags;</li>
 *   <li>{@code vm_basic_types.h}: {@code Bool} is {@code char}, {@code uint32}/{@code uint64} are
 *       exact-width, {@code VixError} and {@code VixDiskLibSectorType} are {@code uint64}.</li>
 * </ul>
 * Every structure's size and field offsets on x86-64 Linux are pinned by {@code StructLayoutTest}.
 *
 * <p>Type mapping: {@code uint64}/{@code VixError}/{@code VixDiskLibSectorType} → {@code long};
 * {@code uint32}, C enums and {@code int} → {@code int}; {@code Bool} → {@code byte}; C {@code long}
 * → {@link com.sun.jna.NativeLong}; {@code size_t} → {@link io.cairn.vixmntbridge.vddk.jna.SizeT};
 * {@code char *} that cairn allocates → {@link com.sun.jna.Pointer} (so the driver can free and wipe
 * it); opaque handles → {@link com.sun.jna.Pointer}; out-parameters → {@code *ByReference}.
 */
package io.cairn.vixmntbridge.vddk.jna;
