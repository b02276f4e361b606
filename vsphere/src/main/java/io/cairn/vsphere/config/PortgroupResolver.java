package io.cairn.vsphere.config;

import java.util.Optional;

/**
 * Finds the distributed portgroup a NIC of the new VM connects to. A stored
 * {@code VirtualEthernetCardDistributedVirtualPortBackingInfo} holds only the old switch uuid and
 * portgroup key (no name), and a new backing needs the target's switch uuid and portgroup key:
 * neither can be derived without the target's inventory, so the caller resolves them (through the
 * network map and {@code DistributedVirtualPortgroup} objects of the target vCenter).
 */
@FunctionalInterface
public interface PortgroupResolver {

    /** A distributed portgroup on the target. */
    record Portgroup(String switchUuid, String portgroupKey) {
        public Portgroup {
            if (switchUuid == null || portgroupKey == null) {
                throw new IllegalArgumentException("a distributed portgroup needs switchUuid and portgroupKey");
            }
        }
    }

    /** The target portgroup for the stored one, or empty when it cannot be mapped. */
    Optional<Portgroup> resolve(String storedSwitchUuid, String storedPortgroupKey);
}
