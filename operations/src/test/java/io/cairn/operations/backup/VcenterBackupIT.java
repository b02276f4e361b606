package io.cairn.operations.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.operations.HookedStore;
import io.cairn.operations.Images;
import io.cairn.operations.disk.Vddk;
import io.cairn.operations.job.Job;
import io.cairn.repository.Repository;
import io.cairn.repository.format.FormatConstants;
import io.cairn.repository.lock.LockConflictException;
import io.cairn.repository.maintenance.GarbageCollector;
import io.cairn.repository.maintenance.RetentionPolicy;
import io.cairn.repository.store.LocalStore;
import io.cairn.vixmntbridge.VixException;
import io.cairn.vixmntbridge.vddk.Transport;
import io.cairn.vsphere.connect.ConnectOptions;
import io.cairn.vsphere.connect.Credentials;
import io.cairn.vsphere.connect.Props;
import io.cairn.vsphere.connect.VsphereConnection;
import io.cairn.vsphere.connect.VsphereException;
import io.cairn.vsphere.datastore.DatastoreClient;
import io.cairn.vsphere.inventory.VmInfo;
import io.cairn.vsphere.inventory.VmSpec;
import io.cairn.vsphere.testing.SimVms;
import io.cairn.vsphere.testing.Vcsim;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@link VcenterBackup} against govmomi's vCenter simulator: VMs with real disk content (SimVms),
 * chosen by a spec, two at a time, one job per VM; a VM that fails does not stop the others, every
 * snapshot is removed, retention runs only for the VMs that succeeded.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VcenterBackupIT {
    private Vcsim vcsim;
    private VsphereConnection vc;
    private Repository repo;
    private Path work;

    @BeforeAll
    void setUp() throws Exception {
        work = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "vcenter-backup-it-");
        vcsim = Vcsim.start();
        vc = VsphereConnection.connect(
                new ConnectOptions(URI.create(vcsim.url()), "user", "pass".toCharArray(), Vcsim.SHA1, false));
        DatastoreClient ds = new DatastoreClient(
                vc.serverBase(), vc.sslSocketFactory(), vc.hostnameVerifier(), vc::sessionCookie, "DC0");
        Path[] disks = {
            Images.random(work.resolve("d0.img"), 4, 1), Images.random(work.resolve("d1.img"), 2, 2),
        };
        for (String name : List.of("ops-a", "ops-b")) {
            SimVms.createVm(vc, ds, "DC0", "DC0/host/DC0_H0/DC0_H0", name, disks, work, true);
        }
        // its second disk has no descriptor: its backup fails after reading the first
        SimVms.createVm(vc, ds, "DC0", "DC0/host/DC0_H0/DC0_H0", "ops-broken", disks, work, false);
        repo = Repository.init(new LocalStore(work.resolve("repo")), 1 << 20, 1, null);
    }

    @AfterAll
    void tearDown() throws Exception {
        try {
            if (vc != null) {
                vc.close();
            }
        } finally {
            if (vcsim != null) {
                vcsim.close();
            }
        }
    }

    private VcenterBackup.Request request(String spec, RetentionPolicy retention) {
        return new VcenterBackup.Request(
                VmSpec.parse(spec), false, false, Map.of("by", "it"), Transport.HTTPS, null, 2, 1, retention, "sim");
    }

    /** Records what the use case reports; one started job per VM. */
    private static final class Recorder implements VcenterBackup.Listener {
        final List<String> notes = new ArrayList<>();
        final List<String> done = new ArrayList<>();
        final Set<String> jobIds = ConcurrentHashMap.newKeySet();

        @Override
        public void note(String line) {
            notes.add(line);
        }

        @Override
        public Job jobFor(int index, int count, VmInfo vm) {
            Job j = Job.create("backup", vm.name());
            jobIds.add(j.id());
            j.start();
            return j;
        }

        @Override
        public void done(VcenterBackup.VmOutcome o) {
            done.add(o.vm().name());
        }
    }

    @Test
    @DisplayName("the VMs a spec selects back up in parallel, a failing one is reported without stopping the others,"
            + " snapshots are removed, retention keeps only the newest of the VMs that succeeded")
    void specSelectsAndFailuresAreIsolated() throws Exception {
        VcenterBackup backup = new VcenterBackup(repo, 2, Duration.ZERO, ZoneOffset.UTC);
        RetentionPolicy keepOne = new RetentionPolicy(1, 0, 0, 0);
        Recorder first = new Recorder();
        VcenterBackup.Result r = backup.run(vc, null, request("powerstate:off", keepOne), first);
        assertEquals(List.of("ops-a", "ops-b", "ops-broken"), first.done, "outcomes come in selection order");
        assertEquals(3, first.jobIds.size(), "one job (and snapshot name) per VM");
        assertEquals(1, r.failed().size(), r.toString());
        assertEquals("ops-broken", r.failed().get(0).vm().name());
        String failure = r.failure();
        assertTrue(failure.startsWith("1 of 3 VM backups failed: ops-broken: "), failure);
        assertTrue(failure.contains("(backed up: backup "), failure);
        for (VcenterBackup.VmOutcome o : r.vms()) {
            assertNull(Props.one(vc, o.vm().ref(), "snapshot"), o.vm().name() + " keeps no snapshot");
            if (o.ok()) {
                assertEquals("it", o.backup().manifest().labels().get("by"));
                assertEquals("https", o.backup().manifest().labels().get("transport"));
                assertEquals(2, o.backup().manifest().disks().size());
                assertTrue(o.line().endsWith(", retention kept 1, removed 0"), o.line());
            }
        }
        // again: retention removes each good VM's older backup; the broken one has none to lose
        VcenterBackup.Result again = backup.run(vc, null, request("powerstate:off", keepOne), new Recorder());
        for (VcenterBackup.VmOutcome o : again.vms()) {
            if (o.ok()) {
                assertTrue(o.line().endsWith(", retention kept 1, removed 1 (gc frees their space)"), o.line());
            }
        }
        assertEquals(2, repo.backups().size(), "one backup of each good VM");
    }

    @Test
    @DisplayName(
            "a VM's previous backup (an incremental's base) is chosen under the lock: a gc striking then is refused")
    void previousBackupChosenUnderTheLock() throws Exception {
        HookedStore store = new HookedStore(new LocalStore(work.resolve("repo-hooked")));
        Repository hooked = Repository.init(store, 1 << 20, 1, null);
        VcenterBackup backup = new VcenterBackup(hooked, 2, Duration.ZERO, ZoneOffset.UTC);
        assertNull(backup.run(vc, null, request("name:ops-a", null), new Recorder())
                .failure());
        Exception[] raced = {null};
        // the first look at backups/ is the choice of the VM's previous backup
        store.before(key -> key.startsWith(FormatConstants.DIR_BACKUPS + "/"), () -> {
            try {
                new GarbageCollector(hooked, Duration.ZERO, Duration.ZERO).run();
            } catch (Exception e) {
                raced[0] = e;
            }
        });
        VcenterBackup.Result second = backup.run(vc, null, request("name:ops-a", null), new Recorder());
        assertNull(second.failure());
        assertTrue(
                raced[0] instanceof LockConflictException, "gc ran while the previous backup was chosen: " + raced[0]);
        assertEquals(2, hooked.backups().size());
    }

    @Test
    @DisplayName("a spec matching nothing, and a VDDK transport without the VDDK, fail in one line before any snapshot")
    void refusals() throws Exception {
        VcenterBackup backup = new VcenterBackup(repo, 2, Duration.ZERO, ZoneOffset.UTC);
        VsphereException none = assertThrows(
                VsphereException.class, () -> backup.run(vc, null, request("name:nope", null), new Recorder()));
        assertEquals("no VM matches name:nope on sim", none.getMessage());
        VcenterBackup.Request nbdssl = new VcenterBackup.Request(
                VmSpec.parse("name:ops-a"),
                false,
                false,
                Map.of(),
                Transport.NBDSSL,
                Vddk.at(work.resolve("no-vddk-here")),
                1,
                1,
                null,
                null);
        Recorder rec = new Recorder();
        VixException e = assertThrows(
                VixException.class, () -> backup.run(vc, new Credentials("user", "pass".toCharArray()), nbdssl, rec));
        assertTrue(e.getMessage().contains("VDDK") && e.getMessage().lines().count() == 1, e.getMessage());
        assertTrue(rec.jobIds.isEmpty(), "no VM was started");
        assertNull(Props.one(vc, SimVms.vm(vc, "ops-a").ref(), "snapshot"));
    }
}
