package io.cairn.cli;

import io.cairn.repository.Repository;
import io.cairn.repository.maintenance.GarbageCollector;
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
        GarbageCollector.Report rep =
                new GarbageCollector(r, Durations.parse(margin, "--safety-margin"), repo.lockWait()).run();
        System.out.println("gc: " + rep.backups() + " backups reference " + rep.marked() + " chunks; deleted "
                + rep.chunksDeleted() + " unused chunks (" + Durations.bytes(rep.bytesFreed()) + ")"
                + (rep.chunksTooNew() > 0
                        ? ", kept " + rep.chunksTooNew() + " unused but newer than the safety margin"
                        : "")
                + (rep.incompleteRemoved() > 0
                        ? ", removed " + rep.incompleteRemoved() + " incomplete backup directories"
                        : "")
                + (rep.temporariesRemoved() > 0
                        ? ", removed " + rep.temporariesRemoved() + " unfinished temporary files"
                        : "")
                + (rep.staleLocksRemoved() > 0 ? ", removed " + rep.staleLocksRemoved() + " stale locks" : ""));
        return Main.OK;
    }
}
