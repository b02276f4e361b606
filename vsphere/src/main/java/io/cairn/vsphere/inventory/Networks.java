package io.cairn.vsphere.inventory;

import com.vmware.vim25.DynamicProperty;
import com.vmware.vim25.ManagedObjectReference;
import com.vmware.vim25.ObjectContent;
import io.cairn.vsphere.config.TargetNetworks;
import io.cairn.vsphere.connect.VsphereConnection;
import io.cairn.vsphere.connect.VsphereException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The networks of a datacenter that a VM's NIC can be connected to, read page by page
 * ({@link InventoryPages}) over a ContainerView of the datacenter: standard networks ({@code Network}:
 * its {@code name}) and distributed portgroups ({@code DistributedVirtualPortgroup}: {@code name},
 * {@code key} and {@code config.distributedVirtualSwitch}, whose {@code uuid} the same read takes
 * from the {@code DistributedVirtualSwitch} objects in the view). NSX opaque networks are left out:
 * cairn cannot connect a NIC to one.
 */
public final class Networks {
    private Networks() {}

    /** The networks of {@code datacenter} (a Datacenter reference). */
    public static TargetNetworks of(VsphereConnection c, ManagedObjectReference datacenter) throws VsphereException {
        return of(InventoryPages.read(
                c,
                datacenter,
                Map.of(
                        "Network", List.of("name"),
                        "DistributedVirtualPortgroup", List.of("key", "config.distributedVirtualSwitch"),
                        "DistributedVirtualSwitch", List.of("uuid")),
                InventoryPages.DEFAULT_PAGE_SIZE));
    }

    /** The networks in what the view returned (its objects in any order). */
    static TargetNetworks of(List<ObjectContent> objects) {
        Map<String, String> switchUuids = new HashMap<>();
        for (ObjectContent oc : objects) {
            String uuid = text(oc, "uuid");
            if (uuid != null) {
                switchUuids.put(oc.getObj().getValue(), uuid);
            }
        }
        List<TargetNetworks.Network> out = new ArrayList<>();
        for (ObjectContent oc : objects) {
            String type = oc.getObj().getType();
            String name = text(oc, "name");
            if (name == null) {
                continue;
            }
            if ("Network".equals(type)) {
                out.add(new TargetNetworks.Standard(name));
            } else if ("DistributedVirtualPortgroup".equals(type)) {
                String key = text(oc, "key");
                String uuid = value(oc, "config.distributedVirtualSwitch") instanceof ManagedObjectReference sw
                        ? switchUuids.get(sw.getValue())
                        : null;
                if (key != null && uuid != null) {
                    out.add(new TargetNetworks.Distributed(name, uuid, key));
                }
            }
        }
        return TargetNetworks.of(out);
    }

    private static Object value(ObjectContent oc, String property) {
        for (DynamicProperty dp : oc.getPropSet()) {
            if (property.equals(dp.getName())) {
                return dp.getVal();
            }
        }
        return null;
    }

    private static String text(ObjectContent oc, String property) {
        return value(oc, property) instanceof String s && !s.isEmpty() ? s : null;
    }
}
