package io.cairn.mount.fat;

import java.io.IOException;

/** Thrown when a FAT volume's on-disk structures (boot sector, FAT, cluster chain, directory) are invalid. */
public final class FatFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public FatFormatException(String message) {
        super(message);
    }

    public FatFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
