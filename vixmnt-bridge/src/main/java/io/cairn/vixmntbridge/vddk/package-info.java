/**
 * The VDDK driver: {@link io.cairn.vixmntbridge.VirtualDisk} over VMware's VixDiskLib
 * ({@code libvixDiskLib.so}), the only caller of the raw bindings in {@code vddk.jna}.
 *
 * <ul>
 *   <li>{@link io.cairn.vixmntbridge.vddk.Transport}: how a disk is reached, and whether that needs the VDDK;</li>
 *   <li>{@link io.cairn.vixmntbridge.vddk.VddkLibrary}: finds ({@code --vddk DIR} or {@code VDDK_HOME}),
 *       loads and initialises the library once per process, or says in one line why it cannot;</li>
 *   <li>{@link io.cairn.vixmntbridge.vddk.VddkTarget}: which disk, through which host, with which credentials;</li>
 *   <li>{@link io.cairn.vixmntbridge.vddk.VddkDisk}: one open disk (connection + handle).</li>
 * </ul>
 *
 * <p>VDDK rules this package enforces, each explained where it is coded: sector-sized I/O through
 * 4096-aligned native buffers (SAN needs them), an InitEx config file with NFC timeouts and a
 * keepalive read of sector 0 on idle disks, at most {@value io.cairn.vixmntbridge.vddk.SanStreams#PER_HOST}
 * concurrent SAN streams per ESXi host, an explicit {@code nbdssl} request for disks on a host's local
 * datastore, SAN restores only to base disks, one native call at a time per handle, and every native
 * allocation freed in {@code finally}.
 *
 * <p>The library and its dependencies live in {@code <VDDK>/lib64}; the launcher must put that
 * directory on {@code LD_LIBRARY_PATH} before the JVM starts (libvixDiskLib's bundled OpenSSL and
 * libcurl are found only through it). Reference: VMware "Virtual Disk Development Kit Programming
 * Guide" (VDDK 7.0/8.0), chapters "Initialize the Library", "Best Practices for Backup and Restore".
 */
package io.cairn.vixmntbridge.vddk;
