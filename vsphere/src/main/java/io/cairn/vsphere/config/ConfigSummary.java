package io.cairn.vsphere.config;

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
import java.util.Map;

/**
 * The small JSON summary of a stored ConfigInfo that the backup manifest keeps next to the
 * verbatim XML ({@link ConfigInfoXml}): enough to list and choose backups without reading the XML.
 *
 * <p>Fields (persisted; add, never rename): {@code name}, {@code guestId}, {@code guestFullName},
 * {@code version}, {@code firmware}, {@code numCPU}, {@code numCoresPerSocket}, {@code memoryMB},
 * {@code instanceUuid}, {@code keyId} ({@code {keyId, providerId}} or absent), {@code disks}
 * ([{@code key, label, controller ("VirtualLsiLogicController 0"), unitNumber, fileName,
 * capacityInBytes, rdm}]), {@code nics} ([{@code key, label, type, network, addressType,
 * macAddress}]). Absent values are left out.
 */
public final class ConfigSummary {

    private ConfigSummary() {}

    public static ObjectNode of(VirtualMachineConfigInfo info) {
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
                        put(n, "network", "dvportgroup " + b.getPort().getPortgroupKey());
                    }
                    put(n, "addressType", nic.getAddressType());
                    put(n, "macAddress", nic.getMacAddress());
                }
            }
        }
        return o;
    }

    private static String label(VirtualDevice d) {
        return d.getDeviceInfo() == null ? null : d.getDeviceInfo().getLabel();
    }

    private static void put(ObjectNode o, String field, String value) {
        if (value != null) {
            o.put(field, value);
        }
    }
}
