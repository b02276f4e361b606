/**
 * Where on the appliance cairn may write restores and read {@code file:} sources: the directories
 * an administrator allowed ({@link io.cairn.operations.roots.RestoreRoots}, {@link
 * io.cairn.operations.roots.SourceRoots}), never the repository or the server's state, reached
 * without following a single symbolic link below a root. A root user's own command line names its
 * own directory and reads any file; the confinement of names and links still applies to what it
 * writes. See {@code docs/security.md}.
 */
package io.cairn.operations.roots;
