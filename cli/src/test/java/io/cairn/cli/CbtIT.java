package io.cairn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.cairn.vsphere.connect.VsphereConnection;
import io.cairn.vsphere.datastore.DatastoreClient;
import io.cairn.vsphere.datastore.DatastorePath;
import io.cairn.vsphere.testing.SimVms;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Changed block tracking end to end against vcsim with cairn's QueryChangedDiskAreas (scripts/vcsim,
 * "cairn's additions": a log of the 64 KiB blocks each datastore upload changed). A VM whose first
 * disk holds data in a few known places is backed up with {@code --enable-cbt}: only the chunks
 * that {@code QueryChangedDiskAreas("*")} reports in use are read. Known blocks are then written
 * into that disk through the datastore, and the next backup reads exactly the chunks holding them
 * (counted in the manifest's {@code readChunks}), none of the untouched second disk, and both
 * backups restore to the bytes the disk had at each time.
 */
class CbtIT {
    private static final int MIB = 1 << 20;
    private static final Map<String, String> ENV = Simulator.ENV;

    @TempDir
    static Path tmp;

    static final Cairn cairn = new Cairn();
    static Simulator sim;
    static VsphereConnection vc;
    static DatastoreClient ds;

    @BeforeAll
    static void start() throws Exception {
        sim = Simulator.start();
        vc = sim.vc;
        ds = sim.ds;
    }

    @AfterAll
    static void stop() throws Exception {
        cairn.close();
        if (sim != null) {
            sim.close();
        }
    }

    private static String[] vc(String... args) {
        return sim.cairnArgs(args);
    }

    /** The 1 MiB chunks (cairn's default chunk size) that hold a non-zero byte of {@code image}. */
    private static TreeSet<Long> nonZeroChunks(byte[] image) {
        TreeSet<Long> out = new TreeSet<>();
        for (int i = 0; i < image.length; i++) {
            if (image[i] != 0) {
                out.add((long) i / MIB);
                i = (i / MIB + 1) * MIB - 1;
            }
        }
        return out;
    }

    private static JsonNode disk(JsonNode backup, int i) {
        return backup.get("disks").get(i);
    }

    @Test
    @DisplayName("--enable-cbt on a format 1 repository (fixed 1 MiB chunks): the first backup reads exactly the"
            + " chunks in use, the next exactly the chunks written since")
    void incrementalFixedChunks() throws Exception {
        incremental("cbt01", true);
    }

    @Test
    @DisplayName("--enable-cbt on a format 2 repository (content-defined chunks): the first backup reads less than"
            + " the disk, the next only the neighbourhood of the blocks written since; both restore exactly")
    void incrementalContentDefinedChunks() throws Exception {
        incremental("cbt02", false);
    }

    private void incremental(String vm, boolean fixed) throws Exception {
        // disk 0: 16 MiB, data in [0, 2 MiB) and [6 MiB, 6.5 MiB), zeros elsewhere; disk 1: 4 MiB random
        byte[] d0 = new byte[16 * MIB];
        Random r = new Random(14);
        byte[] noise = new byte[2 * MIB];
        r.nextBytes(noise);
        System.arraycopy(noise, 0, d0, 0, 2 * MIB);
        System.arraycopy(noise, 0, d0, 6 * MIB, MIB / 2);
        Path img0 = tmp.resolve(vm + "-disk0.img");
        Files.write(img0, d0);
        Path img1 = tmp.resolve(vm + "-disk1.img");
        Util.randomFile(img1, 4L * MIB, 15);
        SimVms.createVm(vc, ds, "DC0", "DC0/host/DC0_H0/DC0_H0", vm, new Path[] {img0, img1}, tmp, true);
        Path repo = tmp.resolve("repo-" + vm);
        cairn.init(repo, "--format", fixed ? "1" : "2");

        Cairn.Result first = cairn.run(
                        ENV, vc("backup", "--repo", repo.toString(), "--vm", "name:" + vm, "--enable-cbt"))
                .ok();
        assertTrue(first.out().contains("enabling changed block tracking on " + vm), first.describe());
        String firstId = Cairn.backupId(first);
        JsonNode b1 = cairn.run("list", "--repo", repo.toString(), "--json")
                .ok()
                .json()
                .get(0);
        String changeId0 = disk(b1, 0).get("changeId").asText();
        assertTrue(changeId0.matches("[0-9a-f-]{36}/\\d+"), "a changeId is recorded: " + b1);
        long read1 = disk(b1, 0).get("stats").get("readChunks").asLong();
        if (fixed) {
            assertEquals(
                    nonZeroChunks(d0).size(),
                    read1,
                    "QueryChangedDiskAreas(*) limited the first read to the chunks in use " + nonZeroChunks(d0) + "\n"
                            + first.describe());
        } else {
            // chunk boundaries follow the content: fewer chunks read than the disk has, and some
            assertTrue(
                    read1 > 0 && read1 < disk(b1, 0).get("stats").get("chunks").asLong(),
                    "QueryChangedDiskAreas(*) limited the first read to the areas in use\n" + b1);
        }

        // known blocks written into disk 0 through the datastore: 64 KiB into a zero area (chunk 9),
        // 512 bytes at an odd offset in chunk 1, 128 KiB across the boundary of chunks 14 and 15
        byte[] d0b = d0.clone();
        long[][] writes = {{9L * MIB, 64 * 1024}, {MIB + 3000, 512}, {15L * MIB - 64 * 1024, 128 * 1024}};
        for (long[] w : writes) {
            for (int i = 0; i < w[1]; i++) {
                d0b[(int) (w[0] + i)] = (byte) (0x5a + i);
            }
        }
        var disks = SimVms.disks(SimVms.config(vc, SimVms.vm(vc, vm).ref()));
        DatastorePath flat = SimVms.flatOf(ds, disks.get(0));
        ds.upload(flat, new ByteArrayInputStream(d0b), d0b.length);
        Path img0b = tmp.resolve(vm + "-disk0-after.img");
        Files.write(img0b, d0b);

        Cairn.Result second = cairn.run(ENV, vc("backup", "--repo", repo.toString(), "--vm", "name:" + vm))
                .ok();
        String secondId = Cairn.backupId(second);
        // the three writes are three areas (the 512 bytes rounded out to their 64 KiB block), disk 1 has none
        Matcher m =
                Pattern.compile(": (\\d+) changed areas since changeId (\\S+)").matcher(second.out());
        List<String> counts = new ArrayList<>();
        while (m.find()) {
            counts.add(m.group(1));
            if (counts.size() == 1) {
                assertEquals(changeId0, m.group(2), "the query starts from the first backup's changeId");
            }
        }
        assertEquals(List.of("3", "0"), counts, second.describe());
        JsonNode b2 = null;
        for (JsonNode b :
                cairn.run("list", "--repo", repo.toString(), "--json").ok().json()) {
            if (b.get("id").asText().equals(secondId)) {
                b2 = b;
            }
        }
        assertEquals(firstId, b2.get("parent").asText(), "an incremental names the backup it copied from");
        long read2 = disk(b2, 0).get("stats").get("readChunks").asLong();
        if (fixed) {
            assertEquals(4, read2, "chunks 1, 9, 14 and 15\n" + b2);
        } else {
            // each of the three areas re-chunks its neighbourhood, whole content-defined chunks (up to
            // 4 MiB each on this 16 MiB disk): at least one chunk per area, never the whole disk
            assertTrue(
                    read2 >= 3 && read2 < disk(b2, 0).get("stats").get("chunks").asLong(),
                    "only the neighbourhoods of the three areas were read\n" + b2);
        }
        assertEquals(0, disk(b2, 1).get("stats").get("readChunks").asLong(), "disk 1 was not written\n" + b2);
        assertNotEquals(changeId0, disk(b2, 0).get("changeId").asText());

        // every backup is complete on its own: each restores to the disk as it was
        cairn.assertRestoresExactly(repo, firstId, img0, tmp, vm + ".img");
        cairn.assertRestoresExactly(repo, secondId, img0b, tmp, vm + ".img");
    }
}
