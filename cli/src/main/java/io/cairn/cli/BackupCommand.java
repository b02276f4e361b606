package io.cairn.cli;

import io.cairn.operations.backup.BackupResult;
import io.cairn.operations.backup.FileBackup;
import io.cairn.operations.disk.Vddk;
import io.cairn.operations.job.Job;
import io.cairn.operations.roots.SourceRoots;
import io.cairn.operations.source.FileVm;
import io.cairn.operations.source.Transports;
import io.cairn.repository.Repository;
import io.cairn.repository.backup.Extent;
import io.cairn.vixmntbridge.vddk.Transport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "backup", description = "Back up a VM's disks into the repository.")
final class BackupCommand implements Callable<Integer> {
    @Mixin
    RepoOptions repo;

    @Mixin
    VcOptions vc;

    @Option(
            names = "--vm",
            required = true,
            paramLabel = "SOURCE",
            description =
                    "What to back up: file:PATH (a .vmx with all its disks, a VMDK in any subformat, or a raw disk image),"
                            + " or with --vc a VM spec: name:NAME, uuid:UUID, moref:vm-N, ipaddr:IP, powerstate:on|off|suspended, any:.")
    String vm;

    @Option(
            names = "--enable-cbt",
            description =
                    "With --vc: turn on changed block tracking where it is off (later backups read only changes).")
    boolean enableCbt;

    @Option(
            names = "--no-quiesce",
            description = "With --vc: take crash-consistent snapshots (default: quiesced through VMware Tools).")
    boolean noQuiesce;

    @Option(
            names = "--parallel",
            paramLabel = "N",
            defaultValue = "2",
            description = "With --vc: VMs backed up at the same time (default: ${DEFAULT-VALUE}).")
    int parallel;

    @Option(
            names = "--per-host",
            paramLabel = "N",
            defaultValue = "2",
            description = "With --vc: at most N of them on one ESXi host (default: ${DEFAULT-VALUE}).")
    int perHost;

    @Option(names = "--name", paramLabel = "NAME", description = "VM name (default: the file name without extension).")
    String name;

    @Option(names = "--label", paramLabel = "K=V", description = "A label to keep with the backup (repeatable).")
    List<String> labels = new ArrayList<>();

    @Option(
            names = "--changed-areas",
            paramLabel = "FILE",
            description = "Incremental: a file of 'offset length' lines (bytes) that changed since the VM's latest "
                    + "backup; everything else is taken from that backup without reading it.")
    Path changedAreas;

    @Option(
            names = "--transport",
            paramLabel = "MODE",
            description =
                    "How vCenter disks are read: https (no VDDK needed), nbd, nbdssl, hotadd or san (VMware's VDDK).")
    String transport;

    @Option(
            names = "--vddk",
            paramLabel = "DIR",
            description = "Where VMware's VDDK is installed (else the VDDK_HOME environment variable).")
    Path vddk;

    @Option(
            names = "--base",
            paramLabel = "BACKUP",
            description = "With --changed-areas: the backup the areas are relative to (default: the VM's newest).")
    String baseSpec;

    Map<String, String> labelMap() {
        Map<String, String> labelMap = new LinkedHashMap<>();
        for (String l : labels) {
            int eq = l.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--label takes KEY=VALUE, not '" + l + "'");
            }
            labelMap.put(l.substring(0, eq), l.substring(eq + 1));
        }
        return labelMap;
    }

    @Override
    public Integer call() throws Exception {
        if (vc.vc != null) {
            return new VcBackup(this).run();
        }
        if (transport != null) {
            checkTransport();
        }
        if (baseSpec != null && changedAreas == null) {
            throw new IllegalArgumentException("--base goes with --changed-areas");
        }
        if (!vm.startsWith("file:")) {
            throw new IllegalArgumentException("--vm takes file:PATH, or a VM spec (name:, uuid:, moref:, ipaddr:,"
                    + " powerstate:, any:) together with --vc URL, not '" + vm + "'");
        }
        Path path = Path.of(vm.substring("file:".length()));
        if (name != null && name.isBlank()) {
            throw new IllegalArgumentException("the VM name is empty");
        }
        Map<String, String> labelMap = labelMap();
        List<Extent> changed = changedAreas == null ? null : readAreas(changedAreas);
        if (changed != null && FileVm.kindOf(path) == FileVm.Kind.VMX) {
            throw new IllegalArgumentException("--changed-areas takes a single disk image, not a .vmx");
        }
        Repository r = repo.open();
        Job job = CliJob.start("backup", vm);
        BackupResult res = new FileBackup(r, repo.threads(), repo.lockWait(), SourceRoots.unconfined())
                .run(new FileBackup.Request(path, name, labelMap, changed, baseSpec), job);
        job.succeed(res.summary());
        System.out.println(res.summary());
        return Main.OK;
    }

    /**
     * A VDDK transport fails at once, in one line, when the VDDK is not installed; with it installed
     * the transport still needs a vCenter source, which file: sources are not.
     */
    void checkTransport() throws IOException {
        Transport t;
        try {
            t = Transports.parse(transport);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--transport " + e.getMessage());
        }
        if (t.needsVddk()) {
            try (Vddk v = Vddk.at(vddk)) {
                v.library(t); // loaded: the VDDK is usable; the source decides below
            }
        }
        throw new IllegalArgumentException(
                "--transport " + transport + " reads disks from vCenter; a file: source is read directly");
    }

    private static List<Extent> readAreas(Path f) throws IOException {
        List<Extent> out = new ArrayList<>();
        int n = 0;
        for (String line : Files.readAllLines(f)) {
            n++;
            String t = line.trim();
            if (t.isEmpty() || t.startsWith("#")) {
                continue;
            }
            String[] p = t.split("\\s+");
            try {
                out.add(new Extent(Long.parseLong(p[0]), Long.parseLong(p[1])));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(
                        f + " line " + n + ": expected 'offset length' in bytes, got '" + t + "'");
            }
        }
        return out;
    }
}
