package io.cairn.mount.volume;

/**
 * Thrown inside this package when a partition table, LVM structure or superblock is damaged or
 * unsupported. Never leaves {@link VolumeScanner#scan}: it becomes an {@link Unsupported} entry whose
 * reason is this message. Deliberately not an {@code IOException}: reading worked, the bytes are wrong.
 */
final class VolumeFormatException extends Exception {
    private static final long serialVersionUID = 1L;

    VolumeFormatException(String message) {
        super(message);
    }
}
