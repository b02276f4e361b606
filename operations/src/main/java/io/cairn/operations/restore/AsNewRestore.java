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
import io.cairn.vsphere.restore.VmRestore;
import java.io.IOException;
import java.time.Duration;
import java.util.Locale;

/**
 * Re-creates a backed-up VM on vSphere from its stored configuration, under a new name or where the
 * backup found it, and writes its disks over https or a VDDK transport ({@link VsphereRestore#asNew}),
 * as {@code cairn restore BACKUP --vc URL --as-new NAME | --original-location} and the web UI's
 * "re-create on vSphere" do, under a shared lock.
 */
public final class AsNewRestore {

    /**
     * @param moRef the new VM, or the existing one a {@link VmRestore.Conflict#KEEP} left alone
     */
    public record Result(Repository.Listed backup, String name, String moRef, double seconds) {
        /** {@code restored <id> as <name> (<moRef>) in 12.3 s}. */
        public String summary() {
            return String.format(
                    Locale.ROOT,
                    "restored %s as %s (%s) in %.1f s",
                    backup.ref().id(),
                    name,
                    moRef,
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
    public AsNewRestore(Repository repo, int threads, Duration lockWait, String client) {
        this.repo = repo;
        this.threads = threads;
        this.lockWait = lockWait;
        this.lockPurpose = client == null ? "restore" : "restore to vSphere (" + client + ")";
    }

    /**
     * Over https.
     *
     * @param backup a backup id (or a unique prefix) or {@code VMNAME@latest}
     */
    public Result run(VsphereConnection c, String backup, VmRestore.AsNew o, Job job) throws IOException {
        return run(c, null, backup, o, Transport.HTTPS, null, job);
    }

    /**
     * Over {@code transport}: https, or a VDDK transport that writes each disk through VixDiskLib,
     * opened by the new VM's moRef. A VDDK transport is loaded before anything is created on vSphere,
     * so a missing VDDK fails in one line and leaves nothing behind.
     *
     * @param credentials the login, for a VDDK transport (VixDiskLib logs in again per disk); null for https
     * @param vddk the process's VDDK (kept open by the caller), or null: then one is loaded from
     *     {@code VDDK_HOME} for this restore and closed after it
     */
    public Result run(
            VsphereConnection c,
            Credentials credentials,
            String backup,
            VmRestore.AsNew o,
            Transport transport,
            Vddk vddk,
            Job job)
            throws IOException {
        try (Lock lock = repo.locks().acquireForReading(lockPurpose, lockWait)) {
            Repository.Listed b = repo.resolve(backup);
            job.expect(
                    b.manifest().disks().stream().mapToLong(d -> d.capacity()).sum());
            long t0 = System.nanoTime();
            String vm;
            try (Vddk own = transport.needsVddk() && vddk == null ? Vddk.at(null) : null) {
                DiskWriter w = transport.needsVddk()
                        ? VddkDiskWriter.load(own != null ? own : vddk, transport, c, credentials)
                        : null;
                vm = new VsphereRestore(c, repo, threads, job).asNew(b, o, w);
            }
            // --original-location without a name gives the VM its old one
            String name = o.name() != null ? o.name() : b.manifest().vm().name();
            return new Result(b, name, vm, (System.nanoTime() - t0) / 1e9);
        }
    }
}
