package io.cairn.vsphere.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.vmware.vim25.VirtualController;
import com.vmware.vim25.VirtualDevice;
import com.vmware.vim25.VirtualDeviceFileBackingInfo;
import com.vmware.vim25.VirtualDisk;
import com.vmware.vim25.VirtualDiskRawDiskMappingVer1BackingInfo;
import com.vmware.vim25.VirtualEthernetCard;
import com.vmware.vim25.VirtualEthernetCardDistributedVirtualPortBackingInfo;
import com.vmware.vim25.VirtualEthernetCardNetworkBackingInfo;
import com.vmware.vim25.VirtualHardware;
import com.vmware.vim25.VirtualMachineConfigInfo;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The small JSON summary of a stored ConfigInfo that the backup manifest keeps next to the
 * verbatim XML ({@link ConfigInfoXml}): enough to list and choose backups without reading the XML.
 *
 * <p>Fields (persisted; add, never rename): {@code name}, {@code guestId}, {@code guestFullName},
 * {@code version}, {@code firmware}, {@code numCPU}, {@code numCoresPerSocket}, {@code memoryMB},
 * {@code instanceUuid}, {@code uuid} (the BIOS uuid), {@code keyId} ({@code {keyId, providerId}} or absent), {@code disks}
 * ([{@code key, label, controller ("VirtualLsiLogicController 0"), unitNumber, fileName,
 * capacityInBytes, rdm}, and as the backup writes them {@code backupDisk} (the manifest's disk key)
 * or {@code skipped} (why it was left out)]), {@code nics} ([{@code key, label, type, network, addressType,
 * macAddress}], and for a NIC on a distributed portgroup {@code portgroupKey}, {@code switchUuid}
 * and, when the source's networks were given, {@code portgroupName}). {@code network} is the
 * standard network's name, or the portgroup's name, or {@code "dvportgroup KEY"} when its name is
 * not known. {@code location} ({@link VmLocation}: the datacenter, folder, resource pool and host
 * the VM was in) is added by the backup. Absent values are left out.
 */
public final class ConfigSummary {

    private ConfigSummary() {}

    /** The summary without distributed portgroup names. */
    public static ObjectNode of(VirtualMachineConfigInfo info) {
        return of(info, null);
    }

    /**
     * The summary, with the names of the distributed portgroups the NICs are on looked up in
     * {@code source} (the networks of the VM's datacenter at backup; null when not read): a restore
     * to another vCenter finds the portgroup by that name ({@link #portgroupNames}).
     */
    public static ObjectNode of(VirtualMachineConfigInfo info, TargetNetworks source) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode o = f.objectNode();
        put(o, "name", info.getName());
        put(o, "guestId", info.getGuestId());
        put(o, "guestFullName", info.getGuestFullName());
        put(o, "version", info.getVersion());
        put(o, "firmware", info.getFirmware());
        VirtualHardware hw = info.getHardware();
        if (hw != null) {
            o.put("numCPU", hw.getNumCPU());
            if (hw.getNumCoresPerSocket() != null) {
                o.put("numCoresPerSocket", hw.getNumCoresPerSocket());
            }
            o.put("memoryMB", hw.getMemoryMB());
        }
        put(o, "instanceUuid", info.getInstanceUuid());
        put(o, "uuid", info.getUuid());
        if (info.getKeyId() != null) {
            ObjectNode k = o.putObject("keyId");
            put(k, "keyId", info.getKeyId().getKeyId());
            if (info.getKeyId().getProviderId() != null) {
                put(k, "providerId", info.getKeyId().getProviderId().getId());
            }
        }
        ArrayNode disks = o.putArray("disks");
        ArrayNode nics = o.putArray("nics");
        Map<Integer, VirtualDevice> byKey = new HashMap<>();
        if (hw != null) {
            hw.getDevice().forEach(d -> byKey.put(d.getKey(), d));
            for (VirtualDevice d : hw.getDevice()) {
                if (d instanceof VirtualDisk disk) {
                    ObjectNode n = disks.addObject();
                    n.put("key", disk.getKey());
                    put(n, "label", label(disk));
                    if (byKey.get(disk.getControllerKey()) instanceof VirtualController c) {
                        n.put("controller", c.getClass().getSimpleName() + " " + c.getBusNumber());
                    }
                    if (disk.getUnitNumber() != null) {
                        n.put("unitNumber", disk.getUnitNumber());
                    }
                    if (disk.getBacking() instanceof VirtualDeviceFileBackingInfo b) {
                        put(n, "fileName", b.getFileName());
                    }
                    n.put(
                            "capacityInBytes",
                            disk.getCapacityInBytes() != null
                                    ? disk.getCapacityInBytes()
                                    : disk.getCapacityInKB() * 1024L);
                    n.put("rdm", disk.getBacking() instanceof VirtualDiskRawDiskMappingVer1BackingInfo);
                } else if (d instanceof VirtualEthernetCard nic) {
                    ObjectNode n = nics.addObject();
                    n.put("key", nic.getKey());
                    put(n, "label", label(nic));
                    n.put("type", nic.getClass().getSimpleName());
                    if (nic.getBacking() instanceof VirtualEthernetCardNetworkBackingInfo b) {
                        put(n, "network", b.getDeviceName());
                    } else if (nic.getBacking() instanceof VirtualEthernetCardDistributedVirtualPortBackingInfo b
                            && b.getPort() != null) {
                        String key = b.getPort().getPortgroupKey();
                        String sw = b.getPort().getSwitchUuid();
                        String name = source == null || key == null || sw == null
                                ? null
                                : source.portgroupName(sw, key).orElse(null);
                        put(n, "network", name != null ? name : "dvportgroup " + key);
                        put(n, "portgroupKey", key);
                        put(n, "switchUuid", sw);
                        put(n, "portgroupName", name);
                    }
                    put(n, "addressType", nic.getAddressType());
                    put(n, "macAddress", nic.getMacAddress());
                }
            }
        }
        return o;
    }

    /**
     * The distributed portgroup names a summary recorded, by portgroup key (empty for a summary
     * written without them, or by an older cairn): what {@link RecreateOptions#withNetworks} takes.
     */
    public static Map<String, String> portgroupNames(JsonNode summary) {
        Map<String, String> out = new LinkedHashMap<>();
        if (summary != null && summary.get("nics") instanceof ArrayNode nics) {
            for (JsonNode n : nics) {
                JsonNode key = n.get("portgroupKey");
                JsonNode name = n.get("portgroupName");
                if (key != null && key.isTextual() && name != null && name.isTextual()) {
                    out.put(key.asText(), name.asText());
                }
            }
        }
        return out;
    }

    private static String label(VirtualDevice d) {
        return d.getDeviceInfo() == null ? null : d.getDeviceInfo().getLabel();
    }

    private static void put(ObjectNode o, String field, String value) {
        if (value != null) {
            o.put(field, value);
        }
    }

    /**
     * Records in a summary's {@code disks} which disk became which disk of the backup: the manifest's
     * disk key ({@code backupDisk}: {@code disk0}, …) of each disk backed up, and the reason
     * ({@code skipped}) of each one left out, by device key.
     */
    public static void recordBackupDisks(
            ObjectNode summary, Map<Integer, String> backupDiskByKey, Map<Integer, String> skippedByKey) {
        if (summary.get("disks") instanceof ArrayNode disks) {
            for (JsonNode n : disks) {
                if (n instanceof ObjectNode o
                        && n.get("key") != null
                        && n.get("key").canConvertToInt()) {
                    int key = n.get("key").asInt();
                    put(o, "backupDisk", backupDiskByKey.get(key));
                    put(o, "skipped", skippedByKey.get(key));
                }
            }
        }
    }

    /**
     * The device key of each backup disk by its manifest key ({@code disk0} → 2000), as
     * {@link #recordBackupDisks} recorded it; empty for a summary without it (a backup made before
     * disks could be skipped: its disks are the VM's in backup order).
     */
    public static Map<String, Integer> backupDisks(JsonNode summary) {
        Map<String, Integer> out = new LinkedHashMap<>();
        if (summary != null && summary.get("disks") instanceof ArrayNode disks) {
            for (JsonNode n : disks) {
                JsonNode b = n.get("backupDisk");
                JsonNode k = n.get("key");
                if (b != null && b.isTextual() && k != null && k.canConvertToInt()) {
                    out.put(b.asText(), k.asInt());
                }
            }
        }
        return out;
    }
}
