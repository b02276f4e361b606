package io.cairn.cli;

import io.cairn.operations.backup.VmBackup;
import io.cairn.operations.disk.VddkOpener;
import io.cairn.operations.job.Job;
import io.cairn.repository.Repository;
import io.cairn.repository.backup.BackupWriter;
import io.cairn.vixmntbridge.vddk.Transport;
import io.cairn.vsphere.connect.VsphereConnection;
import io.cairn.vsphere.connect.VsphereException;
import io.cairn.vsphere.inventory.Inventory;
import io.cairn.vsphere.inventory.VmInfo;
import io.cairn.vsphere.inventory.VmSpec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

/**
 * {@code cairn backup --vc URL --vm SPEC}: every VM the spec selects (templates excepted), up to
 * {@code --parallel} at once and {@code --per-host} per ESXi host, each as a {@link Job} whose log
 * goes to standard output. One summary line per VM; if any failed, one error line naming them.
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
        Transport transport = transport();
        if (cmd.parallel < 1 || cmd.perHost < 1) {
            throw new IllegalArgumentException("--parallel and --per-host take a number of at least 1");
        }
        Map<String, String> labels = cmd.labelMap();
        Repository repo = cmd.repo.open();
        try (VsphereConnection c = cmd.vc.connect();
                VddkOpener vddk =
                        transport == null ? null : VddkOpener.load(cmd.vddk, transport, c, cmd.vc.credentials)) {
            List<VmInfo> selected = new ArrayList<>();
            for (VmInfo v : spec.select(Inventory.vms(c))) {
                if (Boolean.TRUE.equals(v.template())) {
                    System.out.println("skipping template " + v.name());
                } else {
                    selected.add(v);
                }
            }
            if (selected.isEmpty()) {
                throw new VsphereException("no VM matches " + cmd.vm);
            }
            VmBackup.Options opts = new VmBackup.Options(
                    !cmd.noQuiesce, cmd.enableCbt, cmd.repo.threads(), cmd.repo.lockWait(), labels, vddk);
            Map<String, Semaphore> hosts = new HashMap<>();
            for (VmInfo v : selected) {
                hosts.computeIfAbsent(String.valueOf(v.host()), h -> new Semaphore(cmd.perHost));
            }
            ExecutorService pool = Executors.newFixedThreadPool(Math.min(cmd.parallel, selected.size()));
            List<Future<String>> results = new ArrayList<>();
            for (VmInfo v : selected) {
                results.add(pool.submit(() -> backupOne(c, repo, v, opts, hosts.get(String.valueOf(v.host())))));
            }
            pool.shutdown();
            List<String> failed = new ArrayList<>();
            for (int i = 0; i < results.size(); i++) {
                try {
                    System.out.println(results.get(i).get());
                } catch (java.util.concurrent.ExecutionException e) {
                    Throwable t = e.getCause();
                    failed.add(
                            selected.get(i).name() + ": " + (t.getMessage() == null ? t.toString() : t.getMessage()));
                }
            }
            if (!failed.isEmpty()) {
                throw new VsphereException(
                        selected.size() == 1
                                ? failed.get(0).substring(failed.get(0).indexOf(": ") + 2)
                                : failed.size() + " of " + selected.size() + " VM backups failed: "
                                        + String.join("; ", failed));
            }
        }
        return Main.OK;
    }

    private String backupOne(VsphereConnection c, Repository repo, VmInfo v, VmBackup.Options opts, Semaphore host)
            throws Exception {
        host.acquire();
        try {
            Job job = Job.create("backup", v.name());
            job.addListener(e -> {
                // the final line (summary or error) is printed once by run(), not here too
                boolean last = e.state() == Job.State.SUCCEEDED
                        || e.state() == Job.State.FAILED
                        || e.state() == Job.State.CANCELLED;
                if (e.message() != null && !e.message().equals("started") && !last) {
                    System.out.println(v.name() + ": " + e.message());
                }
            });
            job.start();
            long t0 = System.nanoTime();
            try {
                BackupWriter.Result res = new VmBackup(c, repo, opts, job).run(v);
                double secs = Math.max((System.nanoTime() - t0) / 1e9, 1e-3);
                String line = BackupCommand.summary(res, secs);
                job.succeed(line);
                return line;
            } catch (IOException | RuntimeException e) {
                job.fail(e);
                throw e;
            }
        } finally {
            host.release();
        }
    }

    /** null for https (the default); a VDDK transport otherwise. */
    private Transport transport() {
        if (cmd.transport == null || cmd.transport.equals("https")) {
            return null;
        }
        return java.util.Arrays.stream(Transport.values())
                .filter(x -> x.cliName().equals(cmd.transport) && x.needsVddk())
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException(
                        "--transport takes https, nbd, nbdssl, hotadd" + " or san, not '" + cmd.transport + "'"));
    }
}
