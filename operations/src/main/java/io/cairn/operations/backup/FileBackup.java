package io.cairn.operations.backup;

import io.cairn.operations.job.Job;
import io.cairn.operations.roots.SourceRoots;
import io.cairn.operations.source.FileVm;
import io.cairn.repository.Repository;
import io.cairn.repository.backup.BackupRequest;
import io.cairn.repository.backup.BackupWriter;
import io.cairn.repository.backup.DiskSource;
import io.cairn.repository.backup.Extent;
import io.cairn.repository.error.ObjectNotFoundException;
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
     * @param base the backup the changed areas are relative to (an id, a unique prefix of one, or
     *     {@code VMNAME@latest}), or null for the VM's newest; resolved under the backup's lock
     */
    public record Request(Path path, String name, Map<String, String> labels, List<Extent> changedAreas, String base) {
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
    private final SourceRoots roots;

    /**
     * @param roots which files the source may lead to: {@link SourceRoots#unconfined()} for a root
     *     user's command line, the administrator's source roots for scheduled backups
     */
    public FileBackup(Repository repo, int threads, Duration lockWait, SourceRoots roots) {
        this.repo = repo;
        this.threads = threads;
        this.lockWait = lockWait;
        this.roots = java.util.Objects.requireNonNull(roots, "roots");
    }

    /**
     * Backs the file up. The repository's shared lock is taken before an incremental's base is
     * chosen and its index read, and held to the commit: no gc can run in between and take the
     * base's chunks away (a prune may still remove the base; the writer then reads every disk whole).
     */
    public BackupResult run(Request r, Job job) throws IOException {
        long t0 = System.nanoTime();
        try (FileVm vm = FileVm.open(r.path(), r.name(), roots);
                BackupWriter.Session session = new BackupWriter(repo, threads, job.progress(), lockWait).begin()) {
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
                DiskIndex base = baseIndex(prev, job);
                parent = base == null ? null : prev.ref().id();
                inputs.add(new BackupRequest.DiskInput(
                        vm.disks().get(0), base, base == null ? null : r.changedAreas(), null));
            }
            BackupRequest req = new BackupRequest(
                    vm.identity(), vm.source(), r.labels(), vm.config(), null, inputs, vm.files(), parent);
            BackupWriter.Result res = session.write(req);
            return new BackupResult(res, (System.nanoTime() - t0) / 1e9);
        }
    }

    /**
     * The base's index, or null when a prune (which runs beside backups) removed the base since it
     * was chosen: the disk is then read whole, which is never wrong.
     */
    private DiskIndex baseIndex(Repository.Listed prev, Job job) throws IOException {
        try {
            return repo.readIndex(prev.ref(), prev.manifest().disks().get(0));
        } catch (ObjectNotFoundException e) {
            job.log("the base backup " + prev.ref().id() + " was pruned meanwhile; reading the whole disk");
            return null;
        }
    }

    /** The base under the lock: the one asked for (which must be this VM's), else the VM's newest. */
    private Repository.Listed base(Request r, FileVm vm) throws IOException {
        if (r.base() != null) {
            Repository.Listed b = repo.resolve(r.base());
            if (!vm.identity().identity().equals(b.manifest().vm().identity())) {
                throw new IllegalArgumentException("--base " + b.ref().id() + " is a backup of VM '"
                        + b.manifest().vm().name() + "', not of '" + vm.name() + "'");
            }
            return b;
        }
        return repo.latestOf(vm.identity().identity());
    }
}
