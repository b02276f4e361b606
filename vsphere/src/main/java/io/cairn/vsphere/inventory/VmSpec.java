package io.cairn.vsphere.inventory;

import com.vmware.vim25.VirtualMachinePowerState;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A VM selector in the notation of VMware Consolidated Backup's {@code vcbMounter -a} and
 * {@code vcbVmName -s}, which administrators know:
 *
 * <ul>
 *   <li>{@code name:NAME} — the display name, exactly; case-sensitive, as vCenter names are
 *       ("web01" and "WEB01" can be two VMs);
 *   <li>{@code uuid:UUID} — the BIOS UUID ({@code config.uuid}) or the vCenter instance UUID
 *       ({@code config.instanceUuid}); case-insensitive, dashes optional;
 *   <li>{@code moref:vm-123} or {@code moref:VirtualMachine:vm-123} — the managed object id; or
 *       {@code moref:[datastore] folder/vm.vmx} — the VM whose configuration file is that datastore
 *       path ({@code config.files.vmPathName}, as {@code vcbMounter} takes it): datastore name and
 *       path exact (VMFS names are case-sensitive), the space after {@code ]} optional;
 *   <li>{@code ipaddr:1.2.3.4} or {@code ipaddr:fe80::1} — an IP the guest reports (VMware Tools
 *       needed); or {@code ipaddr:web01.example.com} — a DNS name, resolved (A and AAAA records) each
 *       time the spec selects, so that it follows DNS changes: a VM matches when it reports any of
 *       the name's addresses, so a name with several addresses can select several VMs (each is
 *       listed, or backed up); a name that does not resolve is an error naming it;
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

    /** {@code [datastore] path/to/vm.vmx}; the datastore name may hold anything but brackets. */
    private static final Pattern VMX_PATH = Pattern.compile("\\[([^\\[\\]]+)\\] ?(\\S.*)");

    /** An IPv4 literal: four decimal octets (a DNS name never looks like this). */
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private final String text;
    private final Kind kind;
    /** Gives the predicate at each {@link #select}: a DNS name is resolved then, not at parse time. */
    private final Supplier<Predicate<VmInfo>> test;

    private VmSpec(String text, Kind kind, Predicate<VmInfo> test) {
        this(text, kind, () -> test);
    }

    private VmSpec(String text, Kind kind, Supplier<Predicate<VmInfo>> test) {
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
                if (value.startsWith("[")) {
                    String vmx = vmxPath(value, spec);
                    yield new VmSpec(spec, Kind.MOREF, v -> vmx.equals(normalisedVmxPath(v.vmPathName())));
                }
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
                if (isIpLiteral(value)) {
                    InetAddress ip = literal(value);
                    if (ip == null) {
                        throw new IllegalArgumentException(
                                "VM spec '" + spec + "': '" + value + "' is not an IP address");
                    }
                    yield new VmSpec(spec, Kind.IPADDR, v -> reports(v, Set.of(ip)));
                }
                if (!value.matches("[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?\\.?")) {
                    throw new IllegalArgumentException(
                            "VM spec '" + spec + "': '" + value + "' is neither an IP address nor a DNS name");
                }
                Supplier<Predicate<VmInfo>> byName = () -> {
                    Set<InetAddress> addresses = resolve(value, spec);
                    return v -> reports(v, addresses);
                };
                yield new VmSpec(spec, Kind.IPADDR, byName);
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

    /**
     * The VMs this spec selects, in the order given. A {@code moref:} datastore path compares with
     * each VM's {@link VmInfo#vmPathName()}; an {@code ipaddr:} DNS name is resolved now.
     *
     * @throws IllegalArgumentException when an {@code ipaddr:} DNS name does not resolve (named)
     */
    public List<VmInfo> select(List<VmInfo> vms) {
        return vms.stream().filter(test.get()).toList();
    }

    public Kind kind() {
        return kind;
    }

    /** The spec as given. */
    @Override
    public String toString() {
        return text;
    }

    /** {@code [ds] path.vmx} as {@code [ds] path.vmx} with exactly one space, or an error naming the spec. */
    private static String vmxPath(String value, String spec) {
        String n = normalisedVmxPath(value);
        if (n == null || !n.toLowerCase(Locale.ROOT).endsWith(".vmx")) {
            throw new IllegalArgumentException("VM spec '" + spec
                    + "': a datastore path must name a .vmx file, like 'moref:[datastore1] web01/web01.vmx'");
        }
        return n;
    }

    /** A datastore path with one space after the bracket; null when it is not one. */
    static String normalisedVmxPath(String p) {
        if (p == null) {
            return null;
        }
        Matcher m = VMX_PATH.matcher(p.strip());
        return m.matches() ? "[" + m.group(1) + "] " + m.group(2) : null;
    }

    /** Whether {@code s} is meant as an IP address: dotted quad, or IPv6 (a DNS name has no colon). */
    private static boolean isIpLiteral(String s) {
        return IPV4.matcher(s).matches() || s.indexOf(':') >= 0;
    }

    /**
     * The address an IP literal names, without a DNS lookup (null when {@code s} is none):
     * {@code InetAddress.getByName} only resolves names, and these never are names.
     */
    static InetAddress literal(String s) {
        if (s == null || !isIpLiteral(s)) {
            return null;
        }
        try {
            if (IPV4.matcher(s).matches()) {
                // by hand: getByName would send "999.1.1.1" to DNS as a host name
                String[] parts = s.split("\\.");
                byte[] b = new byte[4];
                for (int i = 0; i < 4; i++) {
                    int octet = Integer.parseInt(parts[i]);
                    if (octet > 255) {
                        return null;
                    }
                    b[i] = (byte) octet;
                }
                return InetAddress.getByAddress(b);
            }
            String bare = s.startsWith("[") && s.endsWith("]") ? s.substring(1, s.length() - 1) : s;
            int zone = bare.indexOf('%');
            // a colon makes getByName parse an IPv6 literal or fail, never look the text up
            return InetAddress.getByName(zone >= 0 ? bare.substring(0, zone) : bare);
        } catch (UnknownHostException | SecurityException e) {
            return null;
        }
    }

    /** Every address of a DNS name (A and AAAA), or an error naming the spec. */
    private static Set<InetAddress> resolve(String name, String spec) {
        try {
            return Set.of(InetAddress.getAllByName(name));
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("VM spec '" + spec + "': the DNS name " + name + " does not resolve");
        }
    }

    /** Whether the VM reports one of {@code addresses} (its primary IP or any guest NIC IP). */
    private static boolean reports(VmInfo v, Set<InetAddress> addresses) {
        Set<String> seen = new HashSet<>();
        if (v.ipAddress() != null) {
            seen.add(v.ipAddress());
        }
        seen.addAll(v.ipAddresses());
        for (String a : seen) {
            InetAddress ip = literal(a);
            if (ip != null && addresses.contains(ip)) {
                return true;
            }
        }
        return false;
    }

    private static String uuidKey(String u) {
        return u == null ? "" : u.replace("-", "").replace(" ", "").toLowerCase(Locale.ROOT);
    }
}
