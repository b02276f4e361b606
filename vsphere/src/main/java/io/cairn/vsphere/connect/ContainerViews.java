package io.cairn.vsphere.connect;

import com.vmware.vim25.ManagedObjectReference;
import com.vmware.vim25.ObjectSpec;
import com.vmware.vim25.PropertyFilterSpec;
import com.vmware.vim25.PropertySpec;
import com.vmware.vim25.TraversalSpec;
import java.util.List;
import java.util.Map;

/**
 * The one property-collector filter every inventory read uses: start at a ContainerView, traverse
 * its {@code view} to the objects it holds (skipping the view itself), and fetch the given
 * properties of each type. One RetrievePropertiesEx then reads a whole inventory instead of one
 * call per object.
 */
public final class ContainerViews {
    private ContainerViews() {}

    /**
     * @param paths per managed object type (e.g. {@code "VirtualMachine"}), the property paths to fetch
     */
    public static PropertyFilterSpec filter(ManagedObjectReference view, Map<String, List<String>> paths) {
        TraversalSpec traverse = new TraversalSpec();
        traverse.setName("view");
        traverse.setType("ContainerView");
        traverse.setPath("view");
        traverse.setSkip(false);
        ObjectSpec objects = new ObjectSpec();
        objects.setObj(view);
        objects.setSkip(true);
        objects.getSelectSet().add(traverse);
        PropertyFilterSpec spec = new PropertyFilterSpec();
        spec.getObjectSet().add(objects);
        paths.forEach((type, p) -> {
            PropertySpec props = new PropertySpec();
            props.setType(type);
            props.getPathSet().addAll(p);
            spec.getPropSet().add(props);
        });
        return spec;
    }
}
