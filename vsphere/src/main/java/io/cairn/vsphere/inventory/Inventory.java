package io.cairn.vsphere.inventory;

import com.vmware.vim25.ArrayOfGuestNicInfo;
import com.vmware.vim25.DynamicProperty;
import com.vmware.vim25.GuestNicInfo;
import com.vmware.vim25.ManagedObjectReference;
import com.vmware.vim25.ObjectContent;
import com.vmware.vim25.PropertyFilterSpec;
import com.vmware.vim25.RetrieveOptions;
import com.vmware.vim25.RetrieveResult;
import com.vmware.vim25.ServiceContent;
import com.vmware.vim25.VimPortType;
import com.vmware.vim25.VirtualMachinePowerState;
import io.cairn.vsphere.connect.ContainerViews;
import io.cairn.vsphere.connect.Faults;
import io.cairn.vsphere.connect.VsphereConnection;
import io.cairn.vsphere.connect.VsphereException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The VMs of a vCenter or ESXi host, read with the PropertyCollector: one RetrievePropertiesEx over
 * a ContainerView of the root folder (type VirtualMachine, recursive) for all the properties of
 * {@link VmInfo}, then ContinueRetrievePropertiesEx while the server returns a {@code token}
 * (vCenter pages large inventories; vcsim returns everything at once). Never property by property.
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
            "runtime.host");

    private Inventory() {}

    /** Every VM (templates included), sorted by name then moRef. */
    public static List<VmInfo> vms(VsphereConnection c) throws VsphereException {
        VimPortType port = c.port();
        ServiceContent sc = c.serviceContent();
        ManagedObjectReference view;
        try {
            view = port.createContainerView(sc.getViewManager(), sc.getRootFolder(), List.of("VirtualMachine"), true);
        } catch (Exception e) {
            throw Faults.translate("CreateContainerView", sc.getRootFolder(), e);
        }
        try {
            RetrieveResult first;
            try {
                first = port.retrievePropertiesEx(
                        sc.getPropertyCollector(), List.of(filter(view)), new RetrieveOptions());
            } catch (Exception e) {
                throw Faults.translate("RetrievePropertiesEx", view, e);
            }
            List<ObjectContent> all = retrieveAll(first, token -> {
                try {
                    return port.continueRetrievePropertiesEx(sc.getPropertyCollector(), token);
                } catch (Exception e) {
                    throw Faults.translate("ContinueRetrievePropertiesEx", view, e);
                }
            });
            List<VmInfo> vms = new ArrayList<>(all.size());
            for (ObjectContent oc : all) {
                vms.add(toVmInfo(oc));
            }
            vms.sort(Comparator.comparing(VmInfo::name, Comparator.nullsLast(Comparator.naturalOrder()))
                    .thenComparing(VmInfo::moRef));
            return vms;
        } finally {
            try {
                port.destroyView(view);
            } catch (Exception e) {
                // the view dies with the session; nothing else holds it
            }
        }
    }

    /** Fetches the next page of a paged retrieval. */
    @FunctionalInterface
    interface Continuation {
        RetrieveResult next(String token) throws VsphereException;
    }

    /** The objects of {@code first} and of every page its token chain leads to. */
    static List<ObjectContent> retrieveAll(RetrieveResult first, Continuation next) throws VsphereException {
        List<ObjectContent> out = new ArrayList<>();
        RetrieveResult page = first;
        Set<String> seen = new LinkedHashSet<>();
        while (page != null) {
            out.addAll(page.getObjects());
            String token = page.getToken();
            if (token == null || token.isEmpty()) {
                break;
            }
            if (!seen.add(token)) {
                throw new VsphereException(
                        "ContinueRetrievePropertiesEx failed: the server returned token " + token + " twice");
            }
            page = next.next(token);
        }
        return out;
    }

    static PropertyFilterSpec filter(ManagedObjectReference view) {
        return ContainerViews.filter(view, Map.of("VirtualMachine", PROPERTIES));
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
                default -> {}
            }
        }
        if (ip != null && !ips.contains(ip)) {
            ips.add(0, ip);
        }
        return new VmInfo(name, oc.getObj().getValue(), instanceUuid, biosUuid, ip, ips, power, template, host);
    }

    private static String emptyToNull(Object v) {
        return v instanceof String s && !s.isEmpty() ? s : null;
    }
}
