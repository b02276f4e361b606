package io.cairn.cli;

import io.cairn.repository.Repository;
import io.cairn.repository.backup.BackupRequest;
import io.cairn.repository.backup.BackupWriter;
import io.cairn.repository.backup.DiskSource;
import io.cairn.repository.backup.Extent;
import io.cairn.repository.backup.FileDiskSource;
import io.cairn.repository.error.RepositoryException;
import io.cairn.repository.index.DiskIndex;
import io.cairn.repository.manifest.Manifest;
import io.cairn.vixmntbridge.vddk.Transport;
import io.cairn.vixmntbridge.vddk.VddkLibrary;
import io.cairn.vixmntbridge.vmdk.VmdkDisks;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
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

    private Repository.Listed base(Repository r, String identity, String vmName) throws IOException {
        if (baseSpec != null) {
            Repository.Listed b = r.resolve(baseSpec);
            if (!identity.equals(b.manifest().vm().identity())) {
                throw new IllegalArgumentException("--base " + baseSpec + " is a backup of VM '"
                        + b.manifest().vm().name() + "', not of '" + vmName + "'");
            }
            return b;
        }
        return r.latestOf(identity);
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
        VmxFile vmx =
                path.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".vmx") ? VmxFile.read(path) : null;
        String vmName = name != null
                ? name
                : vmx != null ? vmx.displayName() : stem(path.getFileName().toString());
        if (vmName.isBlank()) {
            throw new IllegalArgumentException("the VM name is empty");
        }
        Map<String, String> labelMap = labelMap();
        List<Extent> changed = changedAreas == null ? null : readAreas(changedAreas);
        if (vmx != null) {
            if (changed != null) {
                throw new IllegalArgumentException("--changed-areas takes a single disk image, not a .vmx");
            }
            return backupVmx(path, vmx, vmName, labelMap);
        }
        Repository r = repo.open();
        String identity = UUID.nameUUIDFromBytes(("cairn:file-vm:" + vmName).getBytes(StandardCharsets.UTF_8))
                .toString();
        try (DiskSource src = openSource(path)) {
            DiskIndex base = null;
            String parent = null;
            if (changed != null) {
                Repository.Listed prev = base(r, identity, vmName);
                if (prev == null || prev.manifest().disks().size() != 1) {
                    throw new RepositoryException(
                            "--changed-areas needs an earlier backup of VM '" + vmName + "' with one disk");
                }
                base = r.readIndex(prev.ref(), prev.manifest().disks().get(0));
                parent = prev.ref().id();
            }
            BackupRequest req = new BackupRequest(
                    new Manifest.VmIdentity(identity, vmName, null, null),
                    "file:" + path.toAbsolutePath(),
                    labelMap,
                    null,
                    null,
                    List.of(new BackupRequest.DiskInput(src, base, changed, null)),
                    List.of(),
                    parent);
            write(r, req);
        }
        return Main.OK;
    }

    /**
     * A VDDK transport fails at once, in one line, when the VDDK is not installed; with it installed
     * the transport still needs a vCenter source, which file: sources are not.
     */
    void checkTransport() throws IOException {
        Transport t = java.util.Arrays.stream(Transport.values())
                .filter(x -> x.cliName().equals(transport))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException(
                        "--transport takes https, nbd, nbdssl, hotadd or san, not '" + transport + "'"));
        if (t.needsVddk()) {
            Path work = Files.createTempDirectory("cairn-vddk");
            try (VddkLibrary lib = VddkLibrary.load(vddk, t, work)) {
                // loaded: the VDDK is usable; the source decides below
            } finally {
                try (var files = Files.list(work)) {
                    for (Path f : (Iterable<Path>) files::iterator) {
                        Files.deleteIfExists(f);
                    }
                }
                Files.deleteIfExists(work);
            }
        }
        throw new IllegalArgumentException(
                "--transport " + transport + " reads disks from vCenter; a file: source is read directly");
    }

    /** Every disk of a .vmx, with the .vmx and NVRAM kept as the VM's configuration. */
    private int backupVmx(Path path, VmxFile vmx, String vmName, Map<String, String> labelMap) throws IOException {
        List<VmxFile.Disk> disks = vmx.disks();
        if (disks.isEmpty()) {
            throw new RepositoryException(path + " names no virtual disk (no present scsi/sata/nvme/ide VMDK)");
        }
        Repository r = repo.open();
        String uuid = vmx.uuid();
        String identity = uuid != null
                ? uuid
                : UUID.nameUUIDFromBytes(("cairn:file-vm:" + vmName).getBytes(StandardCharsets.UTF_8))
                        .toString();
        List<DiskSource> sources = new ArrayList<>();
        try {
            List<BackupRequest.DiskInput> inputs = new ArrayList<>();
            for (VmxFile.Disk d : disks) {
                DiskSource s = openSource(d.file());
                sources.add(s);
                inputs.add(BackupRequest.DiskInput.full(s));
            }
            List<BackupRequest.FileInput> files = new ArrayList<>();
            files.add(new BackupRequest.FileInput("vmx", path.getFileName().toString(), vmx.bytes()));
            Path nvram = vmx.nvram();
            if (nvram != null) {
                files.add(new BackupRequest.FileInput(
                        "nvram", nvram.getFileName().toString(), Files.readAllBytes(nvram)));
            }
            BackupRequest req = new BackupRequest(
                    new Manifest.VmIdentity(identity, vmName, uuid, null),
                    "file:" + path.toAbsolutePath(),
                    labelMap,
                    io.cairn.repository.format.Json.mapper().valueToTree(vmx.summary()),
                    null,
                    inputs,
                    files,
                    null);
            write(r, req);
            return Main.OK;
        } finally {
            for (DiskSource s : sources) {
                s.close();
            }
        }
    }

    /** Writes the backup and prints one summary line over all its disks. */
    private void write(Repository r, BackupRequest req) throws IOException {
        long t0 = System.nanoTime();
        BackupWriter.Result res =
                new BackupWriter(r, repo.threads(), TerminalProgress.forTerminal(), repo.lockWait()).write(req);
        double secs = Math.max((System.nanoTime() - t0) / 1e9, 1e-3);
        System.out.println(summary(res, secs));
    }

    /** The one line a finished backup prints: {@code backup <id> of <vm>: ...}. */
    static String summary(BackupWriter.Result res, double secs) {
        long cap = 0;
        long chunks = 0;
        long read = 0;
        long fresh = 0;
        long freshBytes = 0;
        long stored = 0;
        for (Manifest.DiskEntry d : res.manifest().disks()) {
            cap += d.capacity();
            chunks += d.stats().chunks();
            read += d.stats().readChunks();
            fresh += d.stats().newChunks();
            freshBytes += d.stats().newBytes();
            stored += d.stats().storedBytes();
        }
        int n = res.manifest().disks().size();
        return String.format(
                Locale.ROOT,
                "backup %s of %s: %s%s, %d of %d chunks read, %d new (%s, %s stored)%s, %.1f s, %s/s",
                res.ref().id(),
                res.manifest().vm().name(),
                n == 1 ? "" : n + " disks, ",
                Durations.bytes(cap) + (n == 1 ? " disk" : ""),
                read,
                chunks,
                fresh,
                Durations.bytes(freshBytes),
                Durations.bytes(stored),
                res.manifest().files().isEmpty()
                        ? ""
                        : ", " + res.manifest().files().size() + " configuration files",
                secs,
                Durations.bytes((long) (cap / secs)));
    }

    /** A .vmdk through the disk layer (any subformat, snapshot chains); anything else as a raw image. */
    private static DiskSource openSource(Path path) throws IOException {
        if (path.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".vmdk")) {
            if (!Files.isRegularFile(path)) {
                throw new RepositoryException("source " + path + " does not exist");
            }
            return new VirtualDiskSource(path.getFileName().toString(), VmdkDisks.open(path));
        }
        return FileDiskSource.open(path);
    }

    static String stem(String file) {
        int dot = file.lastIndexOf('.');
        return dot > 0 ? file.substring(0, dot) : file;
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
