package io.cairn.vsphere.inventory;

import com.vmware.vim25.ManagedObjectReference;
import com.vmware.vim25.ObjectContent;
import com.vmware.vim25.RetrieveOptions;
import com.vmware.vim25.RetrieveResult;
import com.vmware.vim25.ServiceContent;
import com.vmware.vim25.VimPortType;
import io.cairn.vsphere.connect.ContainerViews;
import io.cairn.vsphere.connect.Faults;
import io.cairn.vsphere.connect.VsphereConnection;
import io.cairn.vsphere.connect.VsphereException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The one paged inventory read that {@link Inventory} and {@link InventoryNames} both use: a
 * ContainerView of the root folder (recursive) over the given types, one RetrievePropertiesEx for
 * their properties with {@code RetrieveOptions.maxObjects} as the page size, then
 * ContinueRetrievePropertiesEx while the server answers with a {@code token}. vCenter pages large
 * inventories this way (and may page below the size asked for); a reader that stops after the first
 * page silently loses the rest, so there is no other way to read the inventory in this module.
 */
final class InventoryPages {
    /**
     * Objects per page asked of the server: bounds one SOAP answer (a VM with its properties is a
     * few KiB) while a thousand-VM vCenter still answers in two round trips.
     */
    static final int DEFAULT_PAGE_SIZE = 500;

    /** More objects than any vCenter holds (its documented maximum is 45,000 registered VMs). */
    static final int MAX_OBJECTS = 1_000_000;

    private InventoryPages() {}

    /** Fetches the page a token stands for. */
    @FunctionalInterface
    interface Continuation {
        RetrieveResult next(String token) throws VsphereException;
    }

    /**
     * Every object of the given types in the inventory, with the given properties.
     *
     * @param properties per managed object type ({@code "VirtualMachine"}), the property paths to read
     * @param pageSize {@code maxObjects} for each page, at least 1
     * @throws VsphereException when a call fails, or the server repeats a token or sends more than
     *     {@link #MAX_OBJECTS} objects
     */
    static List<ObjectContent> read(VsphereConnection c, Map<String, List<String>> properties, int pageSize)
            throws VsphereException {
        return read(c, c.serviceContent().getRootFolder(), properties, pageSize);
    }

    /**
     * As {@link #read(VsphereConnection, Map, int)}, below {@code root} (a folder or a datacenter)
     * instead of the root folder.
     */
    static List<ObjectContent> read(
            VsphereConnection c, ManagedObjectReference root, Map<String, List<String>> properties, int pageSize)
            throws VsphereException {
        if (pageSize < 1) {
            throw new IllegalArgumentException("pageSize must be at least 1, not " + pageSize);
        }
        VimPortType port = c.port();
        ServiceContent sc = c.serviceContent();
        ManagedObjectReference view;
        try {
            view = port.createContainerView(sc.getViewManager(), root, List.copyOf(properties.keySet()), true);
        } catch (Exception e) {
            throw Faults.translate("CreateContainerView", root, e);
        }
        try {
            RetrieveOptions options = new RetrieveOptions();
            options.setMaxObjects(pageSize);
            RetrieveResult first;
            try {
                first = port.retrievePropertiesEx(
                        sc.getPropertyCollector(), List.of(ContainerViews.filter(view, properties)), options);
            } catch (Exception e) {
                throw Faults.translate("RetrievePropertiesEx", view, e);
            }
            return retrieveAll(
                    first,
                    token -> {
                        try {
                            return port.continueRetrievePropertiesEx(sc.getPropertyCollector(), token);
                        } catch (Exception e) {
                            throw Faults.translate("ContinueRetrievePropertiesEx", view, e);
                        }
                    },
                    MAX_OBJECTS);
        } finally {
            try {
                port.destroyView(view);
            } catch (Exception e) {
                // the view dies with the session; nothing else holds it
            }
        }
    }

    /**
     * The objects of {@code first} and of every page its token chain leads to, at most {@code max}.
     * A null result is empty (vSphere answers nothing at all when no object matches).
     */
    static List<ObjectContent> retrieveAll(RetrieveResult first, Continuation next, int max) throws VsphereException {
        List<ObjectContent> out = new ArrayList<>();
        RetrieveResult page = first;
        Set<String> seen = new HashSet<>();
        while (page != null) {
            out.addAll(page.getObjects());
            if (out.size() > max) {
                throw new VsphereException(
                        "RetrievePropertiesEx failed: the server sent more than " + max + " inventory objects");
            }
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
}
