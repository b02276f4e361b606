package io.cairn.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cairn.repository.format.Json;
import io.cairn.vsphere.connect.VsphereConnection;
import io.cairn.vsphere.connect.VsphereException;
import io.cairn.vsphere.inventory.Inventory;
import io.cairn.vsphere.inventory.VmInfo;
import io.cairn.vsphere.inventory.VmSpec;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "vms",
        description = "List the VMs of a vCenter or ESXi host that a VM spec selects, after the server's API"
                + " version and the one cairn speaks with it.")
final class VmsCommand implements Callable<Integer> {
    @Mixin
    VcOptions vc;

    @Option(
            names = {"-s", "--spec"},
            paramLabel = "SPEC",
            required = true,
            description = "name:NAME, uuid:UUID, moref:vm-N or moref:[DS] PATH.vmx, ipaddr:IP or ipaddr:DNS-NAME,"
                    + " powerstate:on|off|suspended, any: or none:.")
    String spec;

    @Option(names = "--json", description = "Machine-readable output.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        VmSpec s = VmSpec.parse(spec);
        List<VmInfo> selected;
        String server;
        String note;
        try (VsphereConnection c = vc.connect()) {
            selected = s.select(Inventory.vms(c));
            server = c.serverName() + ": API " + c.apiVersion() + ", speaking " + c.negotiatedApiVersion();
            note = c.bindingLimit().orElse(null);
        }
        if (selected.isEmpty()) {
            throw new VsphereException("no VM matches " + spec);
        }
        if (json) {
            ArrayNode arr = Json.mapper().createArrayNode();
            for (VmInfo v : selected) {
                ObjectNode o = arr.addObject();
                o.put("name", v.name());
                o.put("moRef", v.moRef());
                o.put("instanceUuid", v.instanceUuid());
                o.put("biosUuid", v.biosUuid());
                o.put("ipAddress", v.ipAddress());
                o.set("ipAddresses", Json.mapper().valueToTree(v.ipAddresses()));
                o.put("powerState", v.power());
                if (v.template() != null) {
                    o.put("template", v.template());
                }
                o.put("host", v.host());
            }
            System.out.println(Json.writeString(arr));
        } else {
            System.out.println(server);
            if (note != null) {
                System.out.println("note: " + note);
            }
            String f = "%-24s  %-10s  %-36s  %-15s  %s%n";
            System.out.printf(f, "NAME", "MOREF", "INSTANCE UUID", "IP", "POWER");
            for (VmInfo v : selected) {
                System.out.printf(
                        f,
                        v.name(),
                        v.moRef(),
                        dash(v.instanceUuid()),
                        dash(v.ipAddress()),
                        v.power() == null ? "-" : v.power());
            }
            System.out.println(selected.size() + " VM" + (selected.size() == 1 ? "" : "s"));
        }
        return Main.OK;
    }

    private static String dash(String s) {
        return s == null ? "-" : s;
    }
}
