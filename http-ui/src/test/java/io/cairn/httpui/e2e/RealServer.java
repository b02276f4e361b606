package io.cairn.httpui.e2e;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cairn.httpui.UiConfig;
import io.cairn.httpui.UiServer;
import io.cairn.httpui.auth.Role;
import io.cairn.httpui.auth.Users;
import io.cairn.operations.disk.FileDiskSource;
import io.cairn.operations.roots.SourceRoots;
import io.cairn.repository.Repository;
import io.cairn.repository.backup.BackupRequest;
import io.cairn.repository.backup.BackupWriter;
import io.cairn.repository.backup.Progress;
import io.cairn.repository.manifest.Manifest;
import io.cairn.repository.store.LocalStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The real {@link UiServer}, in process, over a fresh repository holding one backup of the
 * {@code gpt.img} fixture (VM "gpt-vm"; FAT32 volume gpt-p1, ext4 volume gpt-p2) and one of
 * {@code mbr-ntfs.img} (VM "ntfs-vm"; NTFS volume mbr-ntfs-p1). Its guest volumes are served
 * through the FUSE mount layer, so this needs root and {@code /dev/fuse}. Users: "admin" and the
 * read-only "viewer".
 */
final class RealServer implements AutoCloseable {
    static final String VM = "gpt-vm";
    static final String NTFS_VM = "ntfs-vm";
    private static final String PASSWORD = "e2e correct horse battery";
    private static final String VIEWER_PASSWORD = "e2e viewer staple battery";

    private final Repository repo;
    private final UiServer server;
    private final String spki;
    final String backupId;
    final String ntfsBackupId;

    RealServer(Path fixtures, Path work) throws IOException {
        repo = Repository.init(new LocalStore(work.resolve("repo")), 1 << 20, 1, null);
        backupId = backup(fixtures.resolve("gpt.img"), VM, "502e7c1d-93a4-4c2b-8f1a-6b0c5d2e9a11");
        ntfsBackupId = backup(fixtures.resolve("mbr-ntfs.img"), NTFS_VM, "502e7c1d-93a4-4c2b-8f1a-6b0c5d2e9a12");
        Path state = work.resolve("state");
        Files.createDirectories(state);
        Users users = Users.load(state);
        users.put("admin", Role.ADMIN, PASSWORD.toCharArray());
        users.put("viewer", Role.VIEWER, VIEWER_PASSWORD.toCharArray());
        server = UiServer.start(new UiConfig(repo, work.resolve("repo"), state, "127.0.0.1", 0, 2, null, null));
        char[] pw = Files.readString(state.resolve("tls.pass"), StandardCharsets.UTF_8)
                .strip()
                .toCharArray();
        spki = Tls.spkiSha256(state.resolve("tls.p12"), pw);
    }

    private String backup(Path img, String vm, String instanceUuid) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode c = json.createObjectNode();
        c.put("name", vm)
                .put("guestId", "debian12_64Guest")
                .put("guestFullName", "Debian GNU/Linux 12 (64-bit)")
                .put("version", "vmx-19")
                .put("firmware", "efi")
                .put("numCPU", 2)
                .put("numCoresPerSocket", 1)
                .put("memoryMB", 2048);
        c.putArray("disks")
                .addObject()
                .put("key", 2000)
                .put("label", "Hard disk 1")
                .put("controller", "VirtualLsiLogicController 0")
                .put("unitNumber", 0)
                .put("fileName", "[datastore1] " + vm + "/" + vm + ".vmdk")
                .put("capacityInBytes", Files.size(img));
        c.putArray("nics")
                .addObject()
                .put("key", 4000)
                .put("label", "Network adapter 1")
                .put("type", "VirtualVmxnet3")
                .put("network", "VM Network")
                .put("addressType", "assigned")
                .put("macAddress", "00:50:56:8a:12:34");
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("schedule", "nightly");
        labels.put("<b>escape</b>", "me & you"); // must reach the page as text
        try (FileDiskSource src = FileDiskSource.open(img, SourceRoots.unconfined())) {
            BackupRequest req = new BackupRequest(
                    new Manifest.VmIdentity("file:" + img, vm, instanceUuid, null),
                    "e2e",
                    labels,
                    c,
                    null,
                    List.of(BackupRequest.DiskInput.full(src)),
                    List.of(),
                    null);
            return new BackupWriter(repo, 2, Progress.NONE, Duration.ZERO)
                    .write(req)
                    .ref()
                    .id();
        }
    }

    /** The https URL of the UI's root, ending with a slash. */
    public String baseUrl() {
        return "https://127.0.0.1:" + server.port() + "/";
    }

    /** Base64 SHA-256 of the server certificate's SubjectPublicKeyInfo, for Chromium's SPKI allow-list. */
    public String spkiSha256() {
        return spki;
    }

    public String user() {
        return "admin";
    }

    public String password() {
        return PASSWORD;
    }

    public String viewerUser() {
        return "viewer";
    }

    public String viewerPassword() {
        return VIEWER_PASSWORD;
    }

    @Override
    public void close() {
        server.close();
    }
}
