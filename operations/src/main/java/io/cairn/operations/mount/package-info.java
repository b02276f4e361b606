/**
 * Opening a repository's FUSE view ({@link io.cairn.operations.mount.RepositoryMount}) with the one
 * refresh interval and read-ahead that {@code cairn mount} and the web UI's file browser share.
 */
package io.cairn.operations.mount;
