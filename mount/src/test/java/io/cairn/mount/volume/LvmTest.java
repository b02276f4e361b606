package io.cairn.mount.volume;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cairn.mount.image.Image;
import io.cairn.mount.image.SliceImage;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Volume group assembly from metadata text written by hand in the format lvm2 2.03 writes (the
 * fixture's own metadata was the model). Thin pools, RAID and snapshots cannot be made here:
 * creating them needs device-mapper, which this machine's kernel lacks (lvcreate --type thin-pool
 * fails with "Can't create thin-pool without using device-mapper kernel driver").
 */
@DisplayName("Lvm assembles volume groups")
class LvmTest {
    private static final String PV0 = "pXhtZp-7d9t-9lmo-b5f2-MUrO-ubLo-aj2H7P";
    private static final String PV1 = "Qq1234-7d9t-9lmo-b5f2-MUrO-ubLo-zzzzzz";

    private static String linear(String name, long count, String pv, long pe) {
        return name + " {\nid = \"x\"\nstatus = [\"READ\", \"WRITE\", \"VISIBLE\"]\nsegment_count = 1\n"
                + "segment1 {\nstart_extent = 0\nextent_count = " + count
                + "\ntype = \"striped\"\nstripe_count = 1 # linear\n"
                + "stripes = [\n\"" + pv + "\", " + pe + "\n]\n}\n}\n";
    }

    private static String hidden(String name, long count, String pv, long pe) {
        return linear(name, count, pv, pe).replace(", \"VISIBLE\"]", "]");
    }

    private static String vg(long seqno, String lvs) {
        return "vg1 {\nid = \"vgid-1\"\nseqno = " + seqno
                + "\nformat = \"lvm2\"\nstatus = [\"RESIZEABLE\", \"READ\", \"WRITE\"]\n"
                + "extent_size = 8192\n" // 4 MiB in 512-byte sectors
                + "physical_volumes {\npv0 {\nid = \"" + PV0
                + "\"\ndevice = \"/dev/sda2\"\nstatus = [\"ALLOCATABLE\"]\n"
                + "dev_size = 522240\npe_start = 2048\npe_count = 63\n}\n"
                + "pv1 {\nid = \"" + PV1
                + "\"\ndevice = \"/dev/sdb\"\ndev_size = 522240\npe_start = 2048\npe_count = 63\n}\n}\n"
                + "logical_volumes {\n" + lvs + "}\n}\ncontents = \"Text Format Volume Group\"\nversion = 1\n";
    }

    private static Lvm.Pv pv(String uuid, Image disk, long offset, String metadata) {
        return new Lvm.Pv(
                "disk-" + uuid.substring(0, 3),
                disk,
                offset,
                522240L * 512,
                new LvmLabel(uuid.replace("-", ""), 522240L * 512, metadata));
    }

    private static Map<String, String> unsupported(Lvm lvm) {
        return new TreeMap<>(
                lvm.unsupported().stream().collect(Collectors.toMap(Unsupported::name, Unsupported::reason)));
    }

    @Test
    @DisplayName("thin, thin pool, striped, RAID, snapshot and hidden LVs are unsupported; internal LVs are hidden")
    void unsupportedKinds() {
        String lvs = linear("plain", 2, "pv0", 0)
                + "pool {\nstatus = [\"READ\", \"WRITE\", \"VISIBLE\"]\nsegment1 {\nstart_extent = 0\nextent_count = 4\n"
                + "type = \"thin-pool\"\nmetadata = \"pool_tmeta\"\npool = \"pool_tdata\"\ntransaction_id = 1\nchunk_size = 128\n}\n}\n"
                + "thin1 {\nstatus = [\"READ\", \"WRITE\", \"VISIBLE\"]\nsegment1 {\nstart_extent = 0\nextent_count = 8\n"
                + "type = \"thin\"\nthin_pool = \"pool\"\ntransaction_id = 0\ndevice_id = 1\n}\n}\n"
                + hidden("lvol0_pmspare", 1, "pv0", 2) + hidden("pool_tmeta", 1, "pv0", 3)
                + hidden("pool_tdata", 4, "pv0", 4)
                + "striped {\nstatus = [\"READ\", \"WRITE\", \"VISIBLE\"]\nsegment1 {\nstart_extent = 0\nextent_count = 4\n"
                + "type = \"striped\"\nstripe_count = 2\nstripe_size = 128\nstripes = [\"pv0\", 8, \"pv1\", 0]\n}\n}\n"
                + "r1 {\nstatus = [\"READ\", \"WRITE\", \"VISIBLE\"]\nsegment1 {\nstart_extent = 0\nextent_count = 1\n"
                + "type = \"raid1\"\ndevice_count = 2\nraids = [\"r1_rmeta_0\", \"r1_rimage_0\", \"r1_rmeta_1\", \"r1_rimage_1\"]\n}\n}\n"
                + hidden("r1_rmeta_0", 1, "pv0", 10) + hidden("r1_rimage_0", 1, "pv0", 11)
                + hidden("r1_rmeta_1", 1, "pv1", 10) + hidden("r1_rimage_1", 1, "pv1", 11)
                + linear("snap", 1, "pv0", 12)
                + "snapshot0 {\nstatus = [\"READ\"]\nsegment1 {\nstart_extent = 0\nextent_count = 2\n"
                + "type = \"snapshot\"\nchunk_size = 8\norigin = \"plain\"\ncow_store = \"snap\"\n}\n}\n"
                + hidden("orphan", 1, "pv0", 13)
                + "cached {\nstatus = [\"READ\", \"WRITE\", \"VISIBLE\"]\nsegment1 {\nstart_extent = 0\nextent_count = 1\n"
                + "type = \"cache\"\ncache_pool = \"cpool\"\norigin = \"cached_corig\"\n}\n}\n";
        Image disk = new ZeroImage(1L << 30);
        Lvm lvm = Lvm.assemble(List.of(pv(PV0, disk, 1 << 20, vg(5, lvs)), pv(PV1, disk, 512L << 20, vg(5, lvs))));
        assertEquals(List.of("plain"), lvm.lvs().stream().map(Lvm.Lv::name).collect(Collectors.toList()));
        Map<String, String> want = new TreeMap<>(Map.of(
                "vg1-pool", "thin pool: holds thin volumes, no filesystem of its own",
                "vg1-thin1", "thin volume (pool pool): not supported",
                "vg1-striped", "striped across 2 PVs (stripe size 64 KiB): not supported",
                "vg1-r1", "RAID volume (raid1): not supported",
                "vg1-snap", "snapshot of plain (copy-on-write store)",
                "vg1-orphan", "hidden logical volume (status lacks VISIBLE)",
                "vg1-cached", "cached volume (cache): not supported"));
        assertEquals(want, unsupported(lvm));
    }

    @Test
    @DisplayName("a linear LV on two PVs on two disks is one segment per LVM segment, in extent order")
    void spanning() {
        String lvs = "span {\nstatus = [\"READ\", \"WRITE\", \"VISIBLE\"]\nsegment_count = 2\n"
                + "segment2 {\nstart_extent = 3\nextent_count = 2\ntype = \"striped\"\nstripe_count = 1\nstripes = [\"pv1\", 5]\n}\n"
                + "segment1 {\nstart_extent = 0\nextent_count = 3\ntype = \"striped\"\nstripe_count = 1\nstripes = [\"pv0\", 1]\n}\n}\n";
        Image a = new ZeroImage(256L << 20);
        Image b = new ZeroImage(256L << 20);
        Lvm lvm = Lvm.assemble(List.of(pv(PV0, a, 1 << 20, vg(7, lvs)), pv(PV1, b, 0, null)));
        assertEquals(Map.of(), unsupported(lvm));
        SliceImage span = lvm.lvs().get(0).image();
        long mib = 1 << 20;
        assertEquals(
                List.of(
                        new SliceImage.Segment(a, mib + mib + 4 * mib, 12 * mib),
                        new SliceImage.Segment(b, mib + 5 * 4 * mib, 8 * mib)),
                span.segments());
    }

    @Test
    @DisplayName("the newest metadata wins; LVs on a missing PV name it")
    void newestAndMissing() {
        String old = linear("a", 1, "pv0", 0);
        String current = linear("a", 1, "pv0", 0) + linear("b", 1, "pv1", 0);
        Image disk = new ZeroImage(256L << 20);
        Lvm lvm = Lvm.assemble(List.of(
                pv(PV0, disk, 0, vg(8, current)),
                pv("Zz0000-0000-0000-0000-0000-0000-000000", disk, 0, vg(2, old).replace("vgid-1", "vgid-1"))));
        assertEquals(List.of("a"), lvm.lvs().stream().map(Lvm.Lv::name).collect(Collectors.toList()));
        assertEquals(Map.of("vg1-b", "PV " + PV1 + " missing"), unsupported(lvm));
    }

    @Test
    @DisplayName("segments beyond the PV or with absurd numbers are refused, not thrown")
    void outOfRange() {
        String lvs = linear("big", 60, "pv0", 10)
                + linear("huge", Long.MAX_VALUE / 2, "pv0", 0)
                + linear("neg", 1, "pv0", -1)
                + linear("ghost", 1, "pv9", 0);
        Lvm lvm = Lvm.assemble(List.of(pv(PV0, new ZeroImage(1L << 30), 0, vg(1, lvs))));
        Map<String, String> u = unsupported(lvm);
        assertEquals(List.of("vg1-big", "vg1-ghost", "vg1-huge", "vg1-neg"), List.copyOf(u.keySet()));
        assertEquals("segment extents 10+60 exceed the 63 extents of PV " + PV0, u.get("vg1-big"));
        assertEquals("segment refers to unknown pv9", u.get("vg1-ghost"));
    }

    @Test
    @DisplayName("metadata without a volume group or with a broken section is reported against the PV")
    void brokenMetadata() {
        Lvm lvm = Lvm.assemble(List.of(pv(PV0, new ZeroImage(1L << 30), 0, "contents = \"x\"\n")));
        assertEquals(Map.of("disk-pXh", "LVM PV: LVM metadata holds no volume group"), unsupported(lvm));
        Lvm noExtent = Lvm.assemble(List.of(pv(
                PV0,
                new ZeroImage(1L << 30),
                0,
                vg(1, linear("a", 1, "pv0", 0)).replace("extent_size = 8192", "extent_size = 0"))));
        assertEquals(
                Map.of("vg1", "volume group metadata (from disk-pXh): extent_size 0 is out of range"),
                unsupported(noExtent));
    }
}
