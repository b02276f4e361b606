package io.cairn.vsphere.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.vmware.vim25.ManagedObjectReference;
import com.vmware.vim25.VirtualMachinePowerState;
import io.cairn.vsphere.connect.ConnectOptions;
import io.cairn.vsphere.connect.VsphereConnection;
import io.cairn.vsphere.connect.VsphereException;
import io.cairn.vsphere.inventory.Inventory;
import io.cairn.vsphere.inventory.VmInfo;
import io.cairn.vsphere.inventory.VmSpec;
import io.cairn.vsphere.testing.Vcsim;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Awaiting tasks on vcsim")
class TasksIT {
    private static Vcsim vcsim;
    private static VsphereConnection c;

    @BeforeAll
    static void start() throws Exception {
        vcsim = Vcsim.start();
        c = VsphereConnection.connect(
                new ConnectOptions(URI.create(vcsim.url()), "user", "pass".toCharArray(), Vcsim.SHA256, false));
    }

    @AfterAll
    static void stop() throws Exception {
        if (c != null) {
            c.close();
        }
        if (vcsim != null) {
            vcsim.close();
        }
    }

    private static VmInfo vm(String name) throws Exception {
        return VmSpec.parse("name:" + name).select(Inventory.vms(c)).get(0);
    }

    @Test
    @DisplayName("PowerOff then PowerOn are awaited to success and the power state follows")
    void powerCycle() throws Exception {
        ManagedObjectReference ref = vm("DC0_H0_VM0").ref();
        List<Integer> progress = new ArrayList<>();
        Tasks.await(c, c.port().powerOffVMTask(ref), progress::add);
        assertEquals(VirtualMachinePowerState.POWERED_OFF, vm("DC0_H0_VM0").powerState());
        Tasks.await(c, c.port().powerOnVMTask(ref, null), null);
        assertEquals(VirtualMachinePowerState.POWERED_ON, vm("DC0_H0_VM0").powerState());
    }

    @Test
    @DisplayName("PowerOn of a powered-on VM fails with InvalidPowerState in a clear message")
    void failingTask() throws Exception {
        ManagedObjectReference ref = vm("DC0_H0_VM1").ref();
        VsphereException e = assertThrows(
                VsphereException.class, () -> Tasks.await(c, c.port().powerOnVMTask(ref, null), null));
        assertTrue(e.getMessage().contains("InvalidPowerState"), e.getMessage());
        assertTrue(e.getMessage().contains("failed"), e.getMessage());
    }

    @Test
    @DisplayName("concurrent waiters (one on WaitForUpdatesEx, the others polling) all see their task end")
    void concurrent() throws Exception {
        List<VmInfo> vms = Inventory.vms(c);
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (VmInfo v : vms) {
            Thread t = new Thread(() -> {
                try {
                    Tasks.await(c, c.port().powerOffVMTask(v.ref()), null);
                    Tasks.await(c, c.port().powerOnVMTask(v.ref(), null), null);
                } catch (Throwable ex) {
                    failures.add(ex);
                }
            });
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(List.of(), failures);
        assertEquals(
                vms.size(),
                VmSpec.parse("powerstate:on").select(Inventory.vms(c)).size());
    }
}
