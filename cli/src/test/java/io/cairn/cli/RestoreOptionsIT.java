package io.cairn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.vmware.vim25.VirtualDisk;
import com.vmware.vim25.VirtualMachinePowerState;
import io.cairn.vsphere.connect.VsphereConnection;
import io.cairn.vsphere.datastore.DatastoreClient;
import io.cairn.vsphere.inventory.Inventory;
import io.cairn.vsphere.inventory.VmInfo;
import io.cairn.vsphere.testing.SimVms;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code restore --as-new} with {@code --power-on} and {@code --on-conflict overwrite}, by the real
 * cairn jar against vcsim: a VM with real disk content (SimVms) is backed up once, re-created and
 * powered on, then re-created again over the running copy, which is powered off and destroyed.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RestoreOptionsIT {
    private static final Map<String, String> ENV = Simulator.ENV;

    @TempDir
    static Path tmp;

    static final Cairn cairn = new Cairn();
    static Simulator sim;
    static VsphereConnection vc;
    static DatastoreClient ds;
    static Path repo;
    static Path disk0;
    static Path disk1;
    static String backupId;
    static String firstCopy;

    @BeforeAll
    static void setUp() throws Exception {
        sim = Simulator.start();
        vc = sim.vc;
        ds = sim.ds;
        disk0 = tmp.resolve("po-disk0.img");
        Util.mixedImage(disk0, 8L << 20, 51);
        disk1 = tmp.resolve("po-disk1.img");
        Util.randomFile(disk1, 4L << 20, 52);
        SimVms.createVm(vc, ds, "DC0", "DC0/host/DC0_H0/DC0_H0", "po01", new Path[] {disk0, disk1}, tmp, true);
        repo = tmp.resolve("repo");
        cairn.init(repo);
        backupId = Cairn.backupId(cairn.run(ENV, vcArgs("backup", "--repo", repo.toString(), "--vm", "name:po01"))
                .ok());
    }

    @AfterAll
    static void tearDown() throws Exception {
        cairn.close();
        if (sim != null) {
            sim.close();
        }
    }

    private static String[] vcArgs(String... args) {
        return sim.cairnArgs(args);
    }

    private static List<VmInfo> named(String name) throws Exception {
        return Inventory.vms(vc).stream().filter(v -> name.equals(v.name())).toList();
    }

    private static void assertDisksAreTheBackup(VmInfo vm) throws Exception {
        List<VirtualDisk> d = SimVms.disks(SimVms.config(vc, vm.ref()));
        assertEquals(Util.sha256(disk0), SimVms.sha256(ds, d.get(0)));
        assertEquals(Util.sha256(disk1), SimVms.sha256(ds, d.get(1)));
    }

    @Test
    @Order(1)
    @DisplayName("--power-on: the re-created VM runs, with the backup's disks")
    void powerOn() throws Exception {
        Cairn.Result r = cairn.run(
                        ENV,
                        vcArgs(
                                "restore",
                                "--repo",
                                repo.toString(),
                                backupId,
                                "--as-new",
                                "po01-copy",
                                "--datastore",
                                "LocalDS_0",
                                "--power-on"))
                .ok();
        List<VmInfo> copies = named("po01-copy");
        assertEquals(1, copies.size());
        VmInfo copy = copies.get(0);
        assertEquals(VirtualMachinePowerState.POWERED_ON, copy.powerState(), r.describe());
        assertTrue(r.out().contains("restored " + backupId + " as po01-copy (" + copy.moRef() + ")"), r.describe());
        assertDisksAreTheBackup(copy);
        firstCopy = copy.moRef();
    }

    @Test
    @Order(2)
    @DisplayName("without --power-on the re-created VM stays off")
    void staysOff() throws Exception {
        cairn.run(
                        ENV,
                        vcArgs(
                                "restore",
                                "--repo",
                                repo.toString(),
                                backupId,
                                "--as-new",
                                "po01-off",
                                "--datastore",
                                "LocalDS_0"))
                .ok();
        assertEquals(
                VirtualMachinePowerState.POWERED_OFF, named("po01-off").get(0).powerState());
    }

    @Test
    @Order(3)
    @DisplayName("--on-conflict overwrite powers off and destroys the running VM of that name, then re-creates it")
    void overwrite() throws Exception {
        // the running copy's first disk is damaged: the overwrite must bring the backup's bytes back
        VmInfo running = named("po01-copy").get(0);
        assertEquals(firstCopy, running.moRef());
        assertEquals(VirtualMachinePowerState.POWERED_ON, running.powerState());
        var flat =
                SimVms.flatOf(ds, SimVms.disks(SimVms.config(vc, running.ref())).get(0));
        byte[] junk = new byte[1 << 20];
        ds.upload(flat, new ByteArrayInputStream(junk), junk.length);

        Cairn.Result r = cairn.run(
                        ENV,
                        vcArgs(
                                "restore",
                                "--repo",
                                repo.toString(),
                                backupId,
                                "--as-new",
                                "po01-copy",
                                "--datastore",
                                "LocalDS_0",
                                "--on-conflict",
                                "overwrite"))
                .ok();
        assertTrue(r.out().contains("replacing the existing VM po01-copy (" + firstCopy + ")"), r.describe());
        List<VmInfo> copies = named("po01-copy");
        assertEquals(1, copies.size(), "one VM of that name: the old one is destroyed");
        assertNotEquals(firstCopy, copies.get(0).moRef(), "a new VM");
        assertTrue(Inventory.vms(vc).stream().noneMatch(v -> v.moRef().equals(firstCopy)), "the old VM is gone");
        assertEquals(VirtualMachinePowerState.POWERED_OFF, copies.get(0).powerState(), "no --power-on this time");
        assertDisksAreTheBackup(copies.get(0));
    }
}
