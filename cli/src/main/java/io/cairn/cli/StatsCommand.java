package io.cairn.cli;

import io.cairn.repository.Repository;
import io.cairn.repository.format.Json;
import io.cairn.repository.maintenance.Stats;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "stats", description = "Logical vs stored bytes, dedup and compression ratios, chunk count.")
final class StatsCommand implements Callable<Integer> {
    @Mixin
    RepoOptions repo;

    @Option(names = "--json", description = "Machine-readable output.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Repository r = repo.open();
        Stats.Report s = Stats.compute(r);
        if (json) {
            System.out.println(Json.writeString(s));
            return Main.OK;
        }
        System.out.printf(Locale.ROOT, "backups            %d of %d VMs%n", s.backups(), s.vms());
        System.out.printf(
                Locale.ROOT,
                "logical bytes      %s (what full restores of every backup write)%n",
                Durations.bytes(s.logicalBytes()));
        System.out.printf(Locale.ROOT, "  of which zeros   %s (never stored)%n", Durations.bytes(s.zeroBytes()));
        System.out.printf(
                Locale.ROOT,
                "unique data        %s in %d chunks%n",
                Durations.bytes(s.uniqueBytes()),
                s.uniqueChunks());
        System.out.printf(Locale.ROOT, "stored chunks      %s%n", Durations.bytes(s.storedChunkBytes()));
        System.out.printf(
                Locale.ROOT,
                "repository size    %s (%d chunk files, %d unused until gc)%n",
                Durations.bytes(s.repositoryBytes()),
                s.chunkFiles(),
                s.unreferencedChunks());
        System.out.printf(Locale.ROOT, "dedup ratio        %.2fx%n", s.dedupRatio());
        System.out.printf(Locale.ROOT, "compression ratio  %.2fx%n", s.compressionRatio());
        System.out.printf(Locale.ROOT, "logical / stored   %.2fx%n", s.spaceSavingRatio());
        return Main.OK;
    }
}
