package io.cairn.mount.volume;

import io.cairn.mount.image.Image;
import io.cairn.mount.image.SliceImage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Volume groups assembled from the PVs found on all disks, and their logical volumes as
 * {@link SliceImage}s. Only linear LVs (segments of type "striped" with one stripe) are offered;
 * everything else is reported with a reason. Metadata format: lvm2 {@code doc/lvm2-raid.txt} and
 * {@code lib/format_text/import_vsn1.c}. {@code pe_start} and {@code extent_size} count 512-byte sectors.
 */
final class Lvm {
    private static final long SECTOR = 512;

    /** A PV found on a disk: where it is and what its label says. */
    record Pv(String name, Image disk, long offset, long size, LvmLabel label) {}

    /** A logical volume ready to probe. */
    record Lv(String vg, String name, SliceImage image) {}

    private final List<Lv> lvs = new ArrayList<>();
    private final List<Unsupported> unsupported = new ArrayList<>();

    List<Lv> lvs() {
        return lvs;
    }

    List<Unsupported> unsupported() {
        return unsupported;
    }

    static Lvm assemble(List<Pv> pvs) {
        Lvm lvm = new Lvm();
        // one budget for every PV's parse tree: together they must fit in a bounded heap
        LvmConfig.Budget budget = new LvmConfig.Budget(LvmConfig.Budget.DEFAULT);
        Map<String, Pv> byUuid = new HashMap<>();
        // The newest metadata (highest seqno) of each VG, keyed by VG id; copies on every PV.
        Map<String, Map<String, Object>> newest = new LinkedHashMap<>();
        Map<String, String> vgNames = new HashMap<>();
        Map<String, String> source = new HashMap<>();
        for (Pv pv : pvs) {
            byUuid.put(pv.label().uuid(), pv);
            if (pv.label().metadata() == null) {
                continue;
            }
            try {
                Map<String, Object> top = LvmConfig.parse(pv.label().metadata(), budget);
                String vgName = null;
                for (Map.Entry<String, Object> e : top.entrySet()) {
                    if (e.getValue() instanceof Map) {
                        vgName = e.getKey();
                        break;
                    }
                }
                if (vgName == null) {
                    throw new VolumeFormatException("LVM metadata holds no volume group");
                }
                Map<String, Object> vg = LvmConfig.section(top, vgName);
                String id = LvmConfig.string(vg, "id");
                long seqno = LvmConfig.number(vg, "seqno");
                Map<String, Object> old = newest.get(id);
                if (old == null || LvmConfig.number(old, "seqno") < seqno) {
                    newest.put(id, vg);
                    vgNames.put(id, vgName);
                    source.put(id, pv.name());
                }
            } catch (VolumeFormatException e) {
                lvm.unsupported.add(new Unsupported(pv.name(), "LVM PV: " + e.getMessage()));
            }
        }
        for (Map.Entry<String, Map<String, Object>> e : newest.entrySet()) {
            String vgName = vgNames.get(e.getKey());
            try {
                lvm.volumeGroup(vgName, e.getValue(), byUuid);
            } catch (VolumeFormatException ex) {
                lvm.unsupported.add(new Unsupported(
                        vgName, "volume group metadata (from " + source.get(e.getKey()) + "): " + ex.getMessage()));
            }
        }
        return lvm;
    }

    private record PvRef(String id, Pv pv, long peStart, long peCount) {}

    private void volumeGroup(String vgName, Map<String, Object> vg, Map<String, Pv> byUuid)
            throws VolumeFormatException {
        long extentSectors = LvmConfig.number(vg, "extent_size");
        // LVM allows up to 16 GiB extents; anything beyond 2^32 sectors is damage.
        if (extentSectors <= 0 || extentSectors > 1L << 32) {
            throw new VolumeFormatException("extent_size " + extentSectors + " is out of range");
        }
        long extent = extentSectors * SECTOR;
        Map<String, PvRef> pvs = new HashMap<>();
        for (Map.Entry<String, Object> e :
                LvmConfig.section(vg, "physical_volumes").entrySet()) {
            if (!(e.getValue() instanceof Map)) {
                continue;
            }
            Map<String, Object> p = LvmConfig.section(LvmConfig.section(vg, "physical_volumes"), e.getKey());
            String id = LvmConfig.string(p, "id");
            long peStart = LvmConfig.number(p, "pe_start");
            long peCount = LvmConfig.number(p, "pe_count");
            // 2^48 sectors is 128 PiB: bounds the products below without limiting any real PV.
            if (peStart < 0 || peStart > 1L << 48 || peCount < 0 || peCount > 1L << 48) {
                throw new VolumeFormatException("PV " + id + " has out-of-range pe_start or pe_count");
            }
            pvs.put(e.getKey(), new PvRef(id, byUuid.get(id.replace("-", "")), peStart * SECTOR, peCount));
        }
        Map<String, Object> lvSection =
                vg.containsKey("logical_volumes") ? LvmConfig.section(vg, "logical_volumes") : Map.of();
        // LVs that other LVs are made of (thin pool data and metadata, RAID images, snapshot stores)
        // and the copy-on-write stores of snapshots.
        Set<String> internal = new HashSet<>();
        Map<String, String> cowOf = new HashMap<>();
        for (Map.Entry<String, Object> e : lvSection.entrySet()) {
            if (!(e.getValue() instanceof Map)) {
                continue;
            }
            for (Map<String, Object> seg : segments(LvmConfig.section(lvSection, e.getKey()))) {
                for (Map.Entry<String, Object> f : seg.entrySet()) {
                    if (f.getKey().equals("origin")) {
                        continue;
                    }
                    List<Object> values =
                            f.getValue() instanceof List ? LvmConfig.list(seg, f.getKey()) : List.of(f.getValue());
                    for (Object v : values) {
                        if (v instanceof String && lvSection.containsKey(v) && !v.equals(e.getKey())) {
                            internal.add((String) v);
                        }
                    }
                }
                if ("snapshot".equals(seg.get("type")) && seg.get("cow_store") instanceof String) {
                    cowOf.put((String) seg.get("cow_store"), String.valueOf(seg.get("origin")));
                    internal.add(e.getKey()); // the hidden "snapshotN" LV: its COW store is reported instead
                }
            }
        }
        for (Map.Entry<String, Object> e : lvSection.entrySet()) {
            if (!(e.getValue() instanceof Map)) {
                continue;
            }
            String lvName = e.getKey();
            String full = vgName + "-" + lvName;
            Map<String, Object> lv = LvmConfig.section(lvSection, lvName);
            boolean visible = LvmConfig.list(lv, "status").contains("VISIBLE");
            if (cowOf.containsKey(lvName)) {
                unsupported.add(new Unsupported(full, "snapshot of " + cowOf.get(lvName) + " (copy-on-write store)"));
                continue;
            }
            if (!visible) {
                if (!internal.contains(lvName) && !lvName.endsWith("_pmspare")) {
                    unsupported.add(new Unsupported(full, "hidden logical volume (status lacks VISIBLE)"));
                }
                continue;
            }
            try {
                lvs.add(new Lv(vgName, lvName, linear(lv, pvs, extent)));
            } catch (VolumeFormatException ex) {
                unsupported.add(new Unsupported(full, ex.getMessage()));
            }
        }
    }

    private static List<Map<String, Object>> segments(Map<String, Object> lv) throws VolumeFormatException {
        List<Map<String, Object>> segs = new ArrayList<>();
        for (Map.Entry<String, Object> e : lv.entrySet()) {
            if (e.getKey().startsWith("segment") && e.getValue() instanceof Map) {
                segs.add(LvmConfig.section(lv, e.getKey()));
            }
        }
        return segs;
    }

    private static SliceImage linear(Map<String, Object> lv, Map<String, PvRef> pvs, long extent)
            throws VolumeFormatException {
        List<Map<String, Object>> segs = segments(lv);
        if (segs.isEmpty()) {
            throw new VolumeFormatException("logical volume has no segments");
        }
        segs.sort((a, b) -> Long.compare(startExtent(a), startExtent(b)));
        List<SliceImage.Segment> out = new ArrayList<>();
        long nextExtent = 0;
        for (Map<String, Object> seg : segs) {
            String type = LvmConfig.string(seg, "type");
            switch (type) {
                case "striped":
                    break;
                case "thin":
                    throw new VolumeFormatException("thin volume (pool " + seg.get("thin_pool") + "): not supported");
                case "thin-pool":
                    throw new VolumeFormatException("thin pool: holds thin volumes, no filesystem of its own");
                case "mirror":
                    throw new VolumeFormatException("mirrored volume: not supported");
                case "snapshot":
                    throw new VolumeFormatException("snapshot: not supported");
                default:
                    if (type.startsWith("raid")) {
                        throw new VolumeFormatException("RAID volume (" + type + "): not supported");
                    }
                    if (type.startsWith("cache") || type.equals("writecache")) {
                        throw new VolumeFormatException("cached volume (" + type + "): not supported");
                    }
                    throw new VolumeFormatException("segment type '" + type + "' is not supported");
            }
            long stripes = LvmConfig.number(seg, "stripe_count");
            if (stripes != 1) {
                Object stripeSize = seg.get("stripe_size");
                throw new VolumeFormatException("striped across " + stripes + " PVs"
                        + (stripeSize instanceof Long
                                ? " (stripe size " + Bytes.human((Long) stripeSize * SECTOR) + ")"
                                : "")
                        + ": not supported");
            }
            long start = LvmConfig.number(seg, "start_extent");
            long count = LvmConfig.number(seg, "extent_count");
            if (start != nextExtent || count <= 0 || count > Long.MAX_VALUE - nextExtent) {
                throw new VolumeFormatException("segments do not cover extents contiguously (at extent " + start + ")");
            }
            nextExtent += count;
            List<Object> list = LvmConfig.list(seg, "stripes");
            if (list.size() != 2 || !(list.get(0) instanceof String) || !(list.get(1) instanceof Long)) {
                throw new VolumeFormatException("segment at extent " + start + " has an invalid stripes list");
            }
            PvRef ref = pvs.get(list.get(0));
            if (ref == null) {
                throw new VolumeFormatException("segment refers to unknown " + list.get(0));
            }
            if (ref.pv() == null) {
                throw new VolumeFormatException("PV " + ref.id() + " missing");
            }
            long pe = (Long) list.get(1);
            if (pe < 0 || count > ref.peCount() || pe > ref.peCount() - count) {
                throw new VolumeFormatException("segment extents " + pe + "+" + count + " exceed the " + ref.peCount()
                        + " extents of PV " + ref.id());
            }
            long offset;
            long length;
            try {
                offset = Math.addExact(ref.peStart(), Math.multiplyExact(pe, extent));
                length = Math.multiplyExact(count, extent);
            } catch (ArithmeticException e) {
                throw new VolumeFormatException("segment at extent " + start + " has out-of-range numbers");
            }
            Pv pv = ref.pv();
            if (offset < 0 || offset > pv.size() - length) {
                throw new VolumeFormatException("segment at extent " + start + " extends past the end of PV " + ref.id()
                        + " (" + pv.name() + ")");
            }
            out.add(new SliceImage.Segment(pv.disk(), pv.offset() + offset, length));
        }
        return new SliceImage(out);
    }

    private static long startExtent(Map<String, Object> seg) {
        Object v = seg.get("start_extent");
        return v instanceof Long ? (Long) v : Long.MAX_VALUE;
    }

    /** Reads the label of a PV; damage becomes a format error naming the PV. */
    static Pv pv(String name, Image disk, long offset, long size) throws IOException, VolumeFormatException {
        return new Pv(name, disk, offset, size, LvmLabel.read(disk, offset, size));
    }
}
