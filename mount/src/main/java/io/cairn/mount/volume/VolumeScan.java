package io.cairn.mount.volume;

import java.util.List;

/**
 * What {@link VolumeScanner#scan} found on a set of disks.
 *
 * @param volumes     filesystems, in disk order, then partition order; logical volumes after all disks
 * @param unsupported everything that could hold data but is not offered, with the reason
 * @param warnings    things worth telling that do not hide a volume (a backup GPT header was used, an
 *                    ext journal needs recovery)
 */
public record VolumeScan(List<Volume> volumes, List<Unsupported> unsupported, List<String> warnings) {
    public VolumeScan {
        volumes = List.copyOf(volumes);
        unsupported = List.copyOf(unsupported);
        warnings = List.copyOf(warnings);
    }
}
