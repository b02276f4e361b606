package io.cairn.mount.volume;

/**
 * What a superblock says about a volume.
 *
 * @param type            the filesystem
 * @param label           label, null when none or not read for this type (NTFS, exFAT keep it in files)
 * @param uuid            UUID or volume serial number as blkid prints it, null when none
 * @param needsRecovery   true when an ext3/ext4 journal holds transactions not yet replayed
 *                        (incompat RECOVER flag): a read-only reader sees the state before them
 */
public record FsInfo(FsType type, String label, String uuid, boolean needsRecovery) {
    static final FsInfo UNKNOWN = new FsInfo(FsType.UNKNOWN, null, null, false);
}
