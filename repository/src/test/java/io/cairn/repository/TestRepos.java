package io.cairn.repository;

import io.cairn.repository.backup.BackupRequest;
import io.cairn.repository.backup.BackupWriter;
import io.cairn.repository.backup.BytesDiskSource;
import io.cairn.repository.backup.Progress;
import io.cairn.repository.backup.Restorer;
import io.cairn.repository.index.Chunker;
import io.cairn.repository.index.DiskIndex;
import io.cairn.repository.manifest.Manifest;
import io.cairn.repository.store.Store;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Shortcuts for repository tests. */
public final class TestRepos {
    public static final int CHUNK = 256 * 1024;

    private TestRepos() {}

    /**
     * A version 1 repository (fixed chunks of {@link #CHUNK}): the tests that count chunks by
     * division use it; {@link #initV2} makes the current format.
     */
    public static Repository init(Store s) throws IOException {
        return Repository.init(s, CHUNK, 3, null, (Chunker.Params) null);
    }

    /** A version 2 repository: content-defined chunks averaging {@link #CHUNK} (min 64 KiB, max 1 MiB). */
    public static Repository initV2(Store s) throws IOException {
        return Repository.init(s, CHUNK, 3, null);
    }

    /** A disk image: compressible text, random runs, zero runs, and a repeated block. */
    public static byte[] disk(int size, long seed) {
        byte[] b = new byte[size];
        Random r = new Random(seed);
        for (int off = 0; off < size; off += CHUNK) {
            int len = Math.min(CHUNK, size - off);
            switch ((off / CHUNK) % 4) {
                case 0 -> {
                    byte[] t = new byte[len];
                    r.nextBytes(t);
                    System.arraycopy(t, 0, b, off, len);
                }
                case 1 -> {
                    byte[] t = ("line " + off + " of text for the compressor\n").getBytes(StandardCharsets.UTF_8);
                    for (int i = 0; i < len; i++) {
                        b[off + i] = t[i % t.length];
                    }
                }
                case 2 -> {} // zeros
                default -> System.arraycopy(b, 0, b, off, Math.min(len, CHUNK)); // a copy of chunk 0
            }
        }
        return b;
    }

    public static BackupWriter.Result backup(Repository repo, String vm, byte[] data) throws IOException {
        return backup(repo, vm, new BytesDiskSource(vm + ".img", data), null, null);
    }

    public static BackupWriter.Result backup(
            Repository repo,
            String vm,
            BytesDiskSource src,
            DiskIndex base,
            List<io.cairn.repository.backup.Extent> changed)
            throws IOException {
        BackupRequest req = new BackupRequest(
                new Manifest.VmIdentity("id-" + vm, vm, null, null),
                "test:" + vm,
                Map.of("t", "1"),
                null,
                null,
                List.of(new BackupRequest.DiskInput(src, base, changed, null)),
                List.of(new BackupRequest.FileInput(
                        "vmx", vm + ".vmx", ("displayName = \"" + vm + "\"\n").getBytes(StandardCharsets.UTF_8))),
                null);
        return new BackupWriter(repo, 2, Progress.NONE, Duration.ZERO).write(req);
    }

    /** Restores disk 0 of a backup into memory through the real restorer (via a temp file). */
    public static byte[] restoreDisk(Repository repo, Repository.Listed b, java.nio.file.Path tmpDir)
            throws IOException {
        DiskIndex idx = repo.readIndex(b.ref(), b.manifest().disks().get(0));
        java.nio.file.Path f = tmpDir.resolve("r-" + System.nanoTime());
        new Restorer(repo, 2, Progress.NONE).restoreDisk(idx, "d", f);
        byte[] out = java.nio.file.Files.readAllBytes(f);
        java.nio.file.Files.delete(f);
        return out;
    }
}
