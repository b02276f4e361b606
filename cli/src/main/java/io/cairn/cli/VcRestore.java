package io.cairn.cli;

import io.cairn.operations.disk.VddkDiskWriter;
import io.cairn.operations.job.Job;
import io.cairn.operations.restore.VsphereRestore;
import io.cairn.repository.Repository;
import io.cairn.repository.lock.Lock;
import io.cairn.vsphere.connect.VsphereConnection;
import io.cairn.vsphere.inventory.Inventory;
import io.cairn.vsphere.restore.VmRestore;
import java.io.Console;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** {@code cairn restore BACKUP --vc URL --as-new NAME | --in-place}: a backup back onto vSphere, as a job. */
final class VcRestore {
    private final RestoreCommand cmd;

    VcRestore(RestoreCommand cmd) {
        this.cmd = cmd;
    }

    int run() throws Exception {
        if ((cmd.asNew == null) == !cmd.inPlace) {
            throw new IllegalArgumentException("with --vc give either --as-new NAME or --in-place");
        }
        if (cmd.to != null) {
            throw new IllegalArgumentException("--to writes files; with --vc the backup goes to vSphere");
        }
        Map<String, String> networks = new LinkedHashMap<>();
        for (String m : cmd.networkMap) {
            int eq = m.indexOf('=');
            if (eq <= 0 || eq == m.length() - 1) {
                throw new IllegalArgumentException("--network-map takes OLD=NEW, not '" + m + "'");
            }
            networks.put(m.substring(0, eq), m.substring(eq + 1));
        }
        String mode = cmd.onConflict.toLowerCase(Locale.ROOT);
        if (!mode.matches("abort|keep|overwrite|prompt")) {
            throw new IllegalArgumentException(
                    "--on-conflict takes prompt, overwrite, keep or abort, not '" + cmd.onConflict + "'");
        }
        io.cairn.vixmntbridge.vddk.Transport transport = null;
        if (!"https".equals(cmd.transport)) {
            transport = java.util.Arrays.stream(io.cairn.vixmntbridge.vddk.Transport.values())
                    .filter(t -> t.cliName().equals(cmd.transport) && t.needsVddk())
                    .findFirst()
                    .orElseThrow(() -> new IllegalArgumentException(
                            "--transport takes https, nbd, nbdssl, hotadd or san, not '" + cmd.transport + "'"));
            if (!cmd.inPlace) {
                throw new IllegalArgumentException(
                        "--transport " + cmd.transport + " applies to --in-place; --as-new writes over https");
            }
        }
        Repository r = cmd.repo.open();
        try (Lock lock = r.locks().acquireForReading("restore", cmd.repo.lockWait());
                VsphereConnection c = cmd.vc.connect()) {
            Repository.Listed b = r.resolve(cmd.backup);
            Job job = Job.create("restore", b.manifest().vm().name());
            job.addListener(e -> {
                if (e.message() != null && !e.message().equals("started")) {
                    System.out.println(e.message());
                }
            });
            job.start();
            long t0 = System.nanoTime();
            VsphereRestore restore = new VsphereRestore(c, r, cmd.repo.threads(), job);
            try {
                if (cmd.inPlace) {
                    try (VddkDiskWriter w = transport == null
                            ? null
                            : VddkDiskWriter.load(cmd.vddk, transport, c, cmd.vc.credentials)) {
                        restore.inPlace(b, cmd.force, w);
                    }
                    job.succeed(String.format(
                            Locale.ROOT,
                            "restored %s into %s in %.1f s",
                            b.ref().id(),
                            b.manifest().vm().name(),
                            (System.nanoTime() - t0) / 1e9));
                } else {
                    VmRestore.Conflict conflict = conflict(mode, c);
                    var vm = restore.asNew(
                            b,
                            new VmRestore.AsNew(
                                    cmd.asNew,
                                    cmd.datastore,
                                    cmd.datacenter,
                                    cmd.folder,
                                    cmd.pool,
                                    cmd.host,
                                    networks,
                                    conflict,
                                    cmd.powerOn,
                                    cmd.reencryptPolicy));
                    job.succeed(String.format(
                            Locale.ROOT,
                            "restored %s as %s (%s) in %.1f s",
                            b.ref().id(),
                            cmd.asNew,
                            vm,
                            (System.nanoTime() - t0) / 1e9));
                }
            } catch (Exception e) {
                job.fail(e);
                throw e;
            }
        }
        return Main.OK;
    }

    /** prompt asks on the terminal, and only when the name is taken. */
    private VmRestore.Conflict conflict(String mode, VsphereConnection c) throws Exception {
        if (!mode.equals("prompt")) {
            return VmRestore.Conflict.valueOf(mode.toUpperCase(Locale.ROOT));
        }
        boolean taken = Inventory.vms(c).stream().anyMatch(v -> v.name().equals(cmd.asNew));
        if (!taken) {
            return VmRestore.Conflict.ABORT;
        }
        Console console = System.console();
        if (console == null) {
            throw new IllegalArgumentException(
                    "a VM named " + cmd.asNew + " exists and --on-conflict prompt needs a terminal;"
                            + " give --on-conflict overwrite, keep or abort");
        }
        String a = console.readLine("A VM named %s exists. Replace it (destroying it)? [y/N] ", cmd.asNew);
        return a != null && a.trim().toLowerCase(Locale.ROOT).startsWith("y")
                ? VmRestore.Conflict.OVERWRITE
                : VmRestore.Conflict.ABORT;
    }
}
