package io.cairn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.vmware.vim25.VirtualDisk;
import com.vmware.vim25.VirtualMachineConfigInfo;
import io.cairn.vsphere.connect.ConnectOptions;
import io.cairn.vsphere.connect.Props;
import io.cairn.vsphere.connect.VsphereConnection;
import io.cairn.vsphere.datastore.DatastoreClient;
import io.cairn.vsphere.task.Tasks;
import io.cairn.vsphere.testing.SimVms;
import io.cairn.vsphere.testing.Vcsim;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A standalone ESXi host (vcsim -esx): backup and re-creation straight to the host, no vCenter. */
class EsxIT {
    private static final String SHA1 = Vcsim.SHA1;
    private static final Map<String, String> ENV = Map.of("CAIRN_VC_USER", "root", "CAIRN_VC_PASSWORD", "esx-pass");

    @TempDir
    static Path tmp;

    static final Cairn cairn = new Cairn();
    static Vcsim vcsim;
    static String url;
    static VsphereConnection vc;
    static DatastoreClient ds;

    @BeforeAll
    static void start() throws Exception {
        vcsim = Vcsim.start("-esx", "-username", "root", "-password", "esx-pass");
        url = vcsim.url();
        vc = VsphereConnection.connect(
                new ConnectOptions(URI.create(url), "root", "esx-pass".toCharArray(), SHA1, false));
        ds = new DatastoreClient(
                vc.serverBase(), vc.sslSocketFactory(), vc.hostnameVerifier(), vc::sessionCookie, "ha-datacenter");
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (vc != null) {
                vc.close();
            }
        } finally {
            cairn.close();
            if (vcsim != null) {
                vcsim.close();
            }
        }
    }

    @Test
    @DisplayName("on a standalone ESXi host a VM backs up under an esx: identity and comes back with --as-new")
    void backupAndRecreate() throws Exception {
        assertTrue(!vc.isVCenter(), "vcsim -esx is a host agent");
        Path d0 = tmp.resolve("esx0.img");
        Util.ext4Image(d0, 64, 4, 4, 21);
        Path d1 = tmp.resolve("esx1.img");
        Util.randomFile(d1, 24L << 20, 22);
        SimVms.createVm(
                vc,
                ds,
                "ha-datacenter",
                "ha-datacenter/host/localhost.localdomain/localhost.localdomain",
                "esxvm",
                new Path[] {d0, d1},
                tmp,
                true);
        Path repo = tmp.resolve("repo");
        cairn.init(repo);
        String[] vcArgs = {"--vc", url, "--thumbprint", SHA1};
        Cairn.Result b = cairn.run(
                        ENV, concat(new String[] {"backup", "--repo", repo.toString(), "--vm", "name:esxvm"}, vcArgs))
                .ok();
        String id = Cairn.backupId(b);
        var m = cairn.run("list", "--repo", repo.toString(), "--json")
                .ok()
                .json()
                .get(0);
        assertTrue(m.get("vmIdentity").asText().startsWith("esx:"), m.toString());
        var vm = SimVms.vm(vc, "esxvm");
        assertNull(Props.one(vc, vm.ref(), "snapshot"));
        VirtualMachineConfigInfo before = SimVms.config(vc, vm.ref());
        Tasks.await(vc, vc.port().destroyTask(vm.ref()), null);
        cairn.run(ENV, concat(new String[] {"restore", "--repo", repo.toString(), id, "--as-new", "esxvm"}, vcArgs))
                .ok();
        VirtualMachineConfigInfo after =
                SimVms.config(vc, SimVms.vm(vc, "esxvm").ref());
        assertEquals(SimVms.layout(before), SimVms.layout(after));
        List<VirtualDisk> disks = SimVms.disks(after);
        assertEquals(Util.sha256(d0), SimVms.sha256(ds, disks.get(0)));
        assertEquals(Util.sha256(d1), SimVms.sha256(ds, disks.get(1)));
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
