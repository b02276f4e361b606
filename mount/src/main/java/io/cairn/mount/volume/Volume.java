package io.cairn.mount.volume;

import io.cairn.mount.image.Image;

/**
 * A filesystem found on the backed-up disks, ready to be read by a filesystem reader.
 *
 * @param name        {@code <disk>-p<N>} for partition N (Linux numbering), {@code <vg>-<lv>} for a
 *                    logical volume, {@code <disk>} for a filesystem on a disk without partition table
 * @param image       the volume's bytes (a {@link io.cairn.mount.image.SliceImage} of the disks)
 * @param fsType      what the superblock says
 * @param label       filesystem label, null when none (or not read for this type)
 * @param uuid        filesystem UUID or serial number, null when none
 * @param size        {@code image.size()}
 * @param description one line for people, e.g. "partition 1 of disk0, GPT 'ext4', 100 MiB, ext4 'EXTVOL'"
 */
public record Volume(
        String name, Image image, FsType fsType, String label, String uuid, long size, String description) {}
