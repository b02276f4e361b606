/**
 * Virtual disks behind one interface: the real VDDK (VixDiskLib, VixMntapi) through JNA where it is
 * installed, pure-Java VMDK and raw readers and writers where it is not. This module does not know
 * the repository: the operations layer adapts a {@link io.cairn.vixmntbridge.VirtualDisk} to the
 * backup engine's source and the VMDK writer to the restorer's output.
 *
 * <p>Guest volumes: {@code mntapi} mounts the volumes of a VDDK disk on this machine with VMware's
 * VixMntapi ({@code libvixMntapi.so}, raw bindings in {@code mntapi.jna}). The mount layer asks
 * {@code GuestMounter.probe} first and uses its open fallback when the library is missing or cairn's
 * host-wide VixMntapi lock is held. On Linux VixMntapi mounts only Linux file systems, through FUSE.
 * The libraries are proprietary and not installable where cairn is built, so that code is pinned and
 * tested against stand-ins only: C libraries with VMware's symbols and layouts, built by
 * {@code scripts/vddk-standin} from {@code src/test/c} (docs/vddk.md).
 */
package io.cairn.vixmntbridge;
