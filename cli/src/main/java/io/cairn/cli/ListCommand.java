package io.cairn.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cairn.repository.Repository;
import io.cairn.repository.format.Json;
import io.cairn.repository.manifest.Manifest;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "list", description = "List backups, oldest first.")
final class ListCommand implements Callable<Integer> {
    @Mixin
    RepoOptions repo;

    @Option(names = "--vm", paramLabel = "NAME", description = "Only backups of this VM.")
    String vm;

    @Option(names = "--json", description = "Machine-readable output.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Repository r = repo.open();
        Repository.Scan scan = r.scan();
        List<Repository.Listed> all = scan.readable().stream()
                .filter(l -> vm == null || vm.equals(l.manifest().vm().name()))
                .toList();
        if (json) {
            ArrayNode arr = Json.mapper().createArrayNode();
            for (Repository.Listed l : all) {
                Manifest m = l.manifest();
                ObjectNode o = arr.addObject();
                o.put("id", m.id());
                o.put("time", m.time());
                o.put("vm", m.vm().name());
                o.put("vmIdentity", m.vm().identity());
                if (m.vm().instanceUuid() != null) {
                    o.put("instanceUuid", m.vm().instanceUuid());
                }
                if (m.vm().vcenterUuid() != null) {
                    o.put("vcenterUuid", m.vm().vcenterUuid());
                }
                o.put("source", m.source());
                o.put("logicalBytes", m.logicalBytes());
                o.set("labels", Json.mapper().valueToTree(m.labels()));
                o.set("disks", Json.mapper().valueToTree(m.disks()));
                if (m.parent() != null) {
                    o.put("parent", m.parent());
                }
                if (!m.warnings().isEmpty()) {
                    o.set("warnings", Json.mapper().valueToTree(m.warnings()));
                }
            }
            System.out.println(Json.writeString(arr));
        } else {
            DateTimeFormatter f =
                    DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());
            System.out.printf("%-16s  %-19s  %-20s  %5s  %10s  %s%n", "ID", "TIME", "VM", "DISKS", "SIZE", "LABELS");
            for (Repository.Listed l : all) {
                Manifest m = l.manifest();
                String labels = m.labels().entrySet().stream()
                        .map(e -> e.getKey() + "=" + e.getValue())
                        .collect(Collectors.joining(","));
                System.out.printf(
                        "%-16s  %-19s  %-20s  %5d  %10s  %s%n",
                        m.id(),
                        f.format(m.instant()),
                        m.vm().name(),
                        m.disks().size(),
                        Durations.bytes(m.logicalBytes()),
                        labels);
                for (String w : m.warnings()) {
                    System.out.println("  warning: " + w);
                }
            }
            System.out.println(all.size() + " backup" + (all.size() == 1 ? "" : "s"));
        }
        for (Repository.Listed l : scan.unreadable()) {
            System.err.println("warning: backup " + l.ref().dir() + " cannot be read: "
                    + l.error().getMessage());
        }
        return scan.unreadable().isEmpty() ? Main.OK : Main.FAILED;
    }
}
