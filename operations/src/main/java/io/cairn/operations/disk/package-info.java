/**
 * The adapters between the disk layer, vSphere and the backup engine, so that neither the disk
 * layer nor vsphere knows the repository: sources ({@link io.cairn.operations.disk.FileDiskSource},
 * {@link io.cairn.operations.disk.VirtualDiskSource}, {@link io.cairn.operations.disk.HttpsDiskSource}),
 * the VDDK transports ({@link io.cairn.operations.disk.VddkOpener},
 * {@link io.cairn.operations.disk.VddkDiskWriter}) and restores as VMDK
 * ({@link io.cairn.operations.disk.VmdkOutput}).
 */
package io.cairn.operations.disk;
