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
 *
 * <p>A backup's disks come from a guest, so what one scan keeps is bounded: at most
 * {@value #MAX_VOLUMES} volumes and {@value #MAX_UNSUPPORTED} unsupported entries (the rest are
 * counted in one last entry), at most {@value #MAX_PVS} LVM physical volumes and
 * {@value #MAX_LVM_TEXT_MIB} MiB of LVM metadata text. Every parser below bounds its own input.
 */
public final class VolumeScanner {
    /** Volumes shown per backup; Linux itself stops at 256 partitions per disk. */
    static final int MAX_VOLUMES = 1024;

    static final int MAX_UNSUPPORTED = 1024;
    static final int MAX_PVS = 256;
    static final int MAX_LVM_TEXT_MIB = 16;

    private final List<Volume> volumes = new ArrayList<>();
    private final List<Unsupported> unsupported = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();
    private final List<Lvm.Pv> pvs = new ArrayList<>();
    private long lvmText;
    private int droppedVolumes;
    private int droppedUnsupported;

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
        return s.result();
    }

    private VolumeScan result() {
        List<Volume> v = volumes;
        List<Unsupported> u = unsupported;
        if (v.size() > MAX_VOLUMES) {
            droppedVolumes += v.size() - MAX_VOLUMES;
            v = v.subList(0, MAX_VOLUMES);
        }
        if (u.size() > MAX_UNSUPPORTED) {
            droppedUnsupported += u.size() - MAX_UNSUPPORTED;
            u = new ArrayList<>(u.subList(0, MAX_UNSUPPORTED));
        }
        if (droppedVolumes > 0 || droppedUnsupported > 0) {
            u = new ArrayList<>(u);
            u.add(new Unsupported(
                    "…",
                    (droppedVolumes > 0 ? droppedVolumes + " more volumes (at most " + MAX_VOLUMES + " are shown)" : "")
                            + (droppedVolumes > 0 && droppedUnsupported > 0 ? " and " : "")
                            + (droppedUnsupported > 0 ? droppedUnsupported + " more entries like the above" : "")));
        }
        return new VolumeScan(
                v, u, warnings.size() > MAX_UNSUPPORTED ? warnings.subList(0, MAX_UNSUPPORTED) : warnings);
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
                if (pvs.size() >= MAX_PVS) {
                    unsupported.add(new Unsupported(name, "LVM PV: more than " + MAX_PVS + " in this backup"));
                    return;
                }
                try {
                    Lvm.Pv pv = Lvm.pv(name, disk, offset, slice.size());
                    String text = pv.label().metadata();
                    lvmText += text == null ? 0 : text.length();
                    if (lvmText > (long) MAX_LVM_TEXT_MIB << 20) {
                        unsupported.add(new Unsupported(
                                name, "LVM PV: the LVM metadata of this backup exceeds " + MAX_LVM_TEXT_MIB + " MiB"));
                        return;
                    }
                    pvs.add(pv);
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
