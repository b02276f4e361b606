package io.cairn.mount.fuse;

import java.io.IOException;

/** Thrown when a mount cannot be made or taken down; the message says why and what to do. */
public final class MountException extends IOException {
    public MountException(String message) {
        super(message);
    }

    public MountException(String message, Throwable cause) {
        super(message, cause);
    }
}
