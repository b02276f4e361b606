package io.cairn.cli;

import io.cairn.operations.location.RepositoryLocation;
import io.cairn.operations.restore.FolderRestore;
import io.cairn.operations.roots.RestoreRoots;
import io.cairn.repository.Repository;
import io.cairn.repository.backup.Restorer;
import io.cairn.vixmntbridge.vmdk.VmdkWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "restore",
        description = "Restore a backup's disks (raw images) and configuration files into a directory.")
final class RestoreCommand implements Callable<Integer> {
    @Mixin
    RepoOptions repo;

    @Parameters(index = "0", paramLabel = "BACKUP", description = "A backup id (or unique prefix) or VMNAME@latest.")
    String backup;

    @Option(
            names = "--to",
            paramLabel = "DIR",
            description = "Directory to write the disks and files into (created if missing; not inside the repository"
                    + " or a web UI state directory; links below it are never followed).")
    Path to;

    @Option(
            names = "--on-conflict",
            paramLabel = "MODE",
            defaultValue = "abort",
            description = "When a target file (or, with --as-new, a VM of that name) exists: overwrite, keep, abort,"
                    + " or with --as-new prompt (default: ${DEFAULT-VALUE}).")
    String onConflict;

    @Mixin
    VcOptions vc;

    @Option(
            names = "--as-new",
            paramLabel = "NAME",
            description = "With --vc: re-create the VM under this name from its stored configuration.")
    String asNew;

    @Option(
            names = "--original-location",
            description = "With --vc: re-create the VM where the backup found it (its name, folder, resource pool,"
                    + " host and datastores, each unless given); refused while the VM it was still exists, unless"
                    + " --on-conflict overwrite.")
    boolean originalLocation;

    @Option(
            names = "--keep-identity",
            description = "With --as-new or --original-location: give the VM the backup's instanceUuid, BIOS uuid and"
                    + " MAC addresses (for a VM that is gone; refused while a VM with that identity exists).")
    boolean keepIdentity;

    @Option(
            names = "--disk-format",
            paramLabel = "FORMAT",
            description = "With --as-new or --original-location: provision the disks thin, thick or eagerzeroedthick"
                    + " (default: as the source); DISK=FORMAT for one disk (repeatable).")
    List<String> diskFormat = new java.util.ArrayList<>();

    @Option(
            names = "--disk-datastore",
            paramLabel = "DISK=DS",
            description = "With --as-new or --original-location: put one disk (scsi0:1, 'Hard disk 2' or its key)"
                    + " on datastore DS (repeatable).")
    List<String> diskDatastore = new java.util.ArrayList<>();

    @Option(
            names = "--in-place",
            description = "With --vc: write the disks back into the VM the backup was taken from.")
    boolean inPlace;

    @Option(names = "--force", description = "With --in-place: power the VM off if it is running.")
    boolean force;

    @Option(
            names = "--quick-rollback",
            description = "With --in-place and a VDDK transport: write back only what changed since the backup, as"
                    + " changed block tracking on the VM reports it.")
    boolean quickRollback;

    @Option(
            names = "--transport",
            paramLabel = "MODE",
            defaultValue = "https",
            description =
                    "With --vc (--as-new or --in-place): https (datastore files, no VDDK), or nbd, nbdssl, hotadd,"
                            + " san through VMware's VDDK (thin disks and local or VVol datastores go over nbdssl instead"
                            + " of san; a SAN restore takes a restore snapshot). Default: ${DEFAULT-VALUE}.")
    String transport;

    @Option(names = "--vddk", paramLabel = "DIR", description = "Where VMware's VDDK is installed (else VDDK_HOME).")
    Path vddk;

    @Option(
            names = "--datastore",
            paramLabel = "DS",
            description = "With --as-new: datastore for the VM and its disks.")
    String datastore;

    @Option(
            names = "--datacenter",
            paramLabel = "DC",
            description = "With --as-new: datacenter (default: the only one).")
    String datacenter;

    @Option(
            names = "--folder",
            paramLabel = "F",
            description = "With --as-new: VM folder (inventory path; default: the datacenter's).")
    String folder;

    @Option(names = "--pool", paramLabel = "RP", description = "With --as-new: resource pool (inventory path).")
    String pool;

    @Option(names = "--host", paramLabel = "H", description = "With --as-new: ESXi host (name or inventory path).")
    String host;

    @Option(
            names = "--network-map",
            paramLabel = "OLD=NEW",
            description = "With --as-new: connect NICs of network OLD to NEW (repeatable).")
    List<String> networkMap = new java.util.ArrayList<>();

    @Option(names = "--power-on", description = "With --as-new: power the VM on once restored.")
    boolean powerOn;

    @Option(
            names = "--reencrypt-policy",
            paramLabel = "POLICY-ID",
            description = "With --as-new, for an encrypted VM: encrypt it anew under this storage policy instead of"
                    + " with its own keys (its NVRAM, encrypted with the old key, is lost).")
    String reencryptPolicy;

    @Option(
            names = "--format",
            paramLabel = "FORMAT",
            defaultValue = "raw",
            description =
                    "Disk format: raw, vmdk-flat, vmdk-sparse, vmdk-stream or vmdk-2gbsparse (default: ${DEFAULT-VALUE}).")
    String format;

    @Override
    public Integer call() throws Exception {
        if (vc.vc != null) {
            return new VcRestore(this).run();
        }
        if (asNew != null || inPlace || originalLocation) {
            throw new IllegalArgumentException(
                    (asNew != null ? "--as-new" : inPlace ? "--in-place" : "--original-location")
                            + " restores to vSphere: give --vc URL");
        }
        if (to == null) {
            throw new IllegalArgumentException(
                    "Missing required option: '--to=DIR' (or --vc URL with --as-new NAME or --in-place)");
        }
        VmdkWriter.Format fmt = VmdkWriter.Format.fromCliName(format);
        Restorer.Conflict conflict;
        try {
            conflict = Restorer.Conflict.valueOf(onConflict.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "--on-conflict takes overwrite, keep or abort, not '" + onConflict + "'");
        }
        Repository r = repo.open();
        // the directory named is the user's own choice (links in it too); never the repository or
        // a web UI's state directory, and below it no link is followed, no file written through
        List<Path> forbidden = new java.util.ArrayList<>(List.of(
                Path.of("/var/lib/cairn"), Path.of(System.getProperty("user.home"), ".local", "state", "cairn")));
        if (repo.location() instanceof RepositoryLocation.Directory d) {
            forbidden.add(0, d.dir()); // a bucket is nowhere on this file system
        }
        RestoreRoots where = RestoreRoots.given(forbidden);
        FolderRestore.Result res = new FolderRestore(r, repo.threads(), repo.lockWait(), null, where)
                .run(new FolderRestore.Request(backup, to, fmt, conflict), CliJob.start("restore", backup));
        for (Restorer.Output o : res.outputs()) {
            System.out.println((o.skipped() ? "kept     " : "restored ") + o.path());
        }
        System.out.println(res.summary());
        return Main.OK;
    }
}
