package io.cairn.operations.mount;

import io.cairn.mount.fuse.FuseMount;
import io.cairn.mount.guest.GuestVolumeManager;
import io.cairn.mount.guest.VolumeMounter;
import io.cairn.mount.image.ChunkCache;
import io.cairn.mount.tree.BackupTree;
import io.cairn.mount.tree.GuestVolumes;
import io.cairn.operations.disk.Vddk;
import io.cairn.repository.Repository;
import io.cairn.repository.lock.Lock;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A repository's backups shown as files through FUSE ({@code vms/<vm>/<time>/{config,disks,volumes}}),
 * read-only, as {@code cairn mount} and the web UI's file browser open it: the chunk cache with
 * read-ahead, guest volumes mounted on first use, and (for {@code cairn mount}) a shared lock for as
 * long as it is mounted. {@link #close} takes the guest volumes down first, then the mount, the cache
 * and the lock.
 */
public final class RepositoryMount implements AutoCloseable {
    /**
     * How often the tree reads the list of backups again: a new backup shows up within this, and a
     * directory listing costs at most one listing of the repository per interval.
     */
    public static final long REFRESH_MILLIS = 5_000;

    /** Read-ahead of a sequential reader: 16 MiB worth of chunks, at least 4. */
    public static int readAheadChunks(int chunkSize) {
        return Math.max(4, (16 << 20) / chunkSize);
    }

    /**
     * How to mount.
     *
     * @param mountPoint an empty directory
     * @param fsName the mount's source as the kernel shows it ({@code cairn:/srv/repo})
     * @param cacheBytes memory for decompressed chunks
     * @param threads read-ahead workers (at least 2 are used)
     * @param guestVolumes whether {@code volumes/} looks into guest filesystems
     * @param allowOther whether users other than the one who mounts may read the tree (FUSE {@code
     *     allow_other}): the decrypted disks of every VM, so only when asked for
     * @param lockWait with a lock: how long to wait for a conflicting one (gc); null for no lock, so
     *     that gc can run while it is mounted (reads of a backup gc removed then fail)
     * @param allowOther whether every local user may read the mount (as its file modes allow); by
     *     default only the user who mounted it ({@code cairn mount --allow-other})
     */
    public record Options(
            Path mountPoint,
            String fsName,
            long cacheBytes,
            int threads,
            boolean guestVolumes,
            boolean allowOther,
            Duration lockWait) {
        public Options {
            Objects.requireNonNull(mountPoint, "mountPoint");
            mountPoint = mountPoint.toAbsolutePath().normalize();
            Objects.requireNonNull(fsName, "fsName");
            if (cacheBytes <= 0) {
                throw new IllegalArgumentException("the chunk cache needs a size above 0");
            }
            threads = Math.max(2, threads);
        }
    }

    private final Repository repo;
    private final Path mountPoint;
    private final Lock lock;
    private final ChunkCache cache;
    private final GuestVolumeManager guests;
    private final FuseMount fuse;

    private RepositoryMount(
            Repository repo, Path mountPoint, Lock lock, ChunkCache cache, GuestVolumeManager guests, FuseMount fuse) {
        this.repo = repo;
        this.mountPoint = mountPoint;
        this.lock = lock;
        this.cache = cache;
        this.guests = guests;
        this.fuse = fuse;
    }

    /**
     * Mounts the repository.
     *
     * @param log where the mount's messages go (a guest volume that fails to mount, …)
     */
    public static RepositoryMount open(Repository repo, Options o, Consumer<String> log) throws IOException {
        return open(repo, o, null, log);
    }

    /**
     * Mounts the repository, showing the Linux guest volumes through VMware's VixMntapi when
     * {@code vddk} is given and VixMntapi can be used here (else, and for every other volume, the open
     * fallback's drivers).
     *
     * @param vddk the process's VDDK (kept open by the caller, closed after this mount), or null
     */
    public static RepositoryMount open(Repository repo, Options o, Vddk vddk, Consumer<String> log) throws IOException {
        Lock lock = o.lockWait() == null ? null : repo.locks().acquireForReading("mount", o.lockWait());
        ChunkCache cache = null;
        try {
            cache = new ChunkCache(repo.chunks(), o.cacheBytes(), o.threads());
            VolumeMounter mntapi = o.guestVolumes() && vddk != null ? VixMntapiVolumes.probe(vddk, log) : null;
            GuestVolumeManager guests = o.guestVolumes()
                    ? new GuestVolumeManager(
                            o.mountPoint(),
                            GuestVolumeManager.Options.defaults().withAllowOther(o.allowOther()),
                            mntapi,
                            log)
                    : null;
            BackupTree tree = new BackupTree(
                    repo,
                    cache,
                    guests == null ? GuestVolumes.NONE : guests,
                    REFRESH_MILLIS,
                    readAheadChunks(repo.config().chunkSize()));
            Runnable beforeUnmount = guests == null ? () -> {} : guests::unmountAll;
            FuseMount fuse = FuseMount.mount(tree, o.mountPoint(), o.fsName(), log, beforeUnmount, o.allowOther());
            return new RepositoryMount(repo, o.mountPoint(), lock, cache, guests, fuse);
        } catch (IOException | RuntimeException e) {
            if (cache != null) {
                cache.close();
            }
            if (lock != null) {
                lock.close();
            }
            throw e;
        }
    }

    public Path mountPoint() {
        return mountPoint;
    }

    /**
     * False when the mount holds a lock that could not be recorded (the repository's filesystem is
     * full): gc would not see it, so it must not run while this is mounted.
     */
    public boolean lockRecorded() {
        return lock == null || lock.recorded();
    }

    /** {@code mounted <repository> on <mount point>}. */
    public String summary() {
        return "mounted " + repo.describe() + " on " + mountPoint;
    }

    /** Waits until the mount goes away from outside ({@code cairn umount}, {@code fusermount -u}). */
    public void awaitUnmount() throws InterruptedException {
        fuse.awaitUnmount();
    }

    /** Guest volumes first, then the FUSE mount, then the chunk cache and the lock. */
    @Override
    public void close() {
        try {
            if (guests != null) {
                guests.unmountAll();
            }
            fuse.close();
        } finally {
            cache.close();
            if (lock != null) {
                try {
                    lock.close();
                } catch (IOException e) {
                    // the lock file goes stale; the next operation removes it
                }
            }
        }
    }
}
