package io.cairn.vsphere.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Where a VM was in the inventory when it was backed up, as inventory paths (names below the root
 * folder joined by {@code /}, a {@code /} in a name escaped as {@code %2f} and {@code %} as
 * {@code %25}, as vSphere's {@code FindByInventoryPath} takes them): what a restore to the original
 * location puts it back into. Kept in the configuration summary as {@code location}
 * ({@link ConfigSummary}); its datastores are in the stored ConfigInfo itself
 * ({@code files.vmPathName}, each disk's {@code fileName}).
 *
 * @param datacenter e.g. {@code DC0}
 * @param folder its VM folder, e.g. {@code DC0/vm/web}
 * @param pool its resource pool, e.g. {@code DC0/host/DC0_C0/Resources}
 * @param host the host it ran on, e.g. {@code DC0/host/DC0_C0/DC0_C0_H0}; null when not known
 */
public record VmLocation(String datacenter, String folder, String pool, String host) {

    /** The field of the summary that holds it. */
    public static final String FIELD = "location";

    /** As JSON: the fields that are known. */
    public ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        put(o, "datacenter", datacenter);
        put(o, "folder", folder);
        put(o, "pool", pool);
        put(o, "host", host);
        return o;
    }

    /** The location a summary recorded, or null (a backup made before cairn recorded it, or not from vSphere). */
    public static VmLocation of(JsonNode summary) {
        JsonNode l = summary == null ? null : summary.get(FIELD);
        if (l == null || !l.isObject()) {
            return null;
        }
        VmLocation loc = new VmLocation(text(l, "datacenter"), text(l, "folder"), text(l, "pool"), text(l, "host"));
        return loc.datacenter() == null && loc.folder() == null && loc.pool() == null ? null : loc;
    }

    private static String text(JsonNode o, String field) {
        JsonNode v = o.get(field);
        return v != null && v.isTextual() && !v.asText().isBlank() ? v.asText() : null;
    }

    private static void put(ObjectNode o, String field, String value) {
        if (value != null) {
            o.put(field, value);
        }
    }
}
