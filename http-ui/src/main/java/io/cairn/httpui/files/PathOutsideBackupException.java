package io.cairn.httpui.files;

/** Thrown when a requested path is malformed or leads (through links) outside the backup's tree. */
public final class PathOutsideBackupException extends IllegalArgumentException {
    public PathOutsideBackupException() {
        super("path outside the backup");
    }
}
