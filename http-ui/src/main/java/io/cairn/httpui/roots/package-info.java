/**
 * The directories an administrator allows restores to write into and scheduled backups to read
 * files from ({@code roots.json} in the state directory), as the operations layer's {@link
 * io.cairn.operations.roots.RestoreRoots} and {@link io.cairn.operations.roots.SourceRoots}, with
 * the repository and the state directory always forbidden.
 */
package io.cairn.httpui.roots;
