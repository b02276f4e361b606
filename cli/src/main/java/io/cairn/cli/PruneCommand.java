package io.cairn.cli;

import io.cairn.operations.maintenance.Prune;
import io.cairn.repository.Repository;
import io.cairn.repository.maintenance.Pruner;
import io.cairn.repository.maintenance.RetentionPolicy;
import java.time.ZoneId;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "prune",
        description = "Remove backups that the retention rules do not keep (per VM). Run gc afterwards to free space.")
final class PruneCommand implements Callable<Integer> {
    @Mixin
    RepoOptions repo;

    @Option(names = "--keep-last", paramLabel = "N", defaultValue = "0", description = "Keep the newest N backups.")
    int last;

    @Option(
            names = "--keep-daily",
            paramLabel = "N",
            defaultValue = "0",
            description = "Keep the newest backup of each of the last N days.")
    int daily;

    @Option(
            names = "--keep-weekly",
            paramLabel = "N",
            defaultValue = "0",
            description = "... of each of the last N ISO weeks.")
    int weekly;

    @Option(
            names = "--keep-monthly",
            paramLabel = "N",
            defaultValue = "0",
            description = "... of each of the last N months.")
    int monthly;

    @Option(names = "--dry-run", description = "Only show what would be removed.")
    boolean dryRun;

    @Override
    public Integer call() throws Exception {
        RetentionPolicy policy = new RetentionPolicy(last, daily, weekly, monthly);
        if (policy.keepsNothing()) {
            throw new IllegalArgumentException(
                    "give at least one of --keep-last, --keep-daily, --keep-weekly, --keep-monthly");
        }
        Repository r = repo.open();
        Prune.Result res = new Prune(r, repo.lockWait(), ZoneId.systemDefault())
                .run(new Prune.Request(policy, dryRun), CliJob.start("prune", "repository"));
        for (Pruner.Decision d : res.decisions()) {
            var m = d.backup().manifest();
            System.out.printf(
                    "%s %s  %s  %s%s%n",
                    d.keep() ? "keep  " : (dryRun ? "would remove" : "remove"),
                    m.id(),
                    m.time(),
                    m.vm().name(),
                    d.keep() ? "  (" + String.join(", ", d.reasons()) + ")" : "");
        }
        System.out.println(res.summary() + (res.gcWorthwhile() ? "; run 'cairn gc' to free their space" : ""));
        return Main.OK;
    }
}
