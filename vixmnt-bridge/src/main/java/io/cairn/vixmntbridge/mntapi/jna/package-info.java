/**
 * Raw JNA bindings of VMware's VixMntapi C API ({@code libvixMntapi.so}, the Disk Mount library of
 * the VDDK): the function table {@link io.cairn.vixmntbridge.mntapi.jna.VixMntapiNative} and the C
 * structures it returns, field for field as {@code vixMntapi.h} declares them.
 *
 * <p><b>Not API.</b> Only the mntapi driver ({@code io.cairn.vixmntbridge.mntapi}) calls it: the
 * driver alone owns, frees and checks what these functions allocate. Everything else sees
 * {@link io.cairn.vixmntbridge.mntapi.GuestMounter} and its plain Java types.
 *
 * <p>The library is proprietary and cannot be installed where cairn is built: this binding's layouts
 * are pinned ({@code MntapiStructLayoutTest}) and compared with gcc's ({@code StructLayoutStandinIT}),
 * and it calls the gcc-built stand-in libvixMntapi in the tests (docs/vddk.md), never the real library. It reuses {@code VixStructure} (C alignment, {@code offsetOf}),
 * {@code SizeT} and the log callback type {@code VixDiskLibNative.LogFunc} of {@code vddk.jna}:
 * {@code vixMntapi.h} includes {@code vixDiskLib.h} and uses its {@code VixDiskLibGenericLogFunc}.
 *
 * <p>Where each fact comes from:
 * <ul>
 *   <li>{@code vixMntapi.h} ("VixMntapi.h -- Contains function declarations for mounting VMDK
 *       files", Copyright 2009 VMware; as found in public repositories through the code search):
 *       every prototype, {@code VixOsFamily}, {@code VixOsInfo}, {@code VixVolumeType},
 *       {@code VixVolumeInfo}, {@code VixDiskSetInfo}, {@code VIXMNTAPI_MAJOR_VERSION 1} /
 *       {@code MINOR 0}, and that {@code VixMntapi_OpenDiskSet} is declared only
 *       {@code #ifdef _WIN32} (Linux programs use {@code VixMntapi_OpenDisks}, "Must be 1 for
 *       Linux" disks);</li>
 *   <li>VMware's VDDK Programming Guide, chapter "Virtual Disk Mount API" (6.7/7.0): call order,
 *       "call VixMntapi_Init() only once per process", CloseDiskSet before
 *       {@code VixDiskLib_Disconnect}, Linux mounts Linux file systems through FUSE only (no
 *       cross-mounting, no LVM, no swap or extended partitions), {@code numGuestMountPoints}
 *       "Unimplemented on Linux", "run only one vixMntapi program at a time". The guide prints
 *       {@code int} for the counts of {@code OpenDiskSet} and {@code GetVolumeHandles}; the header
 *       and VMware's own {@code vixDiskLibSample.cpp} ({@code DoMntApi}: {@code size_t numVolumes})
 *       use {@code size_t}, which is what is bound here;</li>
 *   <li>{@code vm_basic_types.h}: {@code Bool} is {@code char}; {@code VixError} is {@code uint64}.</li>
 * </ul>
 */
package io.cairn.vixmntbridge.mntapi.jna;
