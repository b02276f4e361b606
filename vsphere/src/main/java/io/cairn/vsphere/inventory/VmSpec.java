package io.cairn.vsphere.inventory;

import com.vmware.vim25.VirtualMachinePowerState;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * A VM selector in the notation of VMware Consolidated Backup's {@code vcbMounter -a} and
 * {@code vcbVmName -s}, which administrators know:
 *
 * <ul>
 *   <li>{@code name:NAME} — the display name, exactly; case-sensitive, as vCenter names are
 *       ("web01" and "WEB01" can be two VMs);
 *   <li>{@code uuid:UUID} — the BIOS UUID ({@code config.uuid}) or the vCenter instance UUID
 *       ({@code config.instanceUuid}); case-insensitive, dashes optional;
 *   <li>{@code moref:vm-123} or {@code moref:VirtualMachine:vm-123} — the managed object id;
 *   <li>{@code ipaddr:1.2.3.4} — an IP the guest reports (VMware Tools needed);
 *   <li>{@code powerstate:on|off|suspended};
 *   <li>{@code any:} — every VM; {@code none:} — none.
 * </ul>
 *
 * A string without one of these prefixes is refused: a bare name could be mistaken for another kind.
 */
public final class VmSpec {
    /** The kinds of selector, by prefix. */
    public enum Kind {
        NAME,
        UUID,
        MOREF,
        IPADDR,
        POWERSTATE,
        ANY,
        NONE
    }

    private static final String PREFIXES = "name:, uuid:, moref:, ipaddr:, powerstate:on|off|suspended, any:, none:";

    private final String text;
    private final Kind kind;
    private final Predicate<VmInfo> test;

    private VmSpec(String text, Kind kind, Predicate<VmInfo> test) {
        this.text = text;
        this.kind = kind;
        this.test = test;
    }

    /**
     * Parses a selector.
     *
     * @throws IllegalArgumentException with a message listing the prefixes when {@code spec} has none,
     *     or naming the problem when its value is malformed
     */
    public static VmSpec parse(String spec) {
        int colon = spec == null ? -1 : spec.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("VM spec '" + spec + "' has no prefix: use one of " + PREFIXES);
        }
        String prefix = spec.substring(0, colon).toLowerCase(Locale.ROOT);
        String value = spec.substring(colon + 1);
        switch (prefix) {
            case "any":
            case "none":
                if (!value.isEmpty()) {
                    throw new IllegalArgumentException("VM spec '" + spec + "': " + prefix + ": takes no value");
                }
                return prefix.equals("any")
                        ? new VmSpec(spec, Kind.ANY, v -> true)
                        : new VmSpec(spec, Kind.NONE, v -> false);
            default:
                break;
        }
        if (value.isEmpty()) {
            throw new IllegalArgumentException("VM spec '" + spec + "' has an empty value");
        }
        return switch (prefix) {
            case "name" -> new VmSpec(spec, Kind.NAME, v -> value.equals(v.name()));
            case "uuid" -> {
                String u = uuidKey(value);
                if (!u.matches("[0-9a-f]+")) {
                    throw new IllegalArgumentException("VM spec '" + spec + "': '" + value + "' is not a UUID");
                }
                yield new VmSpec(
                        spec, Kind.UUID, v -> u.equals(uuidKey(v.biosUuid())) || u.equals(uuidKey(v.instanceUuid())));
            }
            case "moref" -> {
                String id = value;
                int c = value.indexOf(':');
                if (c >= 0) {
                    if (!value.substring(0, c).equals("VirtualMachine")) {
                        throw new IllegalArgumentException("VM spec '" + spec + "': a moref of type "
                                + value.substring(0, c) + " is not a VM (moref:vm-123 or moref:VirtualMachine:vm-123)");
                    }
                    id = value.substring(c + 1);
                }
                String moRef = id;
                yield new VmSpec(spec, Kind.MOREF, v -> moRef.equals(v.moRef()));
            }
            case "ipaddr" -> {
                String ip = value.toLowerCase(Locale.ROOT); // IPv6 hex digits in either case
                yield new VmSpec(
                        spec,
                        Kind.IPADDR,
                        v -> ip.equalsIgnoreCase(String.valueOf(v.ipAddress()))
                                || v.ipAddresses().stream().anyMatch(ip::equalsIgnoreCase));
            }
            case "powerstate" -> {
                VirtualMachinePowerState p = switch (value.toLowerCase(Locale.ROOT)) {
                    case "on", "poweredon" -> VirtualMachinePowerState.POWERED_ON;
                    case "off", "poweredoff" -> VirtualMachinePowerState.POWERED_OFF;
                    case "suspended" -> VirtualMachinePowerState.SUSPENDED;
                    default ->
                        throw new IllegalArgumentException(
                                "VM spec '" + spec + "': power state must be on, off or suspended");
                };
                yield new VmSpec(spec, Kind.POWERSTATE, v -> v.powerState() == p);
            }
            default ->
                throw new IllegalArgumentException(
                        "VM spec '" + spec + "' has an unknown prefix '" + prefix + ":': use one of " + PREFIXES);
        };
    }

    /** The VMs this spec selects, in the order given. */
    public List<VmInfo> select(List<VmInfo> vms) {
        return vms.stream().filter(test).toList();
    }

    public Kind kind() {
        return kind;
    }

    /** The spec as given. */
    @Override
    public String toString() {
        return text;
    }

    private static String uuidKey(String u) {
        return u == null ? "" : u.replace("-", "").replace(" ", "").toLowerCase(Locale.ROOT);
    }
}
