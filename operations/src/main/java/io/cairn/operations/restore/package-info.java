/**
 * Restoring: {@link io.cairn.operations.restore.FolderRestore} (disks and configuration files into a
 * folder), {@link io.cairn.operations.restore.AsNewRestore} and
 * {@link io.cairn.operations.restore.InPlaceRestore} (onto vSphere, over
 * {@link io.cairn.operations.restore.VsphereRestore}).
 */
package io.cairn.operations.restore;
