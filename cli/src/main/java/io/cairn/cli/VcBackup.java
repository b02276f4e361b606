package io.cairn.cli;

import io.cairn.operations.backup.VcenterBackup;
import io.cairn.operations.disk.Vddk;
import io.cairn.operations.job.Job;
import io.cairn.operations.source.Transports;
import io.cairn.repository.Repository;
import io.cairn.vixmntbridge.vddk.Transport;
import io.cairn.vsphere.connect.VsphereConnection;
import io.cairn.vsphere.connect.VsphereException;
import io.cairn.vsphere.inventory.VmInfo;
import io.cairn.vsphere.inventory.VmSpec;
import java.time.ZoneId;

/**
 * {@code cairn backup --vc URL --vm SPEC}: every VM the spec selects (templates excepted), up to
 * {@code --parallel} at once and {@code --per-host} per ESXi host ({@link VcenterBackup}), each as a
 * job whose log goes to standard output. One summary line per VM; if any failed, one error line
 * naming them.
 */
final class VcBackup {
    private final BackupCommand cmd;

    VcBackup(BackupCommand cmd) {
        this.cmd = cmd;
    }

    int run() throws Exception {
        VmSpec spec = VmSpec.parse(cmd.vm);
        if (cmd.name != null) {
            throw new IllegalArgumentException("--name is for file: sources; a vCenter VM keeps its own name");
        }
        if (cmd.changedAreas != null) {
            throw new IllegalArgumentException(
                    "--changed-areas is for file: sources; vCenter backups use changed block tracking");
        }
        Transport transport;
        try {
            transport = cmd.transport == null ? Transport.HTTPS : Transports.parse(cmd.transport);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--transport " + e.getMessage());
        }
        if (cmd.parallel < 1 || cmd.perHost < 1) {
            throw new IllegalArgumentException("--parallel and --per-host take a number of at least 1");
        }
        Repository repo = cmd.repo.open();
        VcenterBackup.Result result;
        try (Vddk vddk = Vddk.at(cmd.vddk);
                VsphereConnection c = cmd.vc.connect()) {
            VcenterBackup.Request request = new VcenterBackup.Request(
                    spec,
                    !cmd.noQuiesce,
                    cmd.enableCbt,
                    cmd.labelMap(),
                    transport,
                    vddk,
                    cmd.parallel,
                    cmd.perHost,
                    null,
                    null);
            result = new VcenterBackup(repo, cmd.repo.threads(), cmd.repo.lockWait(), ZoneId.systemDefault())
                    .run(c, cmd.vc.credentials, request, new VcenterBackup.Listener() {
                        @Override
                        public void note(String line) {
                            System.out.println(line);
                        }

                        @Override
                        public Job jobFor(int index, int count, VmInfo vm) {
                            return CliJob.start(
                                    "backup", vm.name(), line -> System.out.println(vm.name() + ": " + line));
                        }

                        @Override
                        public void done(VcenterBackup.VmOutcome o) {
                            if (o.ok()) {
                                System.out.println(o.line());
                            }
                        }
                    });
        }
        if (!result.failed().isEmpty()) {
            throw new VsphereException(
                    result.vms().size() == 1 ? result.failed().get(0).error() : result.failure());
        }
        return Main.OK;
    }
}
