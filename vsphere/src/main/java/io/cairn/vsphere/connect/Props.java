package io.cairn.vsphere.connect;

import com.vmware.vim25.DynamicProperty;
import com.vmware.vim25.ManagedObjectReference;
import com.vmware.vim25.ObjectContent;
import com.vmware.vim25.ObjectSpec;
import com.vmware.vim25.PropertyFilterSpec;
import com.vmware.vim25.PropertySpec;
import com.vmware.vim25.RetrieveOptions;
import com.vmware.vim25.RetrieveResult;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A few properties of one managed object in one RetrievePropertiesEx call. */
public final class Props {
    private Props() {}

    public static Map<String, Object> get(VsphereConnection c, ManagedObjectReference obj, String... paths)
            throws VsphereException {
        PropertySpec ps = new PropertySpec();
        ps.setType(obj.getType());
        ps.getPathSet().addAll(List.of(paths));
        ObjectSpec os = new ObjectSpec();
        os.setObj(obj);
        os.setSkip(false);
        PropertyFilterSpec spec = new PropertyFilterSpec();
        spec.getPropSet().add(ps);
        spec.getObjectSet().add(os);
        Map<String, Object> out = new HashMap<>();
        try {
            RetrieveResult r = c.port()
                    .retrievePropertiesEx(
                            c.serviceContent().getPropertyCollector(), List.of(spec), new RetrieveOptions());
            if (r != null) {
                for (ObjectContent oc : r.getObjects()) {
                    for (DynamicProperty p : oc.getPropSet()) {
                        out.put(p.getName(), p.getVal());
                    }
                }
            }
        } catch (Exception e) {
            throw Faults.translate("RetrievePropertiesEx(" + String.join(", ", paths) + ")", obj, e);
        }
        return out;
    }

    public static Object one(VsphereConnection c, ManagedObjectReference obj, String path) throws VsphereException {
        return get(c, obj, path).get(path);
    }

    /** The datacenter's inventory path for datastore URLs ({@code dcPath}): folders below the root, then its name. */
    public static String datacenterPath(VsphereConnection c, ManagedObjectReference obj) throws VsphereException {
        ManagedObjectReference cur = obj;
        while (cur != null && !"Datacenter".equals(cur.getType())) {
            cur = (ManagedObjectReference) Props.one(c, cur, "parent");
        }
        if (cur == null) {
            throw new VsphereException(Faults.describe(obj) + " is not inside a datacenter");
        }
        List<String> names = new ArrayList<>();
        ManagedObjectReference root = c.serviceContent().getRootFolder();
        while (cur != null
                && !(root.getValue().equals(cur.getValue()) && root.getType().equals(cur.getType()))) {
            Map<String, Object> p = Props.get(c, cur, "name", "parent");
            names.add(0, String.valueOf(p.get("name")));
            cur = (ManagedObjectReference) p.get("parent");
        }
        return String.join("/", names);
    }

    /** Inventory paths are cut after this many steps: a parent chain that long (or a loop) is not an inventory. */
    private static final int MAX_DEPTH = 64;

    /**
     * The datacenter {@code obj} is in (itself when it is one).
     *
     * @throws VsphereException when it is not inside a datacenter
     */
    public static ManagedObjectReference datacenterOf(VsphereConnection c, ManagedObjectReference obj)
            throws VsphereException {
        ManagedObjectReference cur = obj;
        for (int depth = 0; cur != null && depth < MAX_DEPTH; depth++) {
            if ("Datacenter".equals(cur.getType())) {
                return cur;
            }
            cur = (ManagedObjectReference) Props.one(c, cur, "parent");
        }
        throw new VsphereException(Faults.describe(obj) + " is not inside a datacenter");
    }

    /**
     * The inventory path of {@code obj} as {@code FindByInventoryPath} takes it: the names from below
     * the root folder down to it, joined by {@code /}, with {@code %} and {@code /} in a name escaped
     * as {@code %25} and {@code %2f} (vSphere's escaping).
     */
    public static String inventoryPath(VsphereConnection c, ManagedObjectReference obj) throws VsphereException {
        List<String> names = new ArrayList<>();
        ManagedObjectReference root = c.serviceContent().getRootFolder();
        ManagedObjectReference cur = obj;
        for (int depth = 0; cur != null; depth++) {
            if (root.getValue().equals(cur.getValue()) && root.getType().equals(cur.getType())) {
                return String.join("/", names);
            }
            if (depth == MAX_DEPTH) {
                break;
            }
            Map<String, Object> p = Props.get(c, cur, "name", "parent");
            names.add(0, String.valueOf(p.get("name")).replace("%", "%25").replace("/", "%2f"));
            cur = (ManagedObjectReference) p.get("parent");
        }
        throw new VsphereException(Faults.describe(obj) + " is not below the root folder");
    }
}
