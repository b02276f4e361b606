package io.cairn.operations.backup;

import io.cairn.operations.job.Job;
import io.cairn.operations.source.FileVm;
import io.cairn.repository.Repository;
import io.cairn.repository.backup.BackupRequest;
import io.cairn.repository.backup.BackupWriter;
import io.cairn.repository.backup.DiskSource;
import io.cairn.repository.backup.Extent;
import io.cairn.repository.error.RepositoryException;
import io.cairn.repository.index.DiskIndex;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Backs up a VM given as a file ({@code file:PATH}: a raw image, a VMDK of any subformat, or a
 * {@code .vmx} with all its disks; {@link FileVm}) into the repository, as {@code cairn backup --vm
 * file:PATH} and the scheduler's file sources do. Progress, phases and the cancel flag go through
 * the {@link Job}.
 */
public final class FileBackup {

    /**
     * What to back up.
     *
     * @param path the file
     * @param name the VM's name, or null for the file's ({@link FileVm#defaultName})
     * @param labels kept with the backup
     * @param changedAreas an incremental backup of a single disk image: the byte ranges that changed
     *     since {@code base}; everything else is taken from it without reading. Null for a full backup.
     * @param base the backup the changed areas are relative to, or null for the VM's newest
     */
    public record Request(
            Path path, String name, Map<String, String> labels, List<Extent> changedAreas, Repository.Listed base) {
        public Request {
            Objects.requireNonNull(path, "path");
            labels = labels == null ? Map.of() : Map.copyOf(labels);
            changedAreas = changedAreas == null ? null : List.copyOf(changedAreas);
            if (base != null && changedAreas == null) {
                throw new IllegalArgumentException("a base backup goes with changed areas");
            }
        }

        /** A full backup of the file under its own name. */
        public static Request of(Path path, Map<String, String> labels) {
            return new Request(path, null, labels, null, null);
        }
    }

    private final Repository repo;
    private final int threads;
    private final Duration lockWait;

    public FileBackup(Repository repo, int threads, Duration lockWait) {
        this.repo = repo;
        this.threads = threads;
        this.lockWait = lockWait;
    }

    public BackupResult run(Request r, Job job) throws IOException {
        long t0 = System.nanoTime();
        try (FileVm vm = FileVm.open(r.path(), r.name())) {
            job.expect(vm.capacity());
            List<BackupRequest.DiskInput> inputs = new ArrayList<>();
            String parent = null;
            if (r.changedAreas() == null) {
                for (DiskSource d : vm.disks()) {
                    inputs.add(BackupRequest.DiskInput.full(d));
                }
            } else {
                if (vm.kind() == FileVm.Kind.VMX) {
                    throw new IllegalArgumentException("changed areas apply to a single disk image, not a .vmx");
                }
                Repository.Listed prev = base(r, vm);
                if (prev == null || prev.manifest().disks().size() != 1) {
                    throw new RepositoryException(
                            "--changed-areas needs an earlier backup of VM '" + vm.name() + "' with one disk");
                }
                DiskIndex base =
                        repo.readIndex(prev.ref(), prev.manifest().disks().get(0));
                parent = prev.ref().id();
                inputs.add(new BackupRequest.DiskInput(vm.disks().get(0), base, r.changedAreas(), null));
            }
            BackupRequest req = new BackupRequest(
                    vm.identity(), vm.source(), r.labels(), vm.config(), null, inputs, vm.files(), parent);
            BackupWriter.Result res = new BackupWriter(repo, threads, job.progress(), lockWait).write(req);
            return new BackupResult(res, (System.nanoTime() - t0) / 1e9);
        }
    }

    private Repository.Listed base(Request r, FileVm vm) throws IOException {
        if (r.base() != null) {
            if (!vm.identity().identity().equals(r.base().manifest().vm().identity())) {
                throw new IllegalArgumentException("--base " + r.base().ref().id() + " is a backup of VM '"
                        + r.base().manifest().vm().name() + "', not of '" + vm.name() + "'");
            }
            return r.base();
        }
        return repo.latestOf(vm.identity().identity());
    }
}
