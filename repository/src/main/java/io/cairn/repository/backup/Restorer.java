package io.cairn.repository.backup;

import io.cairn.repository.Repository;
import io.cairn.repository.chunk.ChunkId;
import io.cairn.repository.error.CorruptObjectException;
import io.cairn.repository.error.RepositoryException;
import io.cairn.repository.error.UnsafePathException;
import io.cairn.repository.index.DiskIndex;
import io.cairn.repository.manifest.BackupRef;
import io.cairn.repository.manifest.Manifest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Restores a backup's disks (as raw images) and configuration files into a directory. Every chunk is
 * verified against its id; each output is written to a temporary file beside its target, created
 * exclusively and never through a link ({@link RestoreDirectory}), and renamed only when complete,
 * so an interrupted restore never leaves a file that looks finished. Names taken from the manifest
 * are checked to be plain file names first. All-zero chunks are not written: raw images come out
 * sparse.
 */
public final class Restorer {
    /** What to do when a target file exists. */
    public enum Conflict {
        ABORT,
        OVERWRITE,
        KEEP
    }

    private final Repository repo;
    private final int threads;
    private final Progress progress;

    public Restorer(Repository repo, int threads, Progress progress) {
        this.repo = repo;
        this.threads = Math.max(1, threads);
        this.progress = progress;
    }

    /** One output of a restore. */
    public record Output(Path path, long bytes, boolean skipped) {}

    /** The file name a disk is restored to as a raw image; the manifest's name must be plain ({@link #checkNames}). */
    public static String rawName(Manifest.DiskEntry d) {
        String n = d.name();
        if (n.endsWith(".img") || n.endsWith(".raw")) {
            return n;
        }
        int dot = n.lastIndexOf('.');
        return (dot > 0 ? n.substring(0, dot) : n) + ".img";
    }

    /**
     * Checks every name a restore of {@code m} would take from it (disk keys and names, file names):
     * they come from the VM's own settings (its NVRAM name, say) or from whoever could write the
     * repository, so each must be one plain file name.
     *
     * @throws UnsafePathException naming the first that is not, before anything is written
     */
    public static void checkNames(BackupRef ref, Manifest m) throws UnsafePathException {
        try {
            for (Manifest.DiskEntry d : m.disks()) {
                RestoreDirectory.checkName(d.key(), "disk key");
                RestoreDirectory.checkName(d.name(), "disk name");
            }
            for (Manifest.FileEntry f : m.files()) {
                RestoreDirectory.checkName(f.name(), "file name");
            }
        } catch (UnsafePathException e) {
            throw new UnsafePathException("backup " + ref.id() + " cannot be restored into a directory: its manifest's "
                    + e.getMessage() + "; nothing was written");
        }
    }

    /** Restores into {@code dir} (created if missing; links in its own path are followed: the caller chose it). */
    public List<Output> restore(BackupRef ref, Manifest m, Path dir, Conflict conflict) throws IOException {
        return restore(ref, m, dir, conflict, null);
    }

    /**
     * Restores into {@code dir} (created if missing; links in its own path are followed: the caller chose it).
     *
     * @param format how disks are written; null for raw images
     */
    public List<Output> restore(BackupRef ref, Manifest m, Path dir, Conflict conflict, DiskOutput format)
            throws IOException {
        checkNames(ref, m);
        try (RestoreDirectory d = RestoreDirectory.open(dir)) {
            return restore(ref, m, d, conflict, format);
        }
    }

    /**
     * Restores a backup's disks and configuration files into {@code dir}: names checked first
     * ({@link #checkNames}), each file written under a temporary name created exclusively, synced,
     * then renamed into place, and the directory synced at the end, so that the restored names are
     * durable when this returns.
     *
     * @param format how disks are written; null for raw images
     * @throws UnsafePathException when a name from the manifest is not a plain file name
     */
    public List<Output> restore(BackupRef ref, Manifest m, RestoreDirectory dir, Conflict conflict, DiskOutput format)
            throws IOException {
        checkNames(ref, m);
        List<String> targets = new ArrayList<>();
        java.util.Set<String> taken = new java.util.HashSet<>();
        for (Manifest.DiskEntry d : m.disks()) {
            // Two disks may share a file name (different datastore folders): keep both.
            String n = format == null ? rawName(d) : format.fileName(d);
            targets.add(RestoreDirectory.checkName(taken.add(n) ? n : d.key() + "-" + n, "file name"));
        }
        for (Manifest.FileEntry f : m.files()) {
            String n = f.name();
            targets.add(RestoreDirectory.checkName(taken.add(n) ? n : "file-" + n, "file name"));
        }
        if (conflict == Conflict.ABORT) {
            for (String t : targets) {
                if (dir.exists(t)) {
                    throw new RepositoryException("restore target " + dir.path().resolve(t)
                            + " exists; nothing was written (use --on-conflict overwrite or keep)");
                }
            }
        }
        List<Output> out = new ArrayList<>();
        int k = 0;
        for (Manifest.DiskEntry d : m.disks()) {
            String t = targets.get(k++);
            if (conflict == Conflict.KEEP && dir.exists(t)) {
                out.add(new Output(dir.path().resolve(t), 0, true));
                continue;
            }
            DiskIndex idx = repo.readIndex(ref, d);
            if (format == null) {
                writeAtomically(dir, t, ch -> restoreDisk(idx, d.name(), ch));
            } else {
                restoreFormatted(idx, d, dir, t, format);
            }
            out.add(new Output(dir.path().resolve(t), d.capacity(), false));
        }
        for (Manifest.FileEntry f : m.files()) {
            String t = targets.get(k++);
            if (conflict == Conflict.KEEP && dir.exists(t)) {
                out.add(new Output(dir.path().resolve(t), 0, true));
                continue;
            }
            byte[] content = readFile(f);
            writeAtomically(dir, t, ch -> {
                ByteBuffer b = ByteBuffer.wrap(content);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
            });
            out.add(new Output(dir.path().resolve(t), f.size(), false));
        }
        dir.sync(); // the new names durable, not only the files' bytes
        return out;
    }

    /** Reads a configuration file from its chunks and checks its SHA-256. */
    public byte[] readFile(Manifest.FileEntry f) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream((int) Math.min(f.size(), Integer.MAX_VALUE - 8));
        for (String hex : f.chunks()) {
            buf.write(repo.chunks().get(ChunkId.parse(hex)));
        }
        byte[] content = buf.toByteArray();
        if (content.length != f.size() || !Repository.sha256Hex(content).equals(f.sha256())) {
            throw new CorruptObjectException(
                    f.name(), "restored content does not match the manifest's size and SHA-256");
        }
        return content;
    }

    private interface Writer {
        void write(FileChannel tmp) throws IOException;
    }

    /** A temporary name beside {@code target}: hidden, unique, recognisably cairn's. */
    private static String partialName(String target) {
        byte[] r = new byte[6];
        new SecureRandom().nextBytes(r);
        String n = "." + target + ".cairn-partial-" + HexFormat.of().formatHex(r);
        // a target near the length limit: the temporary name is shortened, never the target
        return n.getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= RestoreDirectory.MAX_NAME_BYTES
                ? n
                : ".cairn-partial-" + HexFormat.of().formatHex(r);
    }

    private static void writeAtomically(RestoreDirectory dir, String target, Writer w) throws IOException {
        String tmp = partialName(target);
        FileChannel created;
        try {
            created = dir.createNew(tmp);
        } catch (FileSystemException e) {
            throw failed(dir, target, e);
        }
        boolean moved = false;
        try (FileChannel ch = created) {
            w.write(ch);
            ch.force(true);
            ch.close();
            dir.rename(tmp, target);
            moved = true;
        } catch (FileSystemException e) {
            throw failed(dir, target, e);
        } finally {
            if (!moved) {
                dir.deleteFile(tmp); // ours: created exclusively above
            }
        }
    }

    private static RepositoryException failed(RestoreDirectory dir, String target, FileSystemException e) {
        return new RepositoryException(
                "writing " + dir.path().resolve(target) + " failed: "
                        + (e.getReason() != null ? e.getReason() : e.getMessage()),
                e);
    }

    /**
     * Writes a disk in another format: into a fresh scratch directory (mode 0700) beside the target,
     * then its files are moved into place, the one users open last, so an interrupted restore leaves
     * no disk that opens.
     */
    private void restoreFormatted(
            DiskIndex idx, Manifest.DiskEntry d, RestoreDirectory dir, String target, DiskOutput format)
            throws IOException {
        String scratchName = partialName(target);
        try (RestoreDirectory scratch = dir.createDirectory(scratchName)) {
            try {
                // the VMDK writer opens its files by name, below this directory: nobody else may swap
                // a directory on the way for a link (raw disks go through the descriptor instead)
                scratch.checkOnlyOwnersCanRename("a " + target + " in a VMDK format is written by file name");
                List<Path> files;
                try (DiskOutput.Sink sink = format.create(scratch.path().resolve(target), d)) {
                    restoreDisk(idx, d.name(), sink);
                    files = sink.files();
                }
                for (int k = files.size() - 1; k >= 0; k--) {
                    String f = files.get(k).getFileName().toString();
                    try (FileChannel ch = scratch.openForSync(f)) {
                        ch.force(true);
                    }
                    scratch.moveTo(f, dir, f);
                }
            } finally {
                for (String left : scratch.list()) {
                    scratch.deleteFile(left);
                }
                dir.deleteDirectory(scratchName);
            }
        }
    }

    /**
     * Hands a disk to a sink in disk order: chunks are fetched and verified in parallel, then each
     * worker waits for its turn, so at most one chunk per worker is held in memory. Chunks the backup
     * holds as zeros are neither fetched nor written, unless the sink {@linkplain
     * DiskOutput.Sink#overwrites() overwrites} an existing disk: then they go to its
     * {@link DiskOutput.Sink#zeros}.
     */
    public void restoreDisk(DiskIndex idx, String name, DiskOutput.Sink sink) throws IOException {
        boolean zeros = sink.overwrites();
        progress.begin(name, idx.capacity());
        Object turn = new Object();
        int[] next = {0};
        Exception[] first = {null}; // the failure that stopped the restore, reported over the workers it stopped
        try {
            Parallel.forEach(idx.count(), threads, "restore", () -> i -> {
                try {
                    int len = idx.length(i);
                    byte[] data = idx.isZero(i) ? null : fetch(idx, i);
                    synchronized (turn) {
                        while (next[0] != i && first[0] == null) {
                            turn.wait();
                        }
                        if (first[0] != null) {
                            throw new Stopped(name);
                        }
                    }
                    if (data != null) {
                        sink.write(idx.offset(i), data, 0, len);
                    } else if (zeros) {
                        sink.zeros(idx.offset(i), len);
                    }
                    progress.advance(len);
                    synchronized (turn) {
                        next[0]++;
                        turn.notifyAll();
                    }
                } catch (Stopped e) {
                    throw e;
                } catch (IOException | RuntimeException e) {
                    synchronized (turn) {
                        if (first[0] == null) {
                            first[0] = e;
                        }
                        turn.notifyAll(); // wake workers waiting for a turn that will never come
                    }
                    throw e;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("restore interrupted");
                }
            });
        } catch (IOException | RuntimeException e) {
            Exception cause;
            synchronized (turn) {
                cause = first[0];
            }
            if (cause instanceof IOException io && cause != e) {
                throw io;
            }
            if (cause instanceof RuntimeException re && cause != e) {
                throw re;
            }
            throw e;
        } finally {
            progress.end();
        }
    }

    /** A worker that gave up because another one failed first. */
    private static final class Stopped extends java.io.InterruptedIOException {
        Stopped(String name) {
            super("restore of " + name + " stopped");
        }
    }

    /** Entry i's chunk, verified against its id and checked to cover exactly the entry's bytes. */
    private byte[] fetch(DiskIndex idx, int i) throws IOException {
        ChunkId id = idx.id(i);
        byte[] data = repo.chunks().get(id);
        if (data.length != idx.length(i)) {
            throw new CorruptObjectException(
                    id.key(), "holds " + data.length + " bytes where the index needs " + idx.length(i));
        }
        return data;
    }

    /** Writes a disk as a raw image into {@code file} (created, must not exist), in parallel, sparse. */
    public void restoreDisk(DiskIndex idx, String name, Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(
                file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.READ)) {
            restoreDisk(idx, name, ch);
        }
    }

    /** Writes a disk as a raw image into the empty file {@code ch}, in parallel, sparse. */
    public void restoreDisk(DiskIndex idx, String name, FileChannel ch) throws IOException {
        progress.begin(name, idx.capacity());
        try {
            Flusher flusher = new Flusher(ch);
            try {
                Parallel.forEach(idx.count(), threads, "restore", () -> i -> {
                    int len = idx.length(i);
                    if (!idx.isZero(i)) {
                        byte[] data = fetch(idx, i);
                        ByteBuffer bb = ByteBuffer.wrap(data);
                        long pos = idx.offset(i);
                        while (bb.hasRemaining()) {
                            pos += ch.write(bb, pos);
                        }
                        flusher.written(len);
                    }
                    progress.advance(len);
                });
            } finally {
                flusher.close();
            }
            if (ch.size() < idx.capacity()) {
                // the disk ends in zero chunks, never written: one zero byte at the end gives the
                // file its size and leaves the rest a hole (a channel cannot extend a file otherwise)
                ch.write(ByteBuffer.allocate(1), idx.capacity() - 1);
            }
        } finally {
            progress.end();
        }
    }

    /**
     * Syncs the file in the background every {@link #EVERY} bytes written. With much memory the
     * kernel starts writeback late (10% of RAM dirty), so without this the final fsync would write
     * the whole disk serially after the last chunk; with it, writeback overlaps decoding.
     */
    private static final class Flusher implements AutoCloseable {
        static final long EVERY = 64L << 20;
        private final FileChannel ch;
        private final Thread thread;
        private long pending;
        private boolean closed;

        Flusher(FileChannel ch) {
            this.ch = ch;
            this.thread = new Thread(this::loop, "cairn-restore-flush");
            thread.setDaemon(true);
            thread.start();
        }

        synchronized void written(long n) {
            pending += n;
            if (pending >= EVERY) {
                notifyAll();
            }
        }

        private void loop() {
            while (true) {
                synchronized (this) {
                    while (!closed && pending < EVERY) {
                        try {
                            wait();
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                    if (closed) {
                        return;
                    }
                    pending = 0;
                }
                try {
                    ch.force(false);
                } catch (IOException e) {
                    return; // the final force reports any error
                }
            }
        }

        @Override
        public void close() {
            synchronized (this) {
                closed = true;
                notifyAll();
            }
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
