package io.cairn.operations.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.vmware.vim25.VirtualDiskFlatVer2BackingInfo;
import io.cairn.operations.Images;
import io.cairn.operations.backup.VmBackup;
import io.cairn.operations.disk.DiskWriter;
import io.cairn.operations.job.Job;
import io.cairn.repository.Repository;
import io.cairn.repository.index.Chunker;
import io.cairn.repository.manifest.Manifest;
import io.cairn.repository.store.LocalStore;
import io.cairn.vixmntbridge.vddk.Transport;
import io.cairn.vsphere.connect.ConnectOptions;
import io.cairn.vsphere.connect.Props;
import io.cairn.vsphere.connect.VsphereConnection;
import io.cairn.vsphere.connect.VsphereException;
import io.cairn.vsphere.datastore.DatastoreClient;
import io.cairn.vsphere.datastore.DatastorePath;
import io.cairn.vsphere.inventory.VmInfo;
import io.cairn.vsphere.testing.SimVms;
import io.cairn.vsphere.testing.Vcsim;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Quick rollback against govmomi's vCenter simulator with cairn's changed block tracking: a VM is
 * backed up with CBT on, known 64 KiB blocks of its first disk are then overwritten through the
 * datastore (vcsim logs them), and the in-place quick rollback writes back exactly the chunks that
 * hold them — counted — and nothing of the untouched second disk, leaving both disks as backed up.
 *
 * <p>The writer is a <b>stand-in for VixDiskLib</b> (VMware's VDDK cannot be installed here): it
 * writes the bytes it is given into the disk's flat file under the simulator's datastore
 * directory, as a SAN transport writes to the LUN behind the datastore, and records each write.
 * What is tested is cairn's side: which areas changed (QueryChangedDiskAreas on the VM as it is
 * now), which chunks that makes, and that they alone, read from the backup, bring the disk back.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QuickRollbackIT {
    private static final int MIB = 1 << 20;

    private Vcsim vcsim;
    private VsphereConnection vc;
    private DatastoreClient ds;
    private Repository repo;
    private Path work;
    private Path[] images;

    @BeforeAll
    void setUp() throws Exception {
        work = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "quick-rollback-it-");
        vcsim = Vcsim.start();
        vc = VsphereConnection.connect(
                new ConnectOptions(URI.create(vcsim.url()), "user", "pass".toCharArray(), Vcsim.SHA1, false));
        ds = new DatastoreClient(
                vc.serverBase(), vc.sslSocketFactory(), vc.hostnameVerifier(), vc::sessionCookie, "DC0");
        images = new Path[] {
            Images.random(work.resolve("d0.img"), 4, 11), Images.random(work.resolve("d1.img"), 2, 12),
        };
        for (String name : List.of("qr01", "qr02")) {
            SimVms.createVm(vc, ds, "DC0", "DC0/host/DC0_H0/DC0_H0", name, images, work, true);
        }
        // format v1 (fixed 1 MiB chunks): the chunks a rollback writes are then named by offset below
        repo = Repository.init(new LocalStore(work.resolve("repo")), MIB, 1, null, (Chunker.Params) null);
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

    private Repository.Listed backup(String vm, boolean cbt) throws Exception {
        Job job = Job.create("backup", vm);
        job.start();
        var r = new VmBackup(vc, repo, new VmBackup.Options(false, cbt, 1, Duration.ZERO, Map.of(), null), job)
                .run(SimVms.vm(vc, vm));
        return repo.resolve(r.ref().id());
    }

    /** Overwrites 64 KiB at each offset of disk {@code disk} of {@code vm} through the datastore (whole-file PUT). */
    private void overwrite(String vm, int disk, long... offsets) throws Exception {
        VmInfo v = SimVms.vm(vc, vm);
        DatastorePath flat =
                SimVms.flatOf(ds, SimVms.disks(SimVms.config(vc, v.ref())).get(disk));
        Path local = work.resolve(vm + "-changed.img");
        Files.copy(images[disk], local, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        byte[] junk = new byte[64 << 10];
        new Random(99).nextBytes(junk);
        try (RandomAccessFile f = new RandomAccessFile(local.toFile(), "rw")) {
            for (long o : offsets) {
                f.seek(o);
                f.write(junk);
            }
        }
        try (InputStream in = Files.newInputStream(local)) {
            ds.upload(flat, in, Files.size(local));
        }
    }

    /** The stand-in for VixDiskLib's write (see the class comment): into the flat file, recorded. */
    private final class StandIn implements DiskWriter {
        final List<String> writes = new ArrayList<>();

        @Override
        public String name() {
            return "san";
        }

        @Override
        public Transport transportFor(Disk disk) {
            return Transport.SAN;
        }

        @Override
        public Sink open(Disk disk, String snapshot) throws IOException {
            DatastorePath desc = DatastorePath.parse(disk.fileName());
            String stem = desc.fileName().substring(0, desc.fileName().length() - ".vmdk".length());
            Path root = Path.of(String.valueOf(Props.one(vc, datastore(), "info.url")));
            Path flat = root.resolve(desc.folder()).resolve(stem + "-flat.vmdk");
            RandomAccessFile f = new RandomAccessFile(flat.toFile(), "rw");
            return new Sink() {
                @Override
                public void writeMetadata(Map<String, String> keys) {
                    writes.add(desc.fileName() + " metadata");
                }

                @Override
                public void zeros(long offset, long len) throws IOException {
                    write(offset, new byte[Math.toIntExact(len)], 0, Math.toIntExact(len));
                }

                @Override
                public void write(long offset, byte[] data, int off, int len) throws IOException {
                    writes.add(desc.fileName() + "@" + offset + "+" + len);
                    f.seek(offset);
                    f.write(data, off, len);
                }

                @Override
                public void close() throws IOException {
                    f.close();
                }
            };
        }

        private com.vmware.vim25.ManagedObjectReference datastore() throws VsphereException {
            var disk = SimVms.disks(config()).get(0);
            return ((VirtualDiskFlatVer2BackingInfo) disk.getBacking()).getDatastore();
        }

        private com.vmware.vim25.VirtualMachineConfigInfo config() throws VsphereException {
            try {
                return SimVms.config(vc, SimVms.vm(vc, "qr01").ref());
            } catch (Exception e) {
                throw new VsphereException("no qr01", e);
            }
        }
    }

    @Test
    @DisplayName("only the chunks holding blocks written since the backup are written back, and the disks are"
            + " as backed up again")
    void writesOnlyWhatChanged() throws Exception {
        Repository.Listed b = backup("qr01", true);
        for (Manifest.DiskEntry d : b.manifest().disks()) {
            assertNotNull(d.changeId(), "fixture: the backup recorded a changeId for " + d.name());
        }
        // 64 KiB in chunk 1 and one that straddles chunks 2 and 3 of the first disk; the second disk untouched
        overwrite("qr01", 0, MIB + 4096 * 16, 3L * MIB - 32 * 1024);
        var disk0 = SimVms.disks(SimVms.config(vc, SimVms.vm(vc, "qr01").ref())).get(0);
        assertTrue(!Images.sha256(images[0]).equals(SimVms.sha256(ds, disk0)), "fixture: the disk changed");

        StandIn standIn = new StandIn();
        Job job = Job.create("restore", "qr01");
        job.start();
        new VsphereRestore(vc, repo, 1, job).inPlace(b, false, standIn, true);

        String stem = ((VirtualDiskFlatVer2BackingInfo) disk0.getBacking()).getFileName();
        String name = DatastorePath.parse(stem).fileName();
        assertEquals(
                List.of(
                        name + "@" + MIB + "+" + MIB,
                        name + "@" + 2L * MIB + "+" + MIB,
                        name + "@" + 3L * MIB + "+" + MIB),
                standIn.writes,
                "chunks 1, 2 and 3 of the first disk, nothing of the second");
        var disks = SimVms.disks(SimVms.config(vc, SimVms.vm(vc, "qr01").ref()));
        assertEquals(Images.sha256(images[0]), SimVms.sha256(ds, disks.get(0)));
        assertEquals(Images.sha256(images[1]), SimVms.sha256(ds, disks.get(1)));
        assertTrue(
                job.log().stream().anyMatch(l -> l.contains("wrote 3 of 4 chunks (3145728 bytes)")),
                String.join("\n", job.log()));
        assertTrue(
                job.log().stream().anyMatch(l -> l.contains("wrote 0 of 2 chunks (0 bytes)")),
                String.join("\n", job.log()));
    }

    @Test
    @DisplayName("refused in one line over https, and for a backup made without changed block tracking")
    void refusals() throws Exception {
        Repository.Listed noCbt = backup("qr02", false);
        Job job = Job.create("restore", "qr02");
        job.start();
        VsphereException https = assertThrows(
                VsphereException.class,
                () -> new InPlaceRestore(repo, 1, Duration.ZERO, null)
                        .run(
                                vc,
                                null,
                                new InPlaceRestore.Request("qr02@latest", false, Transport.HTTPS, null, true),
                                job));
        assertTrue(https.getMessage().contains("give --transport nbd, nbdssl, hotadd or san"), https.getMessage());
        VsphereException none = assertThrows(
                VsphereException.class,
                () -> new VsphereRestore(vc, repo, 1, job).inPlace(noCbt, false, new StandIn(), true));
        assertTrue(none.getMessage().contains("holds no changeId"), none.getMessage());
        assertEquals(1, none.getMessage().lines().count());
    }
}
