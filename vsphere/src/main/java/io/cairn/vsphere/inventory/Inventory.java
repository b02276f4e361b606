package io.cairn.vsphere.inventory;

import com.vmware.vim25.ArrayOfGuestNicInfo;
import com.vmware.vim25.DynamicProperty;
import com.vmware.vim25.GuestNicInfo;
import com.vmware.vim25.ManagedObjectReference;
import com.vmware.vim25.ObjectContent;
import com.vmware.vim25.VirtualMachinePowerState;
import io.cairn.vsphere.connect.VsphereConnection;
import io.cairn.vsphere.connect.VsphereException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The VMs of a vCenter or ESXi host, read with the PropertyCollector through {@link InventoryPages}:
 * a ContainerView of the root folder (type VirtualMachine, recursive) for all the properties of
 * {@link VmInfo}, page after page (RetrievePropertiesEx, then ContinueRetrievePropertiesEx while the
 * server returns a {@code token}). Never property by property.
 */
public final class Inventory {
    /** The properties read for each VM; missing ones (a template's guest IP, say) come back in missingSet. */
    static final List<String> PROPERTIES = List.of(
            "name",
            "config.instanceUuid",
            "config.uuid",
            "config.template",
            "guest.ipAddress",
            "guest.net",
            "runtime.powerState",
            "runtime.host",
            "config.files.vmPathName");

    private Inventory() {}

    /** Every VM (templates included), sorted by name then moRef. */
    public static List<VmInfo> vms(VsphereConnection c) throws VsphereException {
        return vms(c, InventoryPages.DEFAULT_PAGE_SIZE);
    }

    /** {@link #vms(VsphereConnection)} read in pages of {@code pageSize} VMs. */
    static List<VmInfo> vms(VsphereConnection c, int pageSize) throws VsphereException {
        List<ObjectContent> all = InventoryPages.read(c, Map.of("VirtualMachine", PROPERTIES), pageSize);
        List<VmInfo> vms = new ArrayList<>(all.size());
        for (ObjectContent oc : all) {
            vms.add(toVmInfo(oc));
        }
        vms.sort(Comparator.comparing(VmInfo::name, Comparator.nullsLast(Comparator.naturalOrder()))
                .thenComparing(VmInfo::moRef));
        return vms;
    }

    static VmInfo toVmInfo(ObjectContent oc) {
        String name = null;
        String instanceUuid = null;
        String biosUuid = null;
        String ip = null;
        List<String> ips = new ArrayList<>();
        VirtualMachinePowerState power = null;
        Boolean template = null;
        String host = null;
        String vmPathName = null;
        for (DynamicProperty dp : oc.getPropSet()) {
            Object v = dp.getVal();
            switch (dp.getName()) {
                case "name" -> name = v instanceof String s ? s : null;
                case "config.instanceUuid" -> instanceUuid = emptyToNull(v);
                case "config.uuid" -> biosUuid = emptyToNull(v);
                case "config.template" -> template = v instanceof Boolean b ? b : null;
                case "guest.ipAddress" -> ip = emptyToNull(v);
                case "guest.net" -> {
                    if (v instanceof ArrayOfGuestNicInfo nics) {
                        for (GuestNicInfo nic : nics.getGuestNicInfo()) {
                            for (String a : nic.getIpAddress()) {
                                if (a != null && !a.isEmpty() && !ips.contains(a)) {
                                    ips.add(a);
                                }
                            }
                        }
                    }
                }
                case "runtime.powerState" -> power = v instanceof VirtualMachinePowerState p ? p : null;
                case "runtime.host" -> host = v instanceof ManagedObjectReference r ? r.getValue() : null;
                case "config.files.vmPathName" -> vmPathName = emptyToNull(v);
                default -> {}
            }
        }
        if (ip != null && !ips.contains(ip)) {
            ips.add(0, ip);
        }
        return new VmInfo(
                name, oc.getObj().getValue(), instanceUuid, biosUuid, ip, ips, power, template, host, vmPathName);
    }

    private static String emptyToNull(Object v) {
        return v instanceof String s && !s.isEmpty() ? s : null;
    }
}
