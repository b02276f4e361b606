package io.cairn.operations.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.operations.Images;
import io.cairn.operations.job.Job;
import io.cairn.operations.restore.FolderRestore;
import io.cairn.operations.roots.RestoreRoots;
import io.cairn.operations.roots.SourceRoots;
import io.cairn.repository.Repository;
import io.cairn.repository.backup.Extent;
import io.cairn.repository.backup.Restorer;
import io.cairn.repository.error.RepositoryException;
import io.cairn.repository.manifest.Manifest;
import io.cairn.repository.store.LocalStore;
import io.cairn.vixmntbridge.vmdk.VmdkWriter;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link FileBackup} over each kind of file source, with disks made by real tools (mkfs.ext4,
 * qemu-img), restored through {@link FolderRestore} and compared byte for byte.
 */
class FileBackupIT {
    @TempDir
    Path dir;

    Repository repo;

    @BeforeEach
    void repo() throws Exception {
        repo = Repository.init(new LocalStore(dir.resolve("repo")), 256 << 10, 1, null);
    }

    private BackupResult backup(FileBackup.Request r) throws Exception {
        Job job = Job.create("backup", r.path().toString());
        job.start();
        BackupResult res = new FileBackup(repo, 2, Duration.ZERO, SourceRoots.unconfined()).run(r, job);
        assertEquals(
                res.manifest().disks().stream()
                        .mapToLong(Manifest.DiskEntry::capacity)
                        .sum(),
                job.jobTotal(),
                "the job announced the bytes it reads");
        return res;
    }

    private Path restore(BackupResult b) throws Exception {
        Path out = Files.createDirectories(dir.resolve("out-" + b.id()));
        FolderRestore.Result r = new FolderRestore(repo, 2, Duration.ZERO, null, RestoreRoots.given(List.of()))
                .run(
                        new FolderRestore.Request(b.id(), out, VmdkWriter.Format.RAW, Restorer.Conflict.ABORT),
                        Job.create("restore", b.id()));
        assertTrue(
                r.summary()
                        .startsWith("restored backup " + b.id() + " of "
                                + b.manifest().vm().name() + " ("),
                r.summary());
        return out;
    }

    @Test
    @DisplayName("a raw image is a VM named after the file, known by that name; it restores exactly")
    void raw() throws Exception {
        Path img = Images.random(dir.resolve("web01.img"), 6, 1);
        BackupResult b = backup(FileBackup.Request.of(img, Map.of("k", "v")));
        assertEquals("web01", b.manifest().vm().name());
        assertEquals(Manifest.VmIdentity.ofFile("web01"), b.manifest().vm().identity());
        assertEquals("v", b.manifest().labels().get("k"));
        assertTrue(
                b.summary().matches("backup [0-9a-f]+ of web01: 6\\.0 MiB disk, \\d+ of \\d+ chunks read, .*"),
                b.summary());
        assertEquals(Images.sha256(img), Images.sha256(restore(b).resolve("web01.img")));
    }

    @Test
    @DisplayName("a VMDK made by qemu-img from an ext4 image backs up its guest bytes and keeps its disk keys")
    void vmdk() throws Exception {
        Path raw = Images.ext4(dir.resolve("db.raw"), 16, 2);
        Path vmdk = Images.vmdk(raw, dir.resolve("db01.vmdk"), "monolithicSparse");
        BackupResult b = backup(FileBackup.Request.of(vmdk, Map.of()));
        assertEquals("db01", b.manifest().vm().name());
        Manifest.DiskEntry d = b.manifest().disks().get(0);
        assertEquals(16L << 20, d.capacity());
        assertEquals("lsilogic", d.metadata().get("adapterType"), d.metadata().toString());
        assertEquals(Images.sha256(raw), Images.sha256(restore(b).resolve("db01.img")));
    }

    @Test
    @DisplayName("a .vmx backs up its disks in controller order with the .vmx and NVRAM, named by displayName")
    void vmx() throws Exception {
        Path raw0 = Images.ext4(dir.resolve("d0.raw"), 16, 3);
        Path raw1 = Images.random(dir.resolve("d1.raw"), 4, 4);
        Path vm = Files.createDirectories(dir.resolve("app"));
        Images.vmdk(raw0, vm.resolve("app.vmdk"), "monolithicSparse");
        Images.vmdk(raw1, vm.resolve("app_1.vmdk"), "streamOptimized");
        Files.write(vm.resolve("app.nvram"), new byte[] {9, 8, 7});
        Path vmx = vm.resolve("app.vmx");
        Files.writeString(
                vmx,
                "displayName = \"App 1\"\nuuid.bios = \"56 4d aa bb cc dd ee ff-00 11 22 33 44 55 66 77\"\n"
                        + "sata0:0.present = \"TRUE\"\nsata0:0.fileName = \"app_1.vmdk\"\n"
                        + "scsi0:0.present = \"TRUE\"\nscsi0:0.fileName = \"app.vmdk\"\n");
        BackupResult b = backup(FileBackup.Request.of(vmx, Map.of()));
        assertEquals("App 1", b.manifest().vm().name());
        assertEquals("564daabbccddeeff0011223344556677", b.manifest().vm().identity());
        assertEquals(
                List.of("app.vmdk", "app_1.vmdk"),
                b.manifest().disks().stream().map(Manifest.DiskEntry::name).toList());
        assertEquals(
                List.of("vmx", "nvram"),
                b.manifest().files().stream().map(Manifest.FileEntry::role).toList());
        assertTrue(b.summary().contains("2 disks, ") && b.summary().contains("2 configuration files"), b.summary());
        Path out = restore(b);
        assertEquals(Images.sha256(raw0), Images.sha256(out.resolve("app.img")));
        assertEquals(Images.sha256(raw1), Images.sha256(out.resolve("app_1.img")));
    }

    @Test
    @DisplayName("changed areas read only those chunks and take the rest from the VM's latest backup")
    void incremental() throws Exception {
        Path img = Images.random(dir.resolve("web02.img"), 4, 5);
        BackupResult first = backup(FileBackup.Request.of(img, Map.of()));
        byte[] patch = new byte[4096];
        new Random(6).nextBytes(patch);
        try (FileChannel ch = FileChannel.open(img, StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(patch), 1 << 20);
        }
        BackupResult second =
                backup(new FileBackup.Request(img, null, Map.of(), List.of(new Extent(1 << 20, 4096)), null));
        assertEquals(first.id(), second.manifest().parent());
        assertEquals(1, second.manifest().disks().get(0).stats().readChunks());
        assertEquals(Images.sha256(img), Images.sha256(restore(second).resolve("web02.img")));
    }

    @Test
    @DisplayName("a missing file fails with one line naming it, and nothing is committed")
    void missing() throws Exception {
        RepositoryException e = assertThrows(
                RepositoryException.class, () -> backup(FileBackup.Request.of(dir.resolve("nope.vmdk"), Map.of())));
        assertTrue(e.getMessage().contains("nope.vmdk") && e.getMessage().contains("does not exist"), e.getMessage());
        assertEquals(0, repo.backups().size());
    }
}
