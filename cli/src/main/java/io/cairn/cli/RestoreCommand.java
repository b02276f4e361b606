package io.cairn.cli;

import io.cairn.repository.Repository;
import io.cairn.repository.backup.DiskOutput;
import io.cairn.repository.backup.Restorer;
import io.cairn.vixmntbridge.vmdk.VmdkWriter;
import io.cairn.repository.lock.Lock;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "restore", description = "Restore a backup's disks (raw images) and configuration files into a directory.")
final class RestoreCommand implements Callable<Integer> {
    @Mixin
    RepoOptions repo;

    @Parameters(index = "0", paramLabel = "BACKUP", description = "A backup id (or unique prefix) or VMNAME@latest.")
    String backup;

    @Option(names = "--to", required = true, paramLabel = "DIR", description = "Directory to write into (created if missing).")
    Path to;

    @Option(names = "--on-conflict", paramLabel = "MODE", defaultValue = "abort",
            description = "When a target file exists: overwrite, keep, or abort (default: ${DEFAULT-VALUE}).")
    String onConflict;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "raw",
            description = "Disk format: raw, vmdk-flat, vmdk-sparse, vmdk-stream or vmdk-2gbsparse (default: ${DEFAULT-VALUE}).")
    String format;

    @Override
    public Integer call() throws Exception {
        VmdkWriter.Format fmt = VmdkWriter.Format.fromCliName(format);
        DiskOutput output = fmt == VmdkWriter.Format.RAW ? null : new VmdkOutput(fmt);
        Restorer.Conflict conflict;
        try {
            conflict = Restorer.Conflict.valueOf(onConflict.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--on-conflict takes overwrite, keep or abort, not '" + onConflict + "'");
        }
        Repository r = repo.open();
        try (Lock lock = r.locks().acquireForReading("restore", repo.lockWait())) {
            if (!lock.recorded()) {
                System.err.println("warning: the repository's filesystem is full, so this restore runs without a lock;"
                        + " do not run gc until it has finished");
            }
            Repository.Listed b = r.resolve(backup);
            long t0 = System.nanoTime();
            List<Restorer.Output> out = new Restorer(r, repo.threads(), TerminalProgress.forTerminal())
                    .restore(b.ref(), b.manifest(), to, conflict, output);
            double secs = (System.nanoTime() - t0) / 1e9;
            long bytes = 0;
            for (Restorer.Output o : out) {
                System.out.println((o.skipped() ? "kept     " : "restored ") + o.path());
                bytes += o.bytes();
            }
            System.out.printf(Locale.ROOT, "restored backup %s of %s (%s) in %.1f s, %s/s%n", b.ref().id(),
                    b.manifest().vm().name(), Durations.bytes(bytes), secs, Durations.bytes((long) (bytes / Math.max(secs, 1e-3))));
        }
        return Main.OK;
    }
}
