package io.cairn.cli;

import io.cairn.operations.disk.Vddk;
import io.cairn.operations.job.Job;
import io.cairn.operations.restore.AsNewRestore;
import io.cairn.operations.restore.InPlaceRestore;
import io.cairn.operations.source.Transports;
import io.cairn.repository.Repository;
import io.cairn.vixmntbridge.vddk.Transport;
import io.cairn.vsphere.config.DiskFormat;
import io.cairn.vsphere.connect.VsphereConnection;
import io.cairn.vsphere.inventory.Inventory;
import io.cairn.vsphere.restore.VmRestore;
import java.io.Console;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@code cairn restore BACKUP --vc URL --as-new NAME | --original-location | --in-place}: a backup back onto vSphere
 * ({@link AsNewRestore}, {@link InPlaceRestore}) as a job whose log goes to standard output.
 */
final class VcRestore {
    private final RestoreCommand cmd;

    VcRestore(RestoreCommand cmd) {
        this.cmd = cmd;
    }

    int run() throws Exception {
        int modes = (cmd.asNew != null ? 1 : 0) + (cmd.inPlace ? 1 : 0) + (cmd.originalLocation ? 1 : 0);
        if (modes != 1) {
            throw new IllegalArgumentException(
                    "with --vc give one of --as-new NAME, --original-location or --in-place");
        }
        if (cmd.inPlace && (cmd.keepIdentity || !cmd.diskFormat.isEmpty() || !cmd.diskDatastore.isEmpty())) {
            throw new IllegalArgumentException(
                    "--keep-identity, --disk-format and --disk-datastore re-create a VM: they go with --as-new or"
                            + " --original-location, not --in-place");
        }
        if (cmd.quickRollback && !cmd.inPlace) {
            throw new IllegalArgumentException("--quick-rollback goes with --in-place");
        }
        DiskFormat allDisks = null;
        Map<String, DiskFormat> diskFormats = new LinkedHashMap<>();
        for (String f : cmd.diskFormat) {
            int eq = f.lastIndexOf('=');
            try {
                if (eq < 0) {
                    if (allDisks != null) {
                        throw new IllegalArgumentException("--disk-format FORMAT is given twice");
                    }
                    allDisks = DiskFormat.parse(f);
                } else if (diskFormats.put(f.substring(0, eq).strip(), DiskFormat.parse(f.substring(eq + 1))) != null) {
                    throw new IllegalArgumentException("--disk-format names disk '" + f.substring(0, eq) + "' twice");
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--disk-format: " + e.getMessage());
            }
        }
        Map<String, String> diskDatastores = new LinkedHashMap<>();
        for (String m : cmd.diskDatastore) {
            int eq = m.lastIndexOf('=');
            if (eq <= 0 || eq == m.length() - 1) {
                throw new IllegalArgumentException("--disk-datastore takes DISK=DS, not '" + m + "'");
            }
            if (diskDatastores.put(
                            m.substring(0, eq).strip(), m.substring(eq + 1).strip())
                    != null) {
                throw new IllegalArgumentException("--disk-datastore names disk '" + m.substring(0, eq) + "' twice");
            }
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
                                new InPlaceRestore.Request(cmd.backup, cmd.force, transport, vddk, cmd.quickRollback),
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
                                cmd.reencryptPolicy)
                        .withDisks(allDisks, diskFormats, diskDatastores)
                        .withKeepIdentity(cmd.keepIdentity);
                if (cmd.originalLocation) {
                    options = options.atOriginalLocation();
                }
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
        if (cmd.asNew == null) {
            // --original-location: the name comes from the backup; prompting would need it first
            throw new IllegalArgumentException(
                    "--on-conflict prompt goes with --as-new; with --original-location give overwrite, keep or abort");
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
