package io.cairn.mount.volume;

import io.cairn.mount.image.Image;
import io.cairn.mount.image.SliceImage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Finds the filesystems on a VM's disks: partition tables ({@link Mbr}, {@link Gpt}), LVM2 volume
 * groups across all disks ({@link Lvm}), and the filesystem on each volume ({@link FsProbe}).
 *
 * <p>Rules:
 * <ul>
 * <li>a partition holding a filesystem is a volume {@code <disk>-p<N>} (Linux numbering); a filesystem
 *     on a disk without partition table is the volume {@code <disk>}; a linear LV is {@code <vg>-<lv>};</li>
 * <li>LVM PVs (partitions or whole disks) and extended partitions are not volumes; GPT "BIOS boot" and
 *     "Microsoft reserved" partitions are skipped silently;</li>
 * <li>swap is unsupported ("swap space"), anything unrecognised is unsupported
 *     ("no filesystem recognised"), and so is every damaged table or metadata, with its reason.</li>
 * </ul>
 * Damage never throws; only an {@link IOException} from reading the images themselves does.
 * Stateless and safe to call from several threads.
 */
public final class VolumeScanner {
    private final List<Volume> volumes = new ArrayList<>();
    private final List<Unsupported> unsupported = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();
    private final List<Lvm.Pv> pvs = new ArrayList<>();

    private VolumeScanner() {}

    /**
     * Scans {@code disks} (name → image, iterated in disk order).
     *
     * @throws IOException only when reading an image fails
     */
    public static VolumeScan scan(Map<String, Image> disks) throws IOException {
        VolumeScanner s = new VolumeScanner();
        for (Map.Entry<String, Image> d : disks.entrySet()) {
            s.disk(d.getKey(), d.getValue());
        }
        s.logicalVolumes();
        return new VolumeScan(s.volumes, s.unsupported, s.warnings);
    }

    private void disk(String disk, Image image) throws IOException {
        PartitionTable table;
        try {
            table = PartitionTable.read(image, disk);
        } catch (VolumeFormatException e) {
            unsupported.add(new Unsupported(disk, e.getMessage()));
            return;
        } catch (RuntimeException e) {
            // A bug here must not keep the other disks from mounting; it is named so that it gets reported.
            unsupported.add(new Unsupported(disk, "cannot read the partition table: " + e));
            return;
        }
        if (table == null) {
            if (image.size() > 0 && isBlank(image)) {
                unsupported.add(new Unsupported(disk, "empty disk (no partition table, no filesystem)"));
                return;
            }
            volume(
                    disk,
                    SliceImage.of(image, 0, image.size()),
                    image,
                    0,
                    "whole disk " + disk + ", " + Bytes.human(image.size()),
                    "no partition table or filesystem recognised");
            return;
        }
        unsupported.addAll(table.problems());
        warnings.addAll(table.warnings());
        for (Partition p : table.partitions()) {
            if (p.role() != Partition.Role.DATA) {
                continue;
            }
            String type = table.scheme().equals("GPT")
                    ? "GPT '" + (p.name() != null ? p.name() : p.typeName()) + "'"
                    : "MBR type " + p.type();
            volume(
                    disk + "-p" + p.number(),
                    SliceImage.of(image, p.offset(), p.length()),
                    image,
                    p.offset(),
                    "partition " + p.number() + " of " + disk + ", " + type + ", " + Bytes.human(p.length()),
                    "no filesystem recognised");
        }
    }

    private void logicalVolumes() throws IOException {
        Lvm lvm;
        try {
            lvm = Lvm.assemble(pvs);
        } catch (RuntimeException e) {
            unsupported.add(new Unsupported("LVM", "cannot assemble volume groups: " + e));
            return;
        }
        unsupported.addAll(lvm.unsupported());
        for (Lvm.Lv lv : lvm.lvs()) {
            volume(
                    lv.vg() + "-" + lv.name(),
                    lv.image(),
                    null,
                    0,
                    "logical volume " + lv.name() + " of VG " + lv.vg() + ", "
                            + Bytes.human(lv.image().size()),
                    "no filesystem recognised");
        }
    }

    /**
     * Probes one candidate volume and files it as a volume, a PV (when {@code disk} is given: PVs are
     * only looked for on disks and partitions, not inside LVs) or an unsupported entry.
     */
    private void volume(String name, SliceImage slice, Image disk, long offset, String what, String unknownReason)
            throws IOException {
        FsInfo fs = FsProbe.probe(slice);
        switch (fs.type()) {
            case LVM2_PV:
                if (disk == null) {
                    unsupported.add(new Unsupported(name, "an LVM PV inside a logical volume: not supported"));
                    return;
                }
                try {
                    pvs.add(Lvm.pv(name, disk, offset, slice.size()));
                } catch (VolumeFormatException e) {
                    unsupported.add(new Unsupported(name, "LVM PV: " + e.getMessage()));
                }
                return;
            case SWAP:
                unsupported.add(new Unsupported(name, "swap space"));
                return;
            case UNKNOWN:
                unsupported.add(new Unsupported(name, unknownReason));
                return;
            default:
                if (fs.needsRecovery()) {
                    warnings.add(name + ": the " + fs.type().displayName()
                            + " journal needs recovery; files are shown as of its last checkpoint");
                }
                volumes.add(new Volume(
                        name,
                        slice,
                        fs.type(),
                        fs.label(),
                        fs.uuid(),
                        slice.size(),
                        what + ", "
                                + fs.type().displayName() + (fs.label() != null ? " '" + fs.label() + "'" : "")
                                + (fs.needsRecovery() ? " (journal needs recovery)" : "")));
        }
    }

    /** True when the first 64 KiB are zero: a disk nobody has written to. */
    private static boolean isBlank(Image image) throws IOException {
        int n = (int) Math.min(image.size(), 64 * 1024);
        return Bytes.allZero(image.readFully(0, n), 0, n);
    }
}
