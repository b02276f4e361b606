package io.cairn.cli;

import io.cairn.operations.disk.Vddk;
import io.cairn.operations.job.Job;
import io.cairn.operations.restore.AsNewRestore;
import io.cairn.operations.restore.InPlaceRestore;
import io.cairn.operations.source.Transports;
import io.cairn.repository.Repository;
import io.cairn.vixmntbridge.vddk.Transport;
import io.cairn.vsphere.connect.VsphereConnection;
import io.cairn.vsphere.inventory.Inventory;
import io.cairn.vsphere.restore.VmRestore;
import java.io.Console;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@code cairn restore BACKUP --vc URL --as-new NAME | --in-place}: a backup back onto vSphere
 * ({@link AsNewRestore}, {@link InPlaceRestore}) as a job whose log goes to standard output.
 */
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
        Transport transport;
        try {
            transport = Transports.parse(cmd.transport);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--transport " + e.getMessage());
        }
        Repository r = cmd.repo.open();
        try (Vddk vddk = Vddk.at(cmd.vddk);
                VsphereConnection c = cmd.vc.connect()) {
            Job job = CliJob.start("restore", cmd.backup, System.out::println);
            if (cmd.inPlace) {
                InPlaceRestore.Result res = new InPlaceRestore(r, cmd.repo.threads(), cmd.repo.lockWait(), null)
                        .run(
                                c,
                                cmd.vc.credentials,
                                new InPlaceRestore.Request(cmd.backup, cmd.force, transport, vddk),
                                job);
                System.out.println(res.summary());
            } else {
                VmRestore.AsNew options = new VmRestore.AsNew(
                        cmd.asNew,
                        cmd.datastore,
                        cmd.datacenter,
                        cmd.folder,
                        cmd.pool,
                        cmd.host,
                        networks,
                        conflict(mode, c),
                        cmd.powerOn,
                        cmd.reencryptPolicy);
                AsNewRestore.Result res = new AsNewRestore(r, cmd.repo.threads(), cmd.repo.lockWait(), null)
                        .run(c, cmd.vc.credentials, cmd.backup, options, transport, vddk, job);
                System.out.println(res.summary());
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
