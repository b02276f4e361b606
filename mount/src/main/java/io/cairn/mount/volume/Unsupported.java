package io.cairn.mount.volume;

/**
 * Something on the disks that is not offered as a {@link Volume}, and why, in one line.
 *
 * @param name   the volume name it would have had ({@code disk0-p3}, {@code vg-lv}) or the disk name
 *               when the disk's partition table itself is unusable
 * @param reason e.g. "swap space", "no filesystem recognised", "GPT header CRC mismatch and …"
 */
public record Unsupported(String name, String reason) {}
