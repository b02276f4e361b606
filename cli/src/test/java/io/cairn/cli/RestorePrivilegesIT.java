package io.cairn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.vmware.vim25.VirtualMachinePowerState;
import io.cairn.vsphere.backup.Snapshots;
import io.cairn.vsphere.connect.VsphereConnection;
import io.cairn.vsphere.inventory.Inventory;
import io.cairn.vsphere.task.Tasks;
import io.cairn.vsphere.testing.SimVms;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Privileges checked before anything changes, by the real cairn jar against vcsim (whose
 * HasPrivilegeOnEntity, with cairn's patch, answers from roles and permissions): a user whose role
 * can create VMs but not assign them to a pool nor allocate datastore space is refused a restore in
 * one line naming exactly those privileges and where, and nothing is created; the same user's
 * backup is refused naming the snapshot privileges, and no snapshot is taken.
 */
class RestorePrivilegesIT {
    private static final Map<String, String> ADMIN = Simulator.ENV;
    private static final Map<String, String> RESTORER =
            Map.of("CAIRN_VC_USER", "restorer", "CAIRN_VC_PASSWORD", "pass");

    @TempDir
    static Path tmp;

    static final Cairn cairn = new Cairn();
    static Simulator sim;
    static VsphereConnection vc;
    static Path repo;

    @BeforeAll
    static void setUp() throws Exception {
        sim = Simulator.start();
        vc = sim.vc;
        Path d0 = tmp.resolve("pv-disk0.img");
        Util.randomFile(d0, 2L << 20, 111);
        Path d1 = tmp.resolve("pv-disk1.img");
        Util.randomFile(d1, 1L << 20, 112);
        SimVms.createVm(vc, sim.ds, "DC0", "DC0/host/DC0_H0/DC0_H0", "pv01", new Path[] {d0, d1}, tmp, true);
        sim.vcsim.govc(
                "role.create",
                "cairn-limited",
                "VirtualMachine.Inventory.Create",
                "VirtualMachine.Config.AddNewDisk",
                "VirtualMachine.Config.AdvancedConfig",
                "Datastore.Browse",
                "Datastore.FileManagement");
        sim.vcsim.govc("permissions.set", "-principal", "restorer", "-role", "cairn-limited", "-propagate=true", "/");
        repo = tmp.resolve("repo");
        cairn.init(repo);
        cairn.run(ADMIN, sim.cairnArgs("backup", "--repo", repo.toString(), "--vm", "name:pv01"))
                .ok();
    }

    @AfterAll
    static void tearDown() throws Exception {
        cairn.close();
        if (sim != null) {
            sim.close();
        }
    }

    @Test
    @DisplayName("a restore by a user lacking privileges names every missing one and where, and creates nothing")
    void restoreRefused() throws Exception {
        int before = Inventory.vms(vc).size();
        Cairn.Result r = cairn.run(
                        RESTORER,
                        sim.cairnArgs(
                                "restore",
                                "--repo",
                                repo.toString(),
                                "pv01@latest",
                                "--as-new",
                                "pv01-copy",
                                "--datastore",
                                "LocalDS_0"))
                .expectFailure(
                        1,
                        "restore",
                        "user restorer lacks privileges to re-create pv01-copy",
                        "Resource.AssignVMToPool on resource pool",
                        "Datastore.AllocateSpace on datastore LocalDS_0",
                        "(nothing was changed)");
        String line = r.errLines().get(0);
        assertTrue(!line.contains("VirtualMachine.Inventory.Create"), "a privilege the role has is not named: " + line);
        assertEquals(before, Inventory.vms(vc).size(), "nothing created");
        assertTrue(Inventory.vms(vc).stream().noneMatch(v -> v.name().equals("pv01-copy")));
    }

    @Test
    @DisplayName("an in-place restore that would power the VM off is refused before it does, naming the privilege")
    void inPlaceRefused() throws Exception {
        var ref = SimVms.vm(vc, "pv01").ref();
        Tasks.await(vc, vc.port().powerOnVMTask(ref, null), null);
        try {
            cairn.run(
                            RESTORER,
                            sim.cairnArgs("restore", "--repo", repo.toString(), "pv01@latest", "--in-place", "--force"))
                    .expectFailure(
                            1,
                            "restore",
                            "user restorer lacks privileges to restore pv01 in place",
                            "VirtualMachine.Interact.PowerOff on VM pv01");
            assertEquals(
                    VirtualMachinePowerState.POWERED_ON, SimVms.vm(vc, "pv01").powerState(), "still running");
        } finally {
            Tasks.await(vc, vc.port().powerOffVMTask(ref), null);
        }
    }

    @Test
    @DisplayName("the same user's backup is refused naming the snapshot privileges, and takes no snapshot")
    void backupRefused() throws Exception {
        cairn.run(RESTORER, sim.cairnArgs("backup", "--repo", repo.toString(), "--vm", "name:pv01"))
                .expectFailure(
                        1,
                        "backup",
                        "user restorer lacks privileges",
                        "VirtualMachine.State.CreateSnapshot",
                        "VirtualMachine.State.RemoveSnapshot");
        assertTrue(Snapshots.leftovers(vc, SimVms.vm(vc, "pv01").ref()).isEmpty());
    }
}
