package io.cairn.mount.volume;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.mount.image.Image;
import io.cairn.mount.image.SliceImage;
import io.cairn.mount.mutation.FuzzLoop;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, finding 8: every volume parser fed mutated real fixtures (make-fixtures.sh: sfdisk,
 * mkfs, lvm, ntfs-3g, mkfs.xfs) under a small heap and stack ({@link FuzzLoop}). A result or the
 * parser's declared exception; never an Error, a hang or another exception.
 */
@Tag("fuzz")
@DisplayName("volume parsers on mutated fixtures")
class VolumeFuzzTest {
    static final long MIB = 1 << 20;

    static List<long[]> regions(long... pairs) {
        List<long[]> out = new ArrayList<>();
        for (int i = 0; i < pairs.length; i += 2) {
            out.add(new long[] {pairs[i], pairs[i + 1]});
        }
        return out;
    }

    /** The start and the end of a disk: MBR, EBRs, GPT headers and entries, the backup GPT. */
    static List<long[]> tableRegions(Image disk) {
        return regions(0, 64 * 1024, disk.size() - 64 * 1024, 64 * 1024, MIB, 64 * 1024);
    }

    @Test
    @DisplayName("MBR and GPT: a table or VolumeFormatException/IOException")
    void partitionTables() throws IOException {
        List<Image> disks = new ArrayList<>();
        for (String f : List.of("gpt.img", "mbr-logical.img", "mbr-ntfs.img", "gpt-xfs.img", "lvm.img")) {
            disks.add(Fixtures.image(f));
        }
        FuzzLoop.run(
                "PartitionTable.read",
                15000,
                m -> {
                    Image d = disks.get(m.random().nextInt(disks.size()));
                    PartitionTable t = PartitionTable.read(m.mutate(d, tableRegions(d)), "d");
                    if (t != null) {
                        for (Partition p : t.partitions()) {
                            assertTrue(p.offset() >= 0 && p.length() > 0, p.toString());
                        }
                    }
                },
                VolumeFormatException.class,
                IOException.class);
    }

    @Test
    @DisplayName("LVM label and metadata area: a label or VolumeFormatException/IOException")
    void lvmLabel() throws IOException {
        Image disk = Fixtures.image("lvm.img");
        long pvSize = disk.size() - MIB;
        // label in the PV's first sectors, the metadata area header at 4 KiB, its text after it
        List<long[]> r = regions(MIB, 1024, MIB + 4096, 512, MIB + 4096 + 512, 8192);
        FuzzLoop.run(
                "LvmLabel.read",
                5000,
                m -> LvmLabel.read(m.mutate(disk, r), MIB, pvSize),
                VolumeFormatException.class,
                IOException.class);
    }

    @Test
    @DisplayName("LVM's text format: a parse tree or VolumeFormatException")
    void lvmConfig() throws Exception {
        List<byte[]> texts = new ArrayList<>();
        texts.add(LvmLabel.read(
                        Fixtures.image("lvm.img"),
                        MIB,
                        Fixtures.image("lvm.img").size() - MIB)
                .metadata()
                .getBytes(StandardCharsets.ISO_8859_1));
        Image a = Fixtures.image("lvm-stripe-a.img");
        texts.add(LvmLabel.read(a, 0, a.size()).metadata().getBytes(StandardCharsets.ISO_8859_1));
        FuzzLoop.run(
                "LvmConfig.parse",
                15000,
                m -> LvmConfig.parse(
                        new String(m.mutate(texts.get(m.random().nextInt(texts.size()))), StandardCharsets.ISO_8859_1)),
                VolumeFormatException.class);
    }

    @Test
    @DisplayName("volume groups from mutated metadata: LVs and reasons, never an exception")
    void lvmAssemble() throws Exception {
        Image a = Fixtures.image("lvm-stripe-a.img");
        Image b = Fixtures.image("lvm-stripe-b.img");
        LvmLabel la = LvmLabel.read(a, 0, a.size());
        LvmLabel lb = LvmLabel.read(b, 0, b.size());
        byte[] text = la.metadata().getBytes(StandardCharsets.ISO_8859_1);
        FuzzLoop.run("Lvm.assemble", 8000, m -> {
            String t = new String(m.mutate(text), StandardCharsets.ISO_8859_1);
            Lvm lvm = Lvm.assemble(List.of(
                    new Lvm.Pv("a", a, 0, a.size(), new LvmLabel(la.uuid(), la.deviceSize(), t)),
                    new Lvm.Pv("b", b, 0, b.size(), new LvmLabel(lb.uuid(), lb.deviceSize(), lb.metadata()))));
            for (Lvm.Lv lv : lvm.lvs()) {
                SliceImage s = lv.image();
                assertTrue(s.size() >= 0);
            }
        });
    }

    @Test
    @DisplayName("superblock probe on mutated ext4, NTFS, XFS and FAT volumes: a type or IOException")
    void fsProbe() throws IOException {
        List<Image> volumes = new ArrayList<>();
        for (String f : List.of("gpt.img", "mbr-ntfs.img", "gpt-xfs.img", "mbr-logical.img")) {
            LinkedHashMap<String, Image> d = new LinkedHashMap<>();
            d.put("d", Fixtures.image(f));
            for (Volume v : VolumeScanner.scan(d).volumes()) {
                volumes.add(v.image());
            }
        }
        assertEquals(7, volumes.size(), "the fixtures' volumes");
        FuzzLoop.run(
                "FsProbe.probe",
                10000,
                m -> {
                    Image v = volumes.get(m.random().nextInt(volumes.size()));
                    FsProbe.probe(m.mutate(v, regions(0, 8192, 0x10000, 4096, 32768, 4096)));
                },
                IOException.class);
    }

    @Test
    @DisplayName("the whole scan of mutated disks (tables, LVM, probes): volumes and reasons, or IOException")
    void scanner() throws IOException {
        String[][] sets = {
            {"gpt.img"}, {"mbr-logical.img"}, {"lvm.img"}, {"mbr-ntfs.img"}, {"lvm-stripe-a.img", "lvm-stripe-b.img"}
        };
        FuzzLoop.run(
                "VolumeScanner.scan",
                2000,
                m -> {
                    String[] set = sets[m.random().nextInt(sets.length)];
                    LinkedHashMap<String, Image> disks = new LinkedHashMap<>();
                    for (int i = 0; i < set.length; i++) {
                        Image d = Fixtures.image(set[i]);
                        List<long[]> r = new ArrayList<>(tableRegions(d));
                        r.add(new long[] {0, 16384}); // whole-disk PVs keep their label and metadata here
                        disks.put("disk" + i, m.mutate(d, r));
                    }
                    VolumeScan scan = VolumeScanner.scan(disks);
                    for (Volume v : scan.volumes()) {
                        assertEquals(v.size(), v.image().size());
                    }
                },
                IOException.class);
    }
}
