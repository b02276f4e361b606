package io.cairn.operations.backup;

import io.cairn.operations.disk.DiskOpener;
import io.cairn.operations.disk.Vddk;
import io.cairn.operations.disk.VddkOpener;
import io.cairn.operations.job.Job;
import io.cairn.operations.maintenance.Prune;
import io.cairn.repository.Repository;
import io.cairn.repository.maintenance.RetentionPolicy;
import io.cairn.vixmntbridge.vddk.Transport;
import io.cairn.vsphere.connect.Credentials;
import io.cairn.vsphere.connect.VsphereConnection;
import io.cairn.vsphere.connect.VsphereException;
import io.cairn.vsphere.inventory.Inventory;
import io.cairn.vsphere.inventory.VmInfo;
import io.cairn.vsphere.inventory.VmSpec;
import java.io.IOException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

/**
 * Backs up every VM a {@link VmSpec} selects on a vCenter or ESXi host (templates skipped), as
 * {@code cairn backup --vc URL --vm SPEC} and the scheduler's vCenter sources do: up to
 * {@code parallel} VMs at once and {@code perHost} on one ESXi host, each through {@link VmBackup}
 * over https or a VDDK transport, then, when asked, the retention rules over that VM's backups.
 *
 * <p>A VM that fails does not stop the others: it is reported in the {@link Result} (and retention is
 * applied only to the VMs whose backup succeeded, so a failing VM never loses its older backups).
 * A cancelled job stops the run.
 */
public final class VcenterBackup {

    /**
     * What to back up and how.
     *
     * @param spec which VMs, looked up now
     * @param quiesce quiesce the guests (crash-consistent where they cannot be)
     * @param enableCbt turn changed block tracking on where it is off
     * @param labels kept with each backup
     * @param transport how disks are read: {@link Transport#HTTPS} needs nothing, the others VMware's VDDK
     * @param vddk the process's VDDK ({@link Vddk}, kept open by the caller), or null: then one is
     *     loaded from {@code VDDK_HOME} for this run and closed after it
     * @param parallel VMs backed up at the same time (at least 1)
     * @param perHost at most this many of them on one ESXi host (at least 1)
     * @param retention applied to each VM's backups after its backup succeeded, or null
     * @param server how messages name the server ("no VM matches name:x on lab-vc"), or null
     */
    public record Request(
            VmSpec spec,
            boolean quiesce,
            boolean enableCbt,
            Map<String, String> labels,
            Transport transport,
            Vddk vddk,
            int parallel,
            int perHost,
            RetentionPolicy retention,
            String server) {
        public Request {
            Objects.requireNonNull(spec, "spec");
            labels = labels == null ? Map.of() : Map.copyOf(labels);
            transport = transport == null ? Transport.HTTPS : transport;
            if (parallel < 1 || perHost < 1) {
                throw new IllegalArgumentException("parallel and per-host take a number of at least 1");
            }
        }
    }

    /**
     * How one VM's backup ended.
     *
     * @param backup the backup, or null when it failed
     * @param retention what the retention rules did afterwards, or null
     * @param error the failure's one line, or null when it succeeded
     */
    public record VmOutcome(VmInfo vm, BackupResult backup, String retention, String error) {
        public boolean ok() {
            return error == null;
        }

        /** The backup's summary (with the retention's), or {@code vm: error}. */
        public String line() {
            return ok() ? backup.summary() + (retention == null ? "" : ", " + retention) : vm.name() + ": " + error;
        }
    }

    /** Every selected VM's outcome, in selection order. */
    public record Result(VmSpec spec, List<VmOutcome> vms) {
        public Result {
            vms = List.copyOf(vms);
        }

        public List<VmOutcome> failed() {
            return vms.stream().filter(o -> !o.ok()).toList();
        }

        /** The successful VMs' lines, joined. */
        public String summary() {
            return String.join(
                    "; ",
                    vms.stream().filter(VmOutcome::ok).map(VmOutcome::line).toList());
        }

        /**
         * Null when every VM's backup succeeded, else one line: {@code 2 of 5 VM backups failed: db01:
         * …; db02: … (backed up: …)}.
         */
        public String failure() {
            List<VmOutcome> failed = failed();
            if (failed.isEmpty()) {
                return null;
            }
            String done = summary();
            return failed.size() + " of " + vms.size() + " VM backups failed: "
                    + String.join("; ", failed.stream().map(VmOutcome::line).toList())
                    + (done.isEmpty() ? "" : " (backed up: " + done + ")");
        }
    }

    /** What the front-end sees of a run while it goes. */
    public interface Listener {
        /** A line about the run as a whole ("skipping template t1"). */
        void note(String line);

        /**
         * The job VM {@code index} (of {@code count}) is backed up under: its progress, log and
         * cancel flag, and its id names the VM's snapshot. The caller owns its lifecycle.
         */
        Job jobFor(int index, int count, VmInfo vm);

        /** A VM's backup ended (called in selection order, from the caller's thread). */
        void done(VmOutcome outcome);
    }

    private final Repository repo;
    private final int threads;
    private final Duration lockWait;
    private final ZoneId zone;

    public VcenterBackup(Repository repo, int threads, Duration lockWait, ZoneId zone) {
        this.repo = repo;
        this.threads = threads;
        this.lockWait = lockWait;
        this.zone = zone;
    }

    /**
     * Runs the backups over an open connection.
     *
     * @param credentials the login, for a VDDK transport (VixDiskLib logs in again per disk); null
     *     for https
     * @throws VsphereException when no VM matches, or the VDDK is missing (before any snapshot)
     * @throws Job.CancelledException when a VM's job was cancelled
     */
    public Result run(VsphereConnection c, Credentials credentials, Request r, Listener listener) throws IOException {
        try (Vddk own = r.transport().needsVddk() && r.vddk() == null ? Vddk.at(null) : null) {
            DiskOpener vddk = r.transport().needsVddk()
                    ? VddkOpener.load(own != null ? own : r.vddk(), r.transport(), c, credentials)
                    : null;
            List<VmInfo> selected = select(c, r, listener);
            VmBackup.Options opts =
                    new VmBackup.Options(r.quiesce(), r.enableCbt(), threads, lockWait, r.labels(), vddk);
            Map<String, Semaphore> hosts = new HashMap<>();
            for (VmInfo v : selected) {
                hosts.computeIfAbsent(String.valueOf(v.host()), h -> new Semaphore(r.perHost()));
            }
            ExecutorService pool = Executors.newFixedThreadPool(Math.min(r.parallel(), selected.size()), t -> {
                Thread th = new Thread(t, "cairn-vm-backup");
                th.setDaemon(true);
                return th;
            });
            try {
                List<Future<VmOutcome>> futures = new ArrayList<>();
                for (int i = 0; i < selected.size(); i++) {
                    VmInfo v = selected.get(i);
                    int index = i;
                    futures.add(pool.submit(() -> backupOne(
                            c,
                            v,
                            opts,
                            r,
                            listener.jobFor(index, selected.size(), v),
                            hosts.get(String.valueOf(v.host())))));
                }
                List<VmOutcome> outcomes = new ArrayList<>();
                for (Future<VmOutcome> f : futures) {
                    VmOutcome o = await(f);
                    outcomes.add(o);
                    listener.done(o);
                }
                return new Result(r.spec(), outcomes);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    /** The VMs the spec selects now, templates skipped (and noted). */
    private static List<VmInfo> select(VsphereConnection c, Request r, Listener listener) throws VsphereException {
        List<VmInfo> selected = new ArrayList<>();
        for (VmInfo v : r.spec().select(Inventory.vms(c))) {
            if (Boolean.TRUE.equals(v.template())) {
                listener.note("skipping template " + v.name());
            } else {
                selected.add(v);
            }
        }
        if (selected.isEmpty()) {
            throw new VsphereException("no VM matches " + r.spec() + (r.server() == null ? "" : " on " + r.server()));
        }
        return selected;
    }

    private VmOutcome backupOne(
            VsphereConnection c, VmInfo v, VmBackup.Options opts, Request r, Job job, Semaphore host)
            throws IOException, InterruptedException {
        host.acquire();
        try {
            job.checkCancelled();
            long t0 = System.nanoTime();
            BackupResult res;
            try {
                res = new BackupResult(new VmBackup(c, repo, opts, job).run(v), (System.nanoTime() - t0) / 1e9);
            } catch (IOException | RuntimeException e) {
                if (job.cancelRequested()) {
                    throw e;
                }
                return new VmOutcome(v, null, null, oneLine(e));
            }
            String retention = null;
            if (r.retention() != null) {
                job.checkCancelled();
                retention = new Prune(repo, lockWait, zone)
                        .vm(res.manifest().vm().identity(), v.name(), r.retention(), job)
                        .summary();
            }
            return new VmOutcome(v, res, retention, null);
        } finally {
            host.release();
        }
    }

    private static VmOutcome await(Future<VmOutcome> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting for the VM backups");
        } catch (ExecutionException e) {
            Throwable t = e.getCause();
            if (t instanceof IOException io) {
                throw io;
            }
            if (t instanceof RuntimeException re) {
                throw re;
            }
            throw new IOException(t);
        }
    }

    private static String oneLine(Throwable e) {
        return e.getMessage() == null
                ? e.getClass().getSimpleName()
                : e.getMessage().lines().findFirst().orElse("");
    }
}
