package io.cairn.repository.backup;

import io.cairn.repository.Repository;
import io.cairn.repository.chunk.ChunkId;
import io.cairn.repository.error.CorruptObjectException;
import io.cairn.repository.error.RepositoryException;
import io.cairn.repository.index.FixedIndex;
import io.cairn.repository.manifest.BackupRef;
import io.cairn.repository.manifest.Manifest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Restores a backup's disks (as raw images) and configuration files into a directory. Every chunk is
 * verified against its id; each output is written to a temporary file beside its target and renamed
 * only when complete, so an interrupted restore never leaves a file that looks finished. All-zero
 * chunks are not written: raw images come out sparse.
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

    /** The file name a disk is restored to as a raw image. */
    public static String rawName(Manifest.DiskEntry d) {
        String n = Path.of(d.name()).getFileName().toString();
        if (n.endsWith(".img") || n.endsWith(".raw")) {
            return n;
        }
        int dot = n.lastIndexOf('.');
        return (dot > 0 ? n.substring(0, dot) : n) + ".img";
    }

    public List<Output> restore(BackupRef ref, Manifest m, Path dir, Conflict conflict) throws IOException {
        return restore(ref, m, dir, conflict, null);
    }

    /** @param format how disks are written; null for raw images */
    public List<Output> restore(BackupRef ref, Manifest m, Path dir, Conflict conflict, DiskOutput format)
            throws IOException {
        Files.createDirectories(dir);
        List<Path> targets = new ArrayList<>();
        java.util.Set<String> taken = new java.util.HashSet<>();
        for (Manifest.DiskEntry d : m.disks()) {
            // Two disks may share a file name (different datastore folders): keep both.
            String n = format == null ? rawName(d) : format.fileName(d);
            targets.add(dir.resolve(taken.add(n) ? n : d.key() + "-" + n));
        }
        for (Manifest.FileEntry f : m.files()) {
            String n = Path.of(f.name()).getFileName().toString();
            targets.add(dir.resolve(taken.add(n) ? n : "file-" + n));
        }
        if (conflict == Conflict.ABORT) {
            for (Path t : targets) {
                if (Files.exists(t)) {
                    throw new RepositoryException("restore target " + t + " exists; nothing was written"
                            + " (use --on-conflict overwrite or keep)");
                }
            }
        }
        List<Output> out = new ArrayList<>();
        int k = 0;
        for (Manifest.DiskEntry d : m.disks()) {
            Path t = targets.get(k++);
            if (conflict == Conflict.KEEP && Files.exists(t)) {
                out.add(new Output(t, 0, true));
                continue;
            }
            FixedIndex idx = repo.readIndex(ref, d);
            if (format == null) {
                writeAtomically(t, tmp -> restoreDisk(idx, d.name(), tmp));
            } else {
                restoreFormatted(idx, d, t, format);
            }
            out.add(new Output(t, d.capacity(), false));
        }
        for (Manifest.FileEntry f : m.files()) {
            Path t = targets.get(k++);
            if (conflict == Conflict.KEEP && Files.exists(t)) {
                out.add(new Output(t, 0, true));
                continue;
            }
            byte[] content = readFile(f);
            writeAtomically(t, tmp -> Files.write(tmp, content));
            out.add(new Output(t, f.size(), false));
        }
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
        void write(Path tmp) throws IOException;
    }

    private static void writeAtomically(Path target, Writer w) throws IOException {
        byte[] r = new byte[6];
        new SecureRandom().nextBytes(r);
        Path tmp = target.resolveSibling(
                "." + target.getFileName() + ".cairn-partial-" + HexFormat.of().formatHex(r));
        try {
            w.write(tmp);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (FileSystemException e) {
            throw new RepositoryException(
                    "writing " + target + " failed: " + (e.getReason() != null ? e.getReason() : e.getMessage()), e);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Writes a disk in another format: into a scratch directory beside the target, then its files are
     * moved into place, the one users open last, so an interrupted restore leaves no disk that opens.
     */
    private void restoreFormatted(FixedIndex idx, Manifest.DiskEntry d, Path target, DiskOutput format)
            throws IOException {
        byte[] r = new byte[6];
        new SecureRandom().nextBytes(r);
        Path scratch = target.resolveSibling(
                "." + target.getFileName() + ".cairn-partial-" + HexFormat.of().formatHex(r));
        Files.createDirectory(scratch);
        try {
            List<Path> files;
            try (DiskOutput.Sink sink = format.create(scratch.resolve(target.getFileName()), d)) {
                restoreDisk(idx, d.name(), sink);
                files = sink.files();
            }
            for (int k = files.size() - 1; k >= 0; k--) {
                Path f = files.get(k);
                try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
                    ch.force(true);
                }
                Files.move(
                        f,
                        target.resolveSibling(f.getFileName()),
                        StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            try (var left = Files.list(scratch)) {
                for (Path p : (Iterable<Path>) left::iterator) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(scratch);
        }
    }

    /**
     * Hands a disk to a sink in disk order: chunks are fetched and verified in parallel, then each
     * worker waits for its turn, so at most one chunk per worker is held in memory. Chunks the backup
     * holds as zeros are neither fetched nor written, unless the sink {@linkplain
     * DiskOutput.Sink#overwrites() overwrites} an existing disk: then they go to its
     * {@link DiskOutput.Sink#zeros}.
     */
    public void restoreDisk(FixedIndex idx, String name, DiskOutput.Sink sink) throws IOException {
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
    private byte[] fetch(FixedIndex idx, int i) throws IOException {
        ChunkId id = idx.id(i);
        byte[] data = repo.chunks().get(id);
        if (data.length != idx.length(i)) {
            throw new CorruptObjectException(
                    id.key(), "holds " + data.length + " bytes where the index needs " + idx.length(i));
        }
        return data;
    }

    /** Writes a disk as a raw image into {@code file} (created), in parallel, sparse. */
    public void restoreDisk(FixedIndex idx, String name, Path file) throws IOException {
        progress.begin(name, idx.capacity());
        Files.createFile(file);
        try (java.io.RandomAccessFile raf = new java.io.RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(idx.capacity()); // a sparse file: zero chunks are never written
            FileChannel ch = raf.getChannel();
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
