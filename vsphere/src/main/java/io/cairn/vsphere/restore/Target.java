package io.cairn.vsphere.restore;

import com.vmware.vim25.ArrayOfManagedObjectReference;
import com.vmware.vim25.ManagedObjectReference;
import io.cairn.vsphere.connect.Faults;
import io.cairn.vsphere.connect.Props;
import io.cairn.vsphere.connect.VsphereConnection;
import io.cairn.vsphere.connect.VsphereException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a re-created VM goes: datacenter, VM folder, resource pool, optional host, and the
 * datastores that datacenter has. Given names are inventory paths ({@code DC0/vm/restored},
 * {@code DC0/host/cluster1/Resources}) or, for the datacenter and host, plain names; defaults are the
 * only datacenter, its VM folder, and the resource pool of its first compute resource (or of the
 * given host).
 */
record Target(
        ManagedObjectReference datacenter,
        String datacenterPath,
        ManagedObjectReference folder,
        ManagedObjectReference pool,
        ManagedObjectReference host,
        List<String> datastores,
        Map<String, ManagedObjectReference> datastoreRefs) {

    static Target resolve(VsphereConnection c, String datacenter, String folder, String pool, String host)
            throws VsphereException {
        ManagedObjectReference dc = datacenter != null ? find(c, datacenter, "Datacenter") : onlyDatacenter(c);
        String dcPath = Props.datacenterPath(c, dc);
        ManagedObjectReference f = folder != null
                ? find(c, folder.contains("/") ? folder : dcPath + "/vm/" + folder, "Folder")
                : (ManagedObjectReference) Props.one(c, dc, "vmFolder");
        ManagedObjectReference h = host == null ? null : findHost(c, dc, dcPath, host);
        ManagedObjectReference p;
        if (pool != null) {
            p = find(c, pool, "ResourcePool");
        } else {
            ManagedObjectReference cr =
                    h != null ? (ManagedObjectReference) Props.one(c, h, "parent") : firstComputeResource(c, dc);
            p = (ManagedObjectReference) Props.one(c, cr, "resourcePool");
        }
        Map<String, ManagedObjectReference> refs = datastores(c, Props.one(c, dc, "datastore"));
        if (refs.isEmpty()) {
            refs = datastores(
                    c, Props.one(c, (ManagedObjectReference) Props.one(c, dc, "datastoreFolder"), "childEntity"));
        }
        return new Target(dc, dcPath, f, p, h, List.copyOf(refs.keySet()), Map.copyOf(refs));
    }

    /**
     * The datastores in a list of references, by name. A reference that no longer resolves is
     * skipped: a standalone host (and vcsim's ESXi mode) can list a datastore object it then
     * reports as deleted.
     */
    private static Map<String, ManagedObjectReference> datastores(VsphereConnection c, Object list) {
        Map<String, ManagedObjectReference> names = new LinkedHashMap<>();
        if (list instanceof ArrayOfManagedObjectReference arr) {
            for (ManagedObjectReference d : arr.getManagedObjectReference()) {
                if (!"Datastore".equals(d.getType())) {
                    continue;
                }
                try {
                    Object n = Props.one(c, d, "name");
                    if (n != null) {
                        names.put(String.valueOf(n), d);
                    }
                } catch (VsphereException e) {
                    // gone between listing and reading: not a place to restore to
                }
            }
        }
        return names;
    }

    /** The datastore to use when none was named: only when the datacenter has exactly one. */
    String onlyDatastore() throws VsphereException {
        if (datastores.size() == 1) {
            return datastores.get(0);
        }
        throw new VsphereException("datacenter " + datacenterPath + " has " + datastores.size() + " datastores ("
                + String.join(", ", datastores) + "): name one with --datastore");
    }

    private static ManagedObjectReference onlyDatacenter(VsphereConnection c) throws VsphereException {
        List<ManagedObjectReference> dcs = new ArrayList<>();
        collectDatacenters(c, c.serviceContent().getRootFolder(), dcs);
        if (dcs.size() != 1) {
            throw new VsphereException("the server has " + dcs.size() + " datacenters: name one with --datacenter");
        }
        return dcs.get(0);
    }

    private static void collectDatacenters(
            VsphereConnection c, ManagedObjectReference folder, List<ManagedObjectReference> out)
            throws VsphereException {
        Object children = Props.one(c, folder, "childEntity");
        if (children instanceof ArrayOfManagedObjectReference arr) {
            for (ManagedObjectReference m : arr.getManagedObjectReference()) {
                if ("Datacenter".equals(m.getType())) {
                    out.add(m);
                } else if ("Folder".equals(m.getType())) {
                    collectDatacenters(c, m, out);
                }
            }
        }
    }

    private static ManagedObjectReference firstComputeResource(VsphereConnection c, ManagedObjectReference dc)
            throws VsphereException {
        ManagedObjectReference hostFolder = (ManagedObjectReference) Props.one(c, dc, "hostFolder");
        ManagedObjectReference cr = firstOf(c, hostFolder);
        if (cr == null) {
            throw new VsphereException("datacenter has no host or cluster to run the VM on");
        }
        return cr;
    }

    private static ManagedObjectReference firstOf(VsphereConnection c, ManagedObjectReference folder)
            throws VsphereException {
        Object children = Props.one(c, folder, "childEntity");
        if (children instanceof ArrayOfManagedObjectReference arr) {
            for (ManagedObjectReference m : arr.getManagedObjectReference()) {
                if (m.getType().endsWith("ComputeResource")) {
                    return m;
                }
            }
            for (ManagedObjectReference m : arr.getManagedObjectReference()) {
                if ("Folder".equals(m.getType())) {
                    ManagedObjectReference r = firstOf(c, m);
                    if (r != null) {
                        return r;
                    }
                }
            }
        }
        return null;
    }

    private static ManagedObjectReference findHost(
            VsphereConnection c, ManagedObjectReference dc, String dcPath, String host) throws VsphereException {
        if (host.contains("/")) {
            return find(c, host, "HostSystem");
        }
        ManagedObjectReference byDns;
        try {
            byDns = c.port().findByDnsName(c.serviceContent().getSearchIndex(), dc, host, false);
        } catch (Exception e) {
            byDns = null;
        }
        if (byDns != null) {
            return byDns;
        }
        // a host's inventory path is DC/host/<cluster or host name>/<host name>
        for (String p : List.of(dcPath + "/host/" + host + "/" + host, dcPath + "/host/" + host)) {
            ManagedObjectReference m = findOrNull(c, p);
            if (m != null && "HostSystem".equals(m.getType())) {
                return m;
            }
        }
        throw new VsphereException(
                "no host called " + host + " in datacenter " + dcPath + " (give its inventory path)");
    }

    private static ManagedObjectReference find(VsphereConnection c, String path, String type) throws VsphereException {
        ManagedObjectReference m = findOrNull(c, path);
        if (m == null || !type.equals(m.getType())) {
            throw new VsphereException("no " + type + " at inventory path '" + path + "'"
                    + (m == null ? "" : " (found a " + m.getType() + ")"));
        }
        return m;
    }

    private static ManagedObjectReference findOrNull(VsphereConnection c, String path) throws VsphereException {
        try {
            return c.port().findByInventoryPath(c.serviceContent().getSearchIndex(), path);
        } catch (Exception e) {
            throw Faults.translate("FindByInventoryPath", path, e);
        }
    }
}
