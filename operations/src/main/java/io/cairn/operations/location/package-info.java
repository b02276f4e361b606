/**
 * Where a repository is and how to open it: a directory or an object store bucket
 * ({@link io.cairn.operations.location.RepositoryLocation}). The one place the CLI and the web UI
 * go through to create or open a repository, whatever keeps its bytes.
 */
package io.cairn.operations.location;
