package io.cairn.cli;

import io.cairn.repository.Repository;
import io.cairn.repository.maintenance.Checker;
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
        Checker.Report rep =
                new Checker(r, repo.threads(), TerminalProgress.forTerminal(), repo.lockWait()).run(readData);
        for (String n : rep.notes()) {
            System.out.println("note: " + n);
        }
        for (String e : rep.errors()) {
            System.out.println("error: " + e);
        }
        for (Checker.Damage d : rep.damaged()) {
            for (String a : d.affects()) {
                System.out.println("  chunk " + d.chunk().substring(0, 16) + " affects " + a);
            }
        }
        System.out.println("checked " + rep.backups() + " backups"
                + (readData
                        ? ", read " + rep.chunksChecked() + " chunks (" + Durations.bytes(rep.bytesChecked()) + ")"
                        : "")
                + ": "
                + (rep.ok()
                        ? "no errors"
                        : rep.errors().size() + " error" + (rep.errors().size() == 1 ? "" : "s")));
        return rep.ok() ? Main.OK : Main.FAILED;
    }
}
