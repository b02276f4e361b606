package io.cairn.operations.restore;

import io.cairn.operations.disk.DiskWriter;
import io.cairn.operations.disk.Vddk;
import io.cairn.operations.disk.VddkDiskWriter;
import io.cairn.operations.job.Job;
import io.cairn.repository.Repository;
import io.cairn.repository.lock.Lock;
import io.cairn.vixmntbridge.vddk.Transport;
import io.cairn.vsphere.connect.Credentials;
import io.cairn.vsphere.connect.VsphereConnection;
import io.cairn.vsphere.connect.VsphereException;
import java.io.IOException;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * Writes a backup's disks back into the VM it was taken from ({@link VsphereRestore#inPlace}), over
 * https or a VDDK transport, as {@code cairn restore BACKUP --vc URL --in-place} and the web UI's
 * in-place restore do, under a shared lock. A VDDK transport is loaded before anything changes on
 * vSphere, so a missing VDDK fails in one line and leaves nothing behind.
 */
public final class InPlaceRestore {

    /**
     * @param backup a backup id (or a unique prefix) or {@code VMNAME@latest}
     * @param force power the VM off when it is running
     * @param transport {@link Transport#HTTPS}, or a VDDK transport
     * @param vddk the process's VDDK ({@link Vddk}, kept open by the caller), or null: then one is
     *     loaded from {@code VDDK_HOME} for this restore and closed after it
     * @param quickRollback write back only what changed since the backup (changed block tracking on
     *     the VM now); needs a VDDK transport, which writes parts of a disk
     */
    public record Request(String backup, boolean force, Transport transport, Vddk vddk, boolean quickRollback) {
        public Request {
            Objects.requireNonNull(backup, "backup");
            transport = transport == null ? Transport.HTTPS : transport;
        }

        /** Every disk written whole. */
        public Request(String backup, boolean force, Transport transport, Vddk vddk) {
            this(backup, force, transport, vddk, false);
        }
    }

    /** The VM written into. */
    public record Result(Repository.Listed backup, String moRef, double seconds) {
        /** {@code restored <id> into <vm> in 12.3 s}. */
        public String summary() {
            return String.format(
                    Locale.ROOT,
                    "restored %s into %s in %.1f s",
                    backup.ref().id(),
                    backup.manifest().vm().name(),
                    seconds);
        }
    }

    private final Repository repo;
    private final int threads;
    private final Duration lockWait;
    private final String lockPurpose;

    /**
     * @param client who restores, for the lock's purpose ({@code restore to vSphere (web UI)}), or null
     */
    public InPlaceRestore(Repository repo, int threads, Duration lockWait, String client) {
        this.repo = repo;
        this.threads = threads;
        this.lockWait = lockWait;
        this.lockPurpose = client == null ? "restore" : "restore to vSphere (" + client + ")";
    }

    /**
     * @param credentials the login, for a VDDK transport (VixDiskLib logs in again per disk); null for https
     */
    public Result run(VsphereConnection c, Credentials credentials, Request r, Job job) throws IOException {
        if (r.quickRollback() && !r.transport().needsVddk()) {
            throw new VsphereException("a quick rollback writes only the areas changed since the backup, which"
                    + " needs a transport that writes parts of a disk: give --transport nbd, nbdssl, hotadd or san"
                    + " (https replaces whole files)");
        }
        try (Lock lock = repo.locks().acquireForReading(lockPurpose, lockWait)) {
            Repository.Listed b = repo.resolve(r.backup());
            job.expect(
                    b.manifest().disks().stream().mapToLong(d -> d.capacity()).sum());
            long t0 = System.nanoTime();
            String vm;
            try (Vddk own = r.transport().needsVddk() && r.vddk() == null ? Vddk.at(null) : null) {
                DiskWriter w = r.transport().needsVddk()
                        ? VddkDiskWriter.load(own != null ? own : r.vddk(), r.transport(), c, credentials)
                        : null;
                vm = new VsphereRestore(c, repo, threads, job).inPlace(b, r.force(), w, r.quickRollback());
            }
            return new Result(b, vm, (System.nanoTime() - t0) / 1e9);
        }
    }
}
