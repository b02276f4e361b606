package io.cairn.httpui.vcenter;

import com.vmware.vim25.DynamicProperty;
import com.vmware.vim25.ManagedObjectReference;
import com.vmware.vim25.ObjectContent;
import com.vmware.vim25.PropertyFilterSpec;
import com.vmware.vim25.RetrieveOptions;
import com.vmware.vim25.RetrieveResult;
import com.vmware.vim25.ServiceContent;
import com.vmware.vim25.VimPortType;
import io.cairn.vsphere.connect.ContainerViews;
import io.cairn.vsphere.connect.Faults;
import io.cairn.vsphere.connect.VsphereConnection;
import io.cairn.vsphere.connect.VsphereException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The names the restore wizard offers, read with one RetrievePropertiesEx over a ContainerView of
 * the whole inventory ({@code name} and {@code parent} of each object): datastores and networks by
 * name, hosts by name, VM folders and resource pools by inventory path ({@code DC0/vm/restored},
 * {@code DC0/host/cluster1/Resources}), the forms {@code VmRestore}'s target lookup accepts.
 * Pages past the first (vCenter pages large inventories) are left out: this is for drop-downs, and
 * the fields also take typed values.
 */
final class InventoryNames {
    private static final List<String> TYPES = List.of(
            "Datacenter",
            "Folder",
            "ComputeResource",
            "ClusterComputeResource",
            "ResourcePool",
            "HostSystem",
            "Datastore",
            "Network",
            "DistributedVirtualPortgroup",
            "OpaqueNetwork");

    private InventoryNames() {}

    private record Node(String type, String name, ManagedObjectReference parent) {}

    static Map<String, List<String>> read(VsphereConnection c) throws VsphereException {
        VimPortType port = c.port();
        ServiceContent sc = c.serviceContent();
        ManagedObjectReference view;
        try {
            view = port.createContainerView(sc.getViewManager(), sc.getRootFolder(), TYPES, true);
        } catch (Exception e) {
            throw Faults.translate("CreateContainerView", sc.getRootFolder(), e);
        }
        Map<String, Node> nodes = new HashMap<>();
        try {
            Map<String, List<String>> paths = new LinkedHashMap<>();
            for (String t : TYPES) {
                paths.put(t, List.of("name", "parent"));
            }
            PropertyFilterSpec spec = ContainerViews.filter(view, paths);
            RetrieveResult r;
            try {
                r = port.retrievePropertiesEx(sc.getPropertyCollector(), List.of(spec), new RetrieveOptions());
            } catch (Exception e) {
                throw Faults.translate("RetrievePropertiesEx", view, e);
            }
            if (r != null) {
                for (ObjectContent oc : r.getObjects()) {
                    String name = null;
                    ManagedObjectReference parent = null;
                    for (DynamicProperty dp : oc.getPropSet()) {
                        if (dp.getName().equals("name") && dp.getVal() != null) {
                            name = String.valueOf(dp.getVal());
                        } else if (dp.getName().equals("parent") && dp.getVal() instanceof ManagedObjectReference p) {
                            parent = p;
                        }
                    }
                    if (name != null) {
                        nodes.put(key(oc.getObj()), new Node(oc.getObj().getType(), name, parent));
                    }
                }
            }
        } finally {
            try {
                port.destroyView(view);
            } catch (Exception e) {
                // the view dies with the session
            }
        }
        List<String> datastores = new ArrayList<>();
        List<String> networks = new ArrayList<>();
        List<String> hosts = new ArrayList<>();
        List<String> folders = new ArrayList<>();
        List<String> pools = new ArrayList<>();
        List<String> datacenters = new ArrayList<>();
        for (Node n : nodes.values()) {
            switch (n.type()) {
                case "Datastore" -> datastores.add(n.name());
                case "Network", "DistributedVirtualPortgroup", "OpaqueNetwork" -> networks.add(n.name());
                case "HostSystem" -> hosts.add(n.name());
                case "Datacenter" -> datacenters.add(path(nodes, n));
                case "ResourcePool" -> pools.add(path(nodes, n));
                case "Folder" -> {
                    if (isVmFolder(nodes, n)) {
                        folders.add(path(nodes, n));
                    }
                }
                default -> {
                    // compute resources: only path steps
                }
            }
        }
        Map<String, List<String>> out = new LinkedHashMap<>();
        out.put("datacenters", VcenterApi.sorted(datacenters));
        out.put("datastores", VcenterApi.sorted(datastores));
        out.put("folders", VcenterApi.sorted(folders));
        out.put("pools", VcenterApi.sorted(pools));
        out.put("hosts", VcenterApi.sorted(hosts));
        out.put("networks", VcenterApi.sorted(networks));
        return out;
    }

    private static String key(ManagedObjectReference m) {
        return m.getType() + ":" + m.getValue();
    }

    /** The inventory path: names up to (not including) the root folder, '/' in names escaped as vSphere does. */
    private static String path(Map<String, Node> nodes, Node n) {
        List<String> parts = new ArrayList<>();
        Node at = n;
        for (int depth = 0; at != null && depth < 64; depth++) {
            parts.add(0, at.name().replace("%", "%25").replace("/", "%2f"));
            at = at.parent() == null ? null : nodes.get(key(at.parent()));
        }
        return String.join("/", parts);
    }

    /** A folder under a datacenter's {@code vm} folder (or that folder itself). */
    private static boolean isVmFolder(Map<String, Node> nodes, Node n) {
        Node child = n;
        Node at = n.parent() == null ? null : nodes.get(key(n.parent()));
        for (int depth = 0; at != null && depth < 64; depth++) {
            if (at.type().equals("Datacenter")) {
                return child.type().equals("Folder") && child.name().equals("vm");
            }
            child = at;
            at = at.parent() == null ? null : nodes.get(key(at.parent()));
        }
        return false;
    }
}
