package io.cairn.vsphere.inventory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.vmware.vim25.ManagedObjectReference;
import com.vmware.vim25.ObjectContent;
import com.vmware.vim25.RetrieveOptions;
import com.vmware.vim25.RetrieveResult;
import com.vmware.vim25.ServiceContent;
import io.cairn.vsphere.connect.ConnectOptions;
import io.cairn.vsphere.connect.ContainerViews;
import io.cairn.vsphere.connect.VsphereConnection;
import io.cairn.vsphere.testing.Vcsim;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The inventory reads against a vcsim that pages (scripts/vcsim-patches/property-collector-paging.patch)
 * and holds more VMs and inventory objects than one page: 12 VMs per compute resource (24), 3
 * datastores, 3 distributed portgroups, 2 resource pools and folders ({@code -pool 2 -folder 2}).
 */
@DisplayName("Inventory reads page through a vcsim larger than one page")
class InventoryPagingIT {
    private static final int VMS = 24;
    private static Vcsim vcsim;
    private static VsphereConnection c;

    @BeforeAll
    static void start() throws Exception {
        vcsim = Vcsim.start("-vm", "12", "-ds", "3", "-pg", "3", "-pool", "2", "-folder", "2");
        c = VsphereConnection.connect(
                new ConnectOptions(URI.create(vcsim.url()), "user", "pass".toCharArray(), Vcsim.SHA1, false));
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

    @Test
    @DisplayName("the simulator itself pages: maxObjects 5 answers 5 VMs and a token, the token the next 5")
    void simulatorPages() throws Exception {
        ServiceContent sc = c.serviceContent();
        ManagedObjectReference view =
                c.port().createContainerView(sc.getViewManager(), sc.getRootFolder(), List.of("VirtualMachine"), true);
        try {
            RetrieveOptions five = new RetrieveOptions();
            five.setMaxObjects(5);
            RetrieveResult first = c.port()
                    .retrievePropertiesEx(
                            sc.getPropertyCollector(),
                            List.of(ContainerViews.filter(view, Map.of("VirtualMachine", List.of("name")))),
                            five);
            assertEquals(5, first.getObjects().size());
            assertNotNull(first.getToken(), "no token: the vcsim paging patch is not applied");
            RetrieveResult second = c.port().continueRetrievePropertiesEx(sc.getPropertyCollector(), first.getToken());
            assertEquals(5, second.getObjects().size());
            assertFalse(names(second.getObjects()).stream().anyMatch(names(first.getObjects())::contains));
        } finally {
            c.port().destroyView(view);
        }
    }

    @Test
    @DisplayName("Inventory.vms in pages of 5 finds all 24 VMs, the same as in one page")
    void vms() throws Exception {
        List<VmInfo> paged = Inventory.vms(c, 5);
        assertEquals(VMS, paged.size(), paged.toString());
        assertEquals(Inventory.vms(c, 1000), paged);
        List<String> names = paged.stream().map(VmInfo::name).toList();
        for (int i = 0; i < 12; i++) {
            assertTrue(names.contains("DC0_H0_VM" + i), names.toString());
            assertTrue(names.contains("DC0_C0_RP0_VM" + i), names.toString());
        }
        assertEquals(VMS, paged.stream().map(VmInfo::moRef).distinct().count(), "no VM twice");
        assertEquals(paged, Inventory.vms(c), "the default page size");
    }

    @Test
    @DisplayName("the restore names in pages of 3 list every datastore, host, network, pool and folder")
    void names() throws Exception {
        InventoryNames paged = InventoryNames.read(c, 3);
        assertEquals(InventoryNames.read(c, 1000), paged);
        assertEquals(List.of("LocalDS_0", "LocalDS_1", "LocalDS_2"), paged.datastores());
        assertEquals(List.of("DC0_C0_H0", "DC0_C0_H1", "DC0_C0_H2", "DC0_H0"), paged.hosts());
        // with -folder, vcsim puts the datacenter itself into a folder F0, and a folder F0 into its
        // vm folder; -pool makes pools below the cluster's root pool only
        assertEquals(List.of("F0/DC0"), paged.datacenters());
        assertEquals(List.of("F0/DC0/vm", "F0/DC0/vm/F0"), paged.folders());
        assertEquals(
                List.of(
                        "F0/DC0/host/F0/DC0_C0/Resources",
                        "F0/DC0/host/F0/DC0_C0/Resources/DC0_C0_RP1",
                        "F0/DC0/host/F0/DC0_C0/Resources/DC0_C0_RP2",
                        "F0/DC0/host/F0/DC0_H0/Resources"),
                paged.pools());
        assertEquals(
                List.of("DC0_DVPG0", "DC0_DVPG1", "DC0_DVPG2", "DVS0-DVUplinks-14", "VM Network"), paged.networks());
        int objects = paged.datacenters().size()
                + paged.datastores().size()
                + paged.folders().size()
                + paged.pools().size()
                + paged.hosts().size()
                + paged.networks().size();
        assertTrue(objects > 3 * 6, "more than 6 pages of 3: " + paged);
    }

    private static List<String> names(List<ObjectContent> objects) {
        List<String> out = new ArrayList<>();
        for (ObjectContent o : objects) {
            out.add(String.valueOf(o.getPropSet().get(0).getVal()));
        }
        return out;
    }
}
