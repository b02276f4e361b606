package io.cairn.cli;

import io.cairn.repository.Repository;
import io.cairn.repository.error.RepositoryException;
import io.cairn.repository.format.FormatConstants;
import io.cairn.repository.store.LocalStore;
import java.nio.file.Files;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "init", description = "Create a repository in an empty or new directory.")
final class InitCommand implements Callable<Integer> {
    @Mixin
    RepoOptions repo;

    @Option(
            names = "--chunk-size",
            paramLabel = "SIZE",
            defaultValue = "1M",
            description = "Chunk size, a power of two from 256K to 8M. Default: ${DEFAULT-VALUE}.")
    String chunkSize;

    @Option(
            names = "--compression-level",
            paramLabel = "N",
            defaultValue = "1",
            description =
                    "zstd level 1-19, or 0 for none. Default: ${DEFAULT-VALUE} (as Proxmox Backup Server: level 3 costs more CPU and saved under 0.1%% on VM images here).")
    int level;

    @Option(names = "--encrypt", description = "Encrypt (AES-256-GCM; key from the password by scrypt).")
    boolean encrypt;

    @Override
    public Integer call() throws Exception {
        long cs = Durations.parseSize(chunkSize, "--chunk-size");
        io.cairn.repository.RepositoryConfig.validateChunkSize(cs);
        if (Files.exists(repo.repo)) {
            if (!Files.isDirectory(repo.repo)) {
                throw new RepositoryException(repo.repo.toAbsolutePath() + " exists and is not a directory");
            }
            if (Files.exists(repo.repo.resolve(FormatConstants.KEY_CONFIG))) {
                throw new RepositoryException(repo.repo.toAbsolutePath() + " is already a cairn repository");
            }
            try (var s = Files.list(repo.repo)) {
                if (s.findAny().isPresent()) {
                    throw new RepositoryException(
                            repo.repo.toAbsolutePath() + " is not empty; a repository needs a directory of its own");
                }
            }
        }
        char[] password = encrypt ? repo.password(true) : null; // before creating anything
        Files.createDirectories(repo.repo);
        Repository r = Repository.init(new LocalStore(repo.repo), (int) cs, level, password);
        System.out.println("created " + (encrypt ? "encrypted " : "") + "repository "
                + r.config().id() + " at " + repo.repo.toAbsolutePath() + " (chunk size " + Durations.bytes(cs)
                + ", zstd level " + level + ")");
        if (encrypt) {
            System.out.println("keep the password safe: without it the backups cannot be read");
        }
        return Main.OK;
    }
}
