package io.cairn.vsphere.inventory;

import com.vmware.vim25.DynamicProperty;
import com.vmware.vim25.ManagedObjectReference;
import com.vmware.vim25.ObjectContent;
import io.cairn.vsphere.connect.VsphereConnection;
import io.cairn.vsphere.connect.VsphereException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The names a restore onto vSphere can be placed by, each list sorted and without duplicates:
 * datastores, networks (standard, distributed and opaque) and hosts by name; datacenters, VM folders
 * and resource pools by inventory path ({@code DC0/vm/restored}, {@code DC0/host/cluster1/Resources}),
 * the forms the restore's target lookup accepts.
 *
 * @param datacenters inventory paths of the datacenters
 * @param datastores datastore names
 * @param folders inventory paths of the VM folders (a datacenter's {@code vm} folder and those below it)
 * @param pools inventory paths of the resource pools
 * @param hosts host names
 * @param networks network and portgroup names
 */
public record InventoryNames(
        List<String> datacenters,
        List<String> datastores,
        List<String> folders,
        List<String> pools,
        List<String> hosts,
        List<String> networks) {
    /** The object types read: those named above and the compute resources that are steps of pool paths. */
    static final List<String> TYPES = List.of(
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

    /** Paths are cut after this many steps: a parent chain that long (or a loop) is not an inventory. */
    private static final int MAX_DEPTH = 64;

    public InventoryNames {
        datacenters = List.copyOf(datacenters);
        datastores = List.copyOf(datastores);
        folders = List.copyOf(folders);
        pools = List.copyOf(pools);
        hosts = List.copyOf(hosts);
        networks = List.copyOf(networks);
    }

    private record Node(String type, String name, ManagedObjectReference parent) {}

    /**
     * Reads the names of the whole inventory ({@code name} and {@code parent} of every object of
     * {@link #TYPES}), every page of it.
     */
    public static InventoryNames read(VsphereConnection c) throws VsphereException {
        return read(c, InventoryPages.DEFAULT_PAGE_SIZE);
    }

    /** {@link #read(VsphereConnection)} in pages of {@code pageSize} objects. */
    static InventoryNames read(VsphereConnection c, int pageSize) throws VsphereException {
        Map<String, List<String>> properties = new LinkedHashMap<>();
        for (String t : TYPES) {
            properties.put(t, List.of("name", "parent"));
        }
        return of(InventoryPages.read(c, properties, pageSize));
    }

    /** The names in objects carrying {@code name} and {@code parent}. */
    static InventoryNames of(List<ObjectContent> objects) {
        Map<String, Node> nodes = new HashMap<>();
        for (ObjectContent oc : objects) {
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
                    // compute resources: only steps of pool paths
                }
            }
        }
        return new InventoryNames(
                sorted(datacenters),
                sorted(datastores),
                sorted(folders),
                sorted(pools),
                sorted(hosts),
                sorted(networks));
    }

    private static List<String> sorted(Collection<String> c) {
        return c.stream().distinct().sorted().toList();
    }

    private static String key(ManagedObjectReference m) {
        return m.getType() + ":" + m.getValue();
    }

    /** The inventory path: names up to (not including) the root folder, '/' in names escaped as vSphere does. */
    private static String path(Map<String, Node> nodes, Node n) {
        List<String> parts = new ArrayList<>();
        Node at = n;
        for (int depth = 0; at != null && depth < MAX_DEPTH; depth++) {
            parts.add(0, at.name().replace("%", "%25").replace("/", "%2f"));
            at = at.parent() == null ? null : nodes.get(key(at.parent()));
        }
        return String.join("/", parts);
    }

    /** A folder under a datacenter's {@code vm} folder (or that folder itself). */
    private static boolean isVmFolder(Map<String, Node> nodes, Node n) {
        Node child = n;
        Node at = n.parent() == null ? null : nodes.get(key(n.parent()));
        for (int depth = 0; at != null && depth < MAX_DEPTH; depth++) {
            if (at.type().equals("Datacenter")) {
                return child.type().equals("Folder") && child.name().equals("vm");
            }
            child = at;
            at = at.parent() == null ? null : nodes.get(key(at.parent()));
        }
        return false;
    }
}
