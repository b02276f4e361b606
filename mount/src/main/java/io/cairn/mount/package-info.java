/** Backups as read-only files through FUSE (jnr-fuse): built in the FUSE-mount issue. */
package io.cairn.mount;
