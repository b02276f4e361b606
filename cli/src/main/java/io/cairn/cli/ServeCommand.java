package io.cairn.cli;

import io.cairn.httpui.UiConfig;
import io.cairn.httpui.UiServer;
import io.cairn.operations.location.RepositoryLocation;
import io.cairn.repository.Repository;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "serve",
        description = {
            "Run the web UI (HTTPS) on the repository until Ctrl-C. The first start creates the user 'admin'"
                    + " with its password in <state>/initial-admin-password (0600, deleted once the password is"
                    + " changed), and a self-signed certificate whose fingerprint is printed."
        })
final class ServeCommand implements Callable<Integer> {
    @Mixin
    RepoOptions repo;

    @Option(
            names = "--state",
            paramLabel = "DIR",
            description = "Users, certificate, audit log and the mount point"
                    + " (default: /var/lib/cairn when writable, else $HOME/.local/state/cairn).")
    Path state;

    @Option(
            names = "--bind",
            paramLabel = "ADDR",
            defaultValue = UiConfig.DEFAULT_BIND,
            description = "Address to listen on (default: ${DEFAULT-VALUE}; 0.0.0.0 for every interface).")
    String bind;

    @Option(
            names = "--port",
            paramLabel = "N",
            defaultValue = "8443",
            description = "HTTPS port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(
            names = "--keystore",
            paramLabel = "FILE",
            description = "Your own PKCS12 keystore instead of the self-signed certificate.")
    Path keystore;

    @Option(
            names = "--keystore-password-file",
            paramLabel = "FILE",
            description = "File whose first line is the keystore's password.")
    Path keystorePasswordFile;

    @Option(
            names = "--vddk",
            paramLabel = "DIR",
            description = "Where VMware's VDDK is installed, for schedules that read vCenter disks over nbd, nbdssl,"
                    + " hotadd or san (else the VDDK_HOME environment variable).")
    Path vddk;

    @Option(
            names = "--vixmntapi",
            description =
                    "Show Linux guest volumes (ext2/3/4, XFS) through the VDDK's VixMntapi instead of the sandboxed"
                            + " drivers. VixMntapi has this machine's kernel parse the guest's filesystem, as root, whenever any"
                            + " user opens a volume: only if you trust every guest (docs/security.md).")
    boolean vixMntapi;

    @Override
    public Integer call() throws Exception {
        Path dir = state != null ? state : UiConfig.defaultStateDir();
        // An object store's metadata is cached in the server's own state directory.
        RepositoryLocation location = repo.location(dir.resolve("cache"));
        Repository r = repo.open();
        char[] ksPass = null;
        if (keystore != null) {
            if (keystorePasswordFile == null) {
                throw new IllegalArgumentException("--keystore needs --keystore-password-file");
            }
            ksPass = Files.readString(keystorePasswordFile, StandardCharsets.UTF_8)
                    .lines()
                    .findFirst()
                    .orElse("")
                    .toCharArray();
        }
        // The dashboard names the directory; an object store repository names itself (Repository.describe).
        Path where = location instanceof RepositoryLocation.Directory d ? d.dir() : dir;
        if (vixMntapi && !io.cairn.operations.disk.Vddk.at(vddk).named()) {
            throw new IllegalArgumentException("--vixmntapi needs VMware's VDDK: give --vddk DIR or set VDDK_HOME");
        }
        UiConfig cfg = new UiConfig(r, where, dir, bind, port, repo.threads(), keystore, ksPass, vddk, vixMntapi);
        UiServer server = UiServer.start(cfg);
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            server.close();
                            stop.countDown();
                        },
                        "cairn-serve-stop"));
        stop.await();
        return Main.OK;
    }
}
