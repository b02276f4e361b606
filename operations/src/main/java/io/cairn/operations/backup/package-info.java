/**
 * Backing up: {@link io.cairn.operations.backup.FileBackup} (a raw image, a VMDK, a {@code .vmx})
 * and {@link io.cairn.operations.backup.VcenterBackup} (the VMs a spec selects, each through
 * {@link io.cairn.operations.backup.VmBackup}); both return
 * {@link io.cairn.operations.backup.BackupResult}s with the one-line summary the CLI prints and
 * the web UI's jobs show.
 */
package io.cairn.operations.backup;
