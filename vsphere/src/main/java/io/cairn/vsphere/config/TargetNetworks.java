package io.cairn.vsphere.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The networks of one datacenter that a NIC can be connected to, by name: standard networks
 * (host portgroups, {@code Network} objects) and distributed portgroups
 * ({@code DistributedVirtualPortgroup}: name, key and the uuid of their switch). A NIC on a
 * distributed portgroup is connected with a {@code DistributedVirtualSwitchPortConnection} that
 * names the switch uuid and the portgroup key, and neither can be derived from a stored ConfigInfo,
 * which holds only the old switch's values: they come from here, found by the portgroup's name.
 * The inventory reads it ({@code io.cairn.vsphere.inventory.Networks}); tests build it by hand.
 * Immutable.
 */
public final class TargetNetworks {

    /** A network a NIC can be connected to. */
    public sealed interface Network permits Standard, Distributed {
        /** The name administrators see (the portgroup's name). */
        String name();
    }

    /** A standard network: a NIC names it by {@code deviceName}. */
    public record Standard(String name) implements Network {
        public Standard {
            if (name == null || name.isEmpty()) {
                throw new IllegalArgumentException("a network needs a name");
            }
        }
    }

    /** A distributed portgroup: a NIC names its switch by uuid and the portgroup by key. */
    public record Distributed(String name, String switchUuid, String portgroupKey) implements Network {
        public Distributed {
            if (name == null || name.isEmpty() || switchUuid == null || portgroupKey == null) {
                throw new IllegalArgumentException(
                        "a distributed portgroup needs a name, its switch's uuid and its key (" + name + ")");
            }
        }
    }

    private final List<Network> networks;

    private TargetNetworks(List<Network> networks) {
        this.networks = List.copyOf(networks);
    }

    /** The given networks (standard and distributed, in any order). */
    public static TargetNetworks of(List<? extends Network> networks) {
        return new TargetNetworks(new ArrayList<>(networks));
    }

    /** Every network, as given. */
    public List<Network> all() {
        return networks;
    }

    /**
     * The networks called {@code name} (exactly; vCenter names are case-sensitive): one normally,
     * none when the target lacks it, two when a standard network and a distributed portgroup share
     * the name (which the caller must refuse as ambiguous).
     */
    public List<Network> byName(String name) {
        return networks.stream().filter(n -> n.name().equals(name)).toList();
    }

    /**
     * The name of the distributed portgroup with key {@code portgroupKey} on the switch with uuid
     * {@code switchUuid}, when this is the datacenter the NIC's VM was backed up from.
     */
    public Optional<String> portgroupName(String switchUuid, String portgroupKey) {
        return networks.stream()
                .filter(n -> n instanceof Distributed d
                        && d.portgroupKey().equals(portgroupKey)
                        && d.switchUuid().equals(switchUuid))
                .map(Network::name)
                .findFirst();
    }

    /** The names, sorted, for messages ("the target has: ..."). */
    public String names() {
        List<String> n =
                new ArrayList<>(networks.stream().map(Network::name).distinct().toList());
        n.sort(null);
        return n.isEmpty() ? "none" : String.join(", ", n);
    }
}
