/**
 * The VixMntapi driver: guest volumes of a VDDK disk mounted on this machine with VMware's Disk Mount
 * library ({@code libvixMntapi.so}), the only caller of the raw bindings in {@code mntapi.jna}.
 *
 * <ul>
 *   <li>{@link io.cairn.vixmntbridge.mntapi.GuestMounter}: what the mount layer calls; {@code probe}
 *       says whether VixMntapi is usable (else the mount layer uses its open fallback);</li>
 *   <li>{@link io.cairn.vixmntbridge.mntapi.MntapiLibrary}: finds {@code lib64/libvixMntapi.so} next
 *       to {@code libvixDiskLib.so}, takes cairn's host-wide lock, {@code VixMntapi_Init}/{@code Exit};</li>
 *   <li>{@link io.cairn.vixmntbridge.mntapi.DiskSet}: one disk opened with {@code VixMntapi_OpenDisks},
 *       its {@link io.cairn.vixmntbridge.mntapi.GuestVolume}s, {@link io.cairn.vixmntbridge.mntapi.MountedVolume}s
 *       and {@link io.cairn.vixmntbridge.mntapi.GuestOs}; closed in VMware's order.</li>
 * </ul>
 *
 * <p>The library is proprietary and cannot be installed where cairn is built: the driver runs in the
 * tests against the gcc-built stand-in libvixMntapi (docs/vddk.md; real fuse2fs mounts), and its
 * failure paths against {@code FakeVixMntapi}, a Java stand-in of the function table; it has never
 * run against VMware's library. Every native error is translated once, into {@link io.cairn.vixmntbridge.VixException},
 * with the text of {@code VixDiskLib_GetErrorText}.
 */
package io.cairn.vixmntbridge.mntapi;
