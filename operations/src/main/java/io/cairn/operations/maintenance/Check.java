package io.cairn.operations.maintenance;

import io.cairn.operations.job.Bytes;
import io.cairn.operations.job.Job;
import io.cairn.repository.Repository;
import io.cairn.repository.maintenance.Checker;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Verifies the repository's structure and, with {@code readData}, every chunk's content
 * ({@link Checker}), as {@code cairn check} and the web UI's maintenance do.
 */
public final class Check {

    /** What the check found. */
    public record Result(Checker.Report report, boolean readData) {
        public boolean ok() {
            return report.ok();
        }

        /**
         * Notes, errors and what each damaged chunk affects, one per line: {@code note: …},
         * {@code error: …}, {@code chunk 3fa2… affects backup … disk0 bytes …}.
         */
        public List<String> details() {
            List<String> out = new ArrayList<>();
            for (String n : report.notes()) {
                out.add("note: " + n);
            }
            for (String e : report.errors()) {
                out.add("error: " + e);
            }
            for (Checker.Damage d : report.damaged()) {
                for (String a : d.affects()) {
                    out.add("chunk " + d.chunk().substring(0, 16) + " affects " + a);
                }
            }
            return out;
        }

        /** {@code checked 12 backups, read 3456 chunks (1.2 GiB): no errors} (or {@code 2 errors}). */
        public String summary() {
            int errors = report.errors().size();
            return "checked " + report.backups() + " backups"
                    + (readData
                            ? ", read " + report.chunksChecked() + " chunks (" + Bytes.human(report.bytesChecked())
                                    + ")"
                            : "")
                    + ": "
                    + (report.ok() ? "no errors" : errors + " error" + (errors == 1 ? "" : "s"));
        }
    }

    private final Repository repo;
    private final int threads;
    private final Duration lockWait;

    public Check(Repository repo, int threads, Duration lockWait) {
        this.repo = repo;
        this.threads = threads;
        this.lockWait = lockWait;
    }

    /** Runs the check with the job's progress; a check that finds damage returns normally, not ok. */
    public Result run(boolean readData, Job job) throws IOException {
        return new Result(new Checker(repo, threads, job.progress(), lockWait).run(readData), readData);
    }
}
