package io.cairn.vsphere.datastore;

import com.vmware.vim25.DatastoreSummary;
import com.vmware.vim25.LocalDatastoreInfo;
import com.vmware.vim25.ManagedObjectReference;
import io.cairn.vsphere.connect.Props;
import io.cairn.vsphere.connect.VsphereConnection;
import io.cairn.vsphere.connect.VsphereException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What kind of datastore a disk lives on, as far as VixDiskLib's transports care: a host's
 * <b>local</b> datastore ({@code info} is a {@code LocalDatastoreInfo}: no LUN a proxy could see, so
 * VMware's rule is to ask for NBD/NBDSSL explicitly), and its file system {@code type}
 * ({@code summary.type}: {@code VMFS}, {@code NFS}, {@code NFS41}, {@code vsan}, {@code VVOL}, …; SAN
 * transport is not supported on VVol).
 *
 * <p>The host count of a datastore says nothing here (a local datastore of a one-host cluster and a
 * LUN mounted by one host look alike), so only the {@code info} type decides "local".
 */
public record DatastoreKind(String name, String type, boolean local) {

    /** Whether this is a VVol datastore. */
    public boolean vvol() {
        return "VVOL".equals(type == null ? null : type.toUpperCase(Locale.ROOT));
    }

    /**
     * The datastores a VM uses (its {@code datastore} property: every datastore holding one of its
     * files), by name.
     *
     * @param vmMoRef the VM ({@code vm-42})
     */
    public static Map<String, DatastoreKind> ofVm(VsphereConnection c, String vmMoRef) throws VsphereException {
        ManagedObjectReference vm = new ManagedObjectReference();
        vm.setType("VirtualMachine");
        vm.setValue(vmMoRef);
        Map<String, DatastoreKind> out = new LinkedHashMap<>();
        for (ManagedObjectReference ds : refs(Props.one(c, vm, "datastore"))) {
            Map<String, Object> p = Props.get(c, ds, "summary", "info");
            if (p.get("summary") instanceof DatastoreSummary s) {
                out.put(
                        s.getName(),
                        new DatastoreKind(s.getName(), s.getType(), p.get("info") instanceof LocalDatastoreInfo));
            }
        }
        return out;
    }

    /** A property holding moRefs: vim25 answers an {@code ArrayOfManagedObjectReference} or a list. */
    private static List<ManagedObjectReference> refs(Object v) {
        if (v instanceof com.vmware.vim25.ArrayOfManagedObjectReference a) {
            return a.getManagedObjectReference();
        }
        if (v instanceof List<?> l) {
            return l.stream()
                    .filter(ManagedObjectReference.class::isInstance)
                    .map(ManagedObjectReference.class::cast)
                    .toList();
        }
        return List.of();
    }
}
