/**
 * Virtual disks behind one interface: the real VDDK (VixDiskLib, VixMntapi) through JNA where it is
 * installed, pure-Java VMDK and raw readers and writers where it is not. Built in the virtual-disk
 * issue; until then the repository's {@code io.cairn.repository.backup.FileDiskSource} reads raw images.
 */
package io.cairn.vixmntbridge;
