package io.cairn.cli;

import io.cairn.operations.maintenance.Gc;
import io.cairn.repository.Repository;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "gc", description = "Delete chunks no backup uses (mark and sweep, exclusive lock).")
final class GcCommand implements Callable<Integer> {
    @Mixin
    RepoOptions repo;

    @Option(
            names = "--safety-margin",
            paramLabel = "DURATION",
            defaultValue = "1h",
            description = "Never delete chunks written or reused more recently than this (default: ${DEFAULT-VALUE}).")
    String margin;

    @Override
    public Integer call() throws Exception {
        Repository r = repo.open();
        Gc.Result rep = new Gc(r, repo.lockWait())
                .run(Durations.parse(margin, "--safety-margin"), CliJob.start("gc", "repository"));
        System.out.println(rep.summary());
        return Main.OK;
    }
}
