package io.cairn.vsphere.inventory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.vmware.vim25.DynamicProperty;
import com.vmware.vim25.ManagedObjectReference;
import com.vmware.vim25.ObjectContent;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("InventoryNames from name and parent properties (stand-in results, no server)")
class InventoryNamesTest {
    private static ManagedObjectReference ref(String type, String id) {
        ManagedObjectReference r = new ManagedObjectReference();
        r.setType(type);
        r.setValue(id);
        return r;
    }

    private static ObjectContent obj(String type, String id, String name, ManagedObjectReference parent) {
        ObjectContent oc = new ObjectContent();
        oc.setObj(ref(type, id));
        DynamicProperty n = new DynamicProperty();
        n.setName("name");
        n.setVal(name);
        oc.getPropSet().add(n);
        if (parent != null) {
            DynamicProperty p = new DynamicProperty();
            p.setName("parent");
            p.setVal(parent);
            oc.getPropSet().add(p);
        }
        return oc;
    }

    @Test
    @DisplayName("paths below the root folder, '/' escaped, VM folders only, names sorted once each")
    void names() {
        ManagedObjectReference root = ref("Folder", "group-d1"); // not in a ContainerView's result
        ManagedObjectReference dc = ref("Datacenter", "datacenter-2");
        ManagedObjectReference vmFolder = ref("Folder", "group-v3");
        ManagedObjectReference hostFolder = ref("Folder", "group-h4");
        ManagedObjectReference cluster = ref("ClusterComputeResource", "domain-c7");
        ManagedObjectReference pool = ref("ResourcePool", "resgroup-8");
        InventoryNames n = InventoryNames.of(List.of(
                obj("Datacenter", "datacenter-2", "DC0", root),
                obj("Folder", "group-v3", "vm", dc),
                obj("Folder", "group-v9", "web/db", vmFolder),
                obj("Folder", "group-h4", "host", dc),
                obj("Folder", "group-h10", "not a vm folder", hostFolder),
                obj("ClusterComputeResource", "domain-c7", "C0", hostFolder),
                obj("ResourcePool", "resgroup-8", "Resources", cluster),
                obj("ResourcePool", "resgroup-11", "100%", pool),
                obj("HostSystem", "host-12", "esx1", cluster),
                obj("Datastore", "datastore-13", "ds2", dc),
                obj("Datastore", "datastore-14", "ds1", dc),
                obj("Datastore", "datastore-15", "ds1", dc),
                obj("Network", "network-16", "VM Network", dc),
                obj("DistributedVirtualPortgroup", "dvportgroup-17", "DPG", dc)));
        assertEquals(List.of("DC0"), n.datacenters());
        assertEquals(List.of("DC0/vm", "DC0/vm/web%2fdb"), n.folders());
        assertEquals(List.of("DC0/host/C0/Resources", "DC0/host/C0/Resources/100%25"), n.pools());
        assertEquals(List.of("esx1"), n.hosts());
        assertEquals(List.of("ds1", "ds2"), n.datastores());
        assertEquals(List.of("DPG", "VM Network"), n.networks());
    }

    @Test
    @DisplayName("a parent chain that loops ends after 64 steps instead of hanging")
    void loop() {
        ManagedObjectReference a = ref("Folder", "a");
        ManagedObjectReference b = ref("Folder", "b");
        InventoryNames n = InventoryNames.of(
                List.of(obj("Folder", "a", "x", b), obj("Folder", "b", "y", a), obj("ResourcePool", "p", "pool", a)));
        assertEquals(List.of(), n.folders(), "no datacenter above: not a VM folder");
        String path = n.pools().get(0);
        assertEquals(64, path.split("/").length, path);
        assertTrue(path.endsWith("/pool"), path);
    }
}
