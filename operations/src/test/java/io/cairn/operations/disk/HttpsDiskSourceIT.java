package io.cairn.operations.disk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cairn.repository.Repository;
import io.cairn.repository.backup.BackupRequest;
import io.cairn.repository.backup.BackupWriter;
import io.cairn.repository.backup.DiskOutput;
import io.cairn.repository.backup.Progress;
import io.cairn.repository.backup.Restorer;
import io.cairn.repository.index.DiskIndex;
import io.cairn.repository.manifest.Manifest;
import io.cairn.repository.store.LocalStore;
import io.cairn.vsphere.connect.ConnectOptions;
import io.cairn.vsphere.connect.VsphereConnection;
import io.cairn.vsphere.datastore.DatastoreClient;
import io.cairn.vsphere.datastore.DatastorePath;
import io.cairn.vsphere.datastore.HttpsDisk;
import io.cairn.vsphere.datastore.HttpsDiskUpload;
import io.cairn.vsphere.testing.Vcsim;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The https transport's adapters against govmomi's vCenter simulator (vcsim, started by
 * {@code scripts/vcsim}; fails, never skips, when it cannot start): a flat disk uploaded to the
 * datastore backs up into a real repository through {@link HttpsDiskSource} and restores to a file
 * and back to the datastore, byte for byte.
 */
class HttpsDiskSourceIT {
    private static final int MIB = 1 << 20;
    private static final int DISK_SIZE = 16 * MIB;
    private static final DatastorePath DISK = DatastorePath.parse("[LocalDS_0] it-vm/it-vm.vmdk");

    private static Vcsim vcsim;
    private static VsphereConnection vc;
    private static DatastoreClient client;
    private static byte[] disk;

    @BeforeAll
    static void startVcsimAndUpload() throws Exception {
        vcsim = Vcsim.start();
        vc = VsphereConnection.connect(
                new ConnectOptions(URI.create(vcsim.url()), "user", "pass".toCharArray(), Vcsim.SHA1, false));
        client = new DatastoreClient(
                vc.serverBase(), vc.sslSocketFactory(), vc.hostnameVerifier(), vc::sessionCookie, "DC0");
        // random MiBs with every third one zero: the restore skips zero chunks, the upload fills them in
        disk = new byte[DISK_SIZE];
        Random r = new Random(7);
        for (int off = 0; off < DISK_SIZE; off += MIB) {
            if ((off / MIB) % 3 != 2) {
                byte[] t = new byte[MIB];
                r.nextBytes(t);
                System.arraycopy(t, 0, disk, off, MIB);
            }
        }
        try (HttpsDiskUpload up = HttpsDiskUpload.create(client, DISK, DISK_SIZE, Map.of("adapterType", "pvscsi"))) {
            up.write(0, disk, 0, DISK_SIZE);
            up.finish();
        }
    }

    @AfterAll
    static void stopVcsim() throws Exception {
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

    @Test
    @DisplayName("a datastore disk backs up through HttpsDiskSource and restores to a file and to the datastore")
    void backupAndRestore(@TempDir Path tmp) throws Exception {
        Repository repo = Repository.init(new LocalStore(tmp.resolve("repo")), 256 * 1024, 3, null);
        BackupWriter.Result res;
        try (HttpsDiskSource src = HttpsDiskSource.open(client, DISK)) {
            assertEquals("it-vm.vmdk", src.name());
            BackupRequest req = new BackupRequest(
                    new Manifest.VmIdentity("id-it-vm", "it-vm", null, null),
                    "vcsim:" + DISK,
                    Map.of(),
                    null,
                    null,
                    List.of(BackupRequest.DiskInput.full(src)),
                    List.of(),
                    null);
            res = new BackupWriter(repo, 2, Progress.NONE, Duration.ZERO).write(req);
        }
        Manifest.DiskEntry entry = res.manifest().disks().get(0);
        assertEquals(DISK_SIZE, entry.capacity());
        assertEquals("pvscsi", entry.metadata().get("adapterType"));
        DiskIndex idx = repo.readIndex(res.ref(), entry);

        Path file = tmp.resolve("restored.img");
        new Restorer(repo, 2, Progress.NONE).restoreDisk(idx, "it-vm", file);
        assertArrayEquals(disk, Files.readAllBytes(file));

        // back over https: the restorer hands chunks over in order and skips zero chunks
        DatastorePath target = DatastorePath.parse("[LocalDS_0] restored/restored.vmdk");
        try (HttpsDiskUpload up = HttpsDiskUpload.create(client, target, entry.capacity(), entry.metadata())) {
            new Restorer(repo, 2, Progress.NONE).restoreDisk(idx, "it-vm", new DiskOutput.Sink() {
                @Override
                public void write(long offset, byte[] data, int off, int len) throws IOException {
                    up.write(offset, data, off, len);
                }

                @Override
                public List<Path> files() {
                    return List.of();
                }

                @Override
                public void close() {}
            });
            up.finish();
        }
        HttpsDisk back = HttpsDisk.open(client, target);
        assertEquals("pvscsi", back.metadata().get("adapterType"));
        byte[] all = new byte[DISK_SIZE];
        back.read(0, all, 0, DISK_SIZE);
        assertArrayEquals(disk, all);
    }
}
