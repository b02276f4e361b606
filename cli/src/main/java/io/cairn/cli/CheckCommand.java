package io.cairn.cli;

import io.cairn.operations.maintenance.Check;
import io.cairn.repository.Repository;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "check",
        description = "Verify the repository's structure; with --read-data, every chunk's content too.")
final class CheckCommand implements Callable<Integer> {
    @Mixin
    RepoOptions repo;

    @Option(names = "--read-data", description = "Read, decrypt, decompress and re-hash every chunk.")
    boolean readData;

    @Override
    public Integer call() throws Exception {
        Repository r = repo.open();
        Check.Result rep =
                new Check(r, repo.threads(), repo.lockWait()).run(readData, CliJob.start("check", "repository"));
        for (String line : rep.details()) {
            // damaged chunks are indented under the error that names them
            System.out.println(line.startsWith("chunk ") ? "  " + line : line);
        }
        System.out.println(rep.summary());
        return rep.ok() ? Main.OK : Main.FAILED;
    }
}
