package io.cairn.operations.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.vmware.vim25.CryptoKeyId;
import com.vmware.vim25.KeyProviderId;
import com.vmware.vim25.VirtualMachineConfigInfo;
import io.cairn.operations.Images;
import io.cairn.operations.backup.VmBackup;
import io.cairn.operations.disk.FileDiskSource;
import io.cairn.operations.job.Job;
import io.cairn.operations.roots.SourceRoots;
import io.cairn.repository.Repository;
import io.cairn.repository.backup.BackupRequest;
import io.cairn.repository.backup.BackupWriter;
import io.cairn.repository.backup.Progress;
import io.cairn.repository.backup.Restorer;
import io.cairn.repository.manifest.Manifest;
import io.cairn.repository.store.LocalStore;
import io.cairn.vsphere.config.ConfigInfoXml;
import io.cairn.vsphere.config.ConfigSummary;
import io.cairn.vsphere.connect.ConnectOptions;
import io.cairn.vsphere.connect.VsphereConnection;
import io.cairn.vsphere.connect.VsphereException;
import io.cairn.vsphere.datastore.DatastoreClient;
import io.cairn.vsphere.inventory.Inventory;
import io.cairn.vsphere.restore.VmRestore;
import io.cairn.vsphere.testing.SimVms;
import io.cairn.vsphere.testing.Vcsim;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * An encrypted VM is not re-created where its key provider is missing: one line naming the key and
 * the provider, and nothing created. vcsim cannot encrypt a VM (it has no CryptoManager), so the
 * backup of an encrypted VM is made the way cairn makes one from vCenter, from a real backup of a
 * simulator VM whose stored ConfigInfo then carries the {@code keyId} (provider and key) an
 * encrypted VM's does — a <b>stand-in for an encrypted VM's backup</b>, since the real thing cannot
 * exist here. The disks are the VM's real images. vcsim has a CryptoManager but no KMIP methods, so
 * the target "manages no key providers"; the other answers (provider unknown, unreachable) need a
 * vCenter with KMIP.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EncryptedRestoreIT {
    private Vcsim vcsim;
    private VsphereConnection vc;
    private Repository repo;
    private Path work;
    private Path[] images;

    @BeforeAll
    void setUp() throws Exception {
        work = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "encrypted-restore-it-");
        vcsim = Vcsim.start();
        vc = VsphereConnection.connect(
                new ConnectOptions(URI.create(vcsim.url()), "user", "pass".toCharArray(), Vcsim.SHA1, false));
        DatastoreClient ds = new DatastoreClient(
                vc.serverBase(), vc.sslSocketFactory(), vc.hostnameVerifier(), vc::sessionCookie, "DC0");
        images = new Path[] {
            Images.random(work.resolve("d0.img"), 2, 21), Images.random(work.resolve("d1.img"), 1, 22),
        };
        SimVms.createVm(vc, ds, "DC0", "DC0/host/DC0_H0/DC0_H0", "enc01", images, work, true);
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

    /** A backup of enc01 as cairn records an encrypted VM: keyId in the ConfigInfo, summary and manifest. */
    private Repository.Listed encryptedBackup() throws Exception {
        Job job = Job.create("backup", "enc01");
        job.start();
        var plain = new VmBackup(vc, repo, new VmBackup.Options(false, false, 1, Duration.ZERO, Map.of(), null), job)
                .run(SimVms.vm(vc, "enc01"));
        Manifest m = plain.manifest();
        Manifest.FileEntry xml = m.files().stream()
                .filter(f -> f.role().equals("config-info"))
                .findFirst()
                .orElseThrow();
        VirtualMachineConfigInfo cfg = ConfigInfoXml.fromXml(new Restorer(repo, 1, Progress.NONE).readFile(xml));
        CryptoKeyId key = new CryptoKeyId();
        key.setKeyId("6f5b9d0e-1c2a-4f3e-8d7c-0a1b2c3d4e5f");
        KeyProviderId provider = new KeyProviderId();
        provider.setId("kms-prod");
        key.setProviderId(provider);
        cfg.setKeyId(key);
        List<BackupRequest.DiskInput> disks = new ArrayList<>();
        for (Path img : images) {
            disks.add(BackupRequest.DiskInput.full(FileDiskSource.open(img, SourceRoots.unconfined())));
        }
        var r = new BackupWriter(repo, 1, Progress.NONE, Duration.ZERO)
                .write(new BackupRequest(
                        m.vm(),
                        m.source(),
                        Map.of(),
                        ConfigSummary.of(cfg),
                        new Manifest.EncryptionInfo("kms-prod/" + key.getKeyId()),
                        disks,
                        List.of(new BackupRequest.FileInput(
                                "config-info", "config-info.xml", ConfigInfoXml.toXml(cfg))),
                        null));
        return repo.resolve(r.ref().id());
    }

    @Test
    @DisplayName("re-creating it where no key provider is reachable fails in one line naming key and provider;"
            + " nothing is created")
    void keyProviderMissing() throws Exception {
        Repository.Listed b = encryptedBackup();
        int before = Inventory.vms(vc).size();
        Job job = Job.create("restore", "enc01");
        job.start();
        VmRestore.AsNew o = new VmRestore.AsNew(
                "enc01-copy", "LocalDS_0", null, null, null, null, Map.of(), VmRestore.Conflict.ABORT, false, null);
        VsphereException e =
                assertThrows(VsphereException.class, () -> new VsphereRestore(vc, repo, 1, job).asNew(b, o));
        assertTrue(
                e.getMessage()
                        .startsWith("enc01 is encrypted with key 6f5b9d0e-1c2a-4f3e-8d7c-0a1b2c3d4e5f of key provider"
                                + " kms-prod, and the target manages no key providers"),
                e.getMessage());
        assertTrue(e.getMessage().endsWith("(nothing was created)"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
        assertEquals(before, Inventory.vms(vc).size(), "nothing created");
    }
}
