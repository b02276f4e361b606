package io.cairn.repository.maintenance;

import io.cairn.repository.Repository;
import io.cairn.repository.backup.Parallel;
import io.cairn.repository.backup.Progress;
import io.cairn.repository.chunk.ChunkId;
import io.cairn.repository.error.CorruptObjectException;
import io.cairn.repository.error.ObjectNotFoundException;
import io.cairn.repository.format.FormatConstants;
import io.cairn.repository.lock.Lock;
import io.cairn.repository.store.ObjectInfo;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Verifies a repository: every manifest decodes, every index matches its manifest checksum, every
 * referenced chunk exists; with {@code readData}, every stored chunk decodes and hashes to its id.
 * Each damaged or missing chunk is reported with every backup, disk or file, and byte range it
 * affects. Runs under a shared lock, so gc cannot change the repository under it.
 */
public final class Checker {
    private final Repository repo;
    private final int threads;
    private final Progress progress;
    private final Duration lockWait;

    public Checker(Repository repo, int threads, Progress progress, Duration lockWait) {
        this.repo = repo;
        this.threads = Math.max(1, threads);
        this.progress = progress;
        this.lockWait = lockWait;
    }

    /** A damaged or missing chunk and the places that need it. */
    public record Damage(String chunk, String problem, List<String> affects) {}

    public record Report(
            int backups,
            long chunksChecked,
            long bytesChecked,
            List<String> errors,
            List<String> notes,
            List<Damage> damaged) {
        public boolean ok() {
            return errors.isEmpty();
        }
    }

    public Report run(boolean readData) throws IOException {
        try (Lock lock = repo.locks().acquireForReading("check", lockWait)) {
            List<String> errors = new ArrayList<>();
            List<String> notes = new ArrayList<>();
            if (!lock.recorded()) {
                notes.add("the repository's filesystem is full: checked without a lock (do not run gc meanwhile)");
            }
            Repository.Scan scan = repo.scan();
            for (Repository.Listed l : scan.unreadable()) {
                errors.add("backup " + l.ref().dir() + " cannot be read: "
                        + l.error().getMessage());
            }
            if (!scan.incompleteDirs().isEmpty()) {
                notes.add(scan.incompleteDirs().size() + " incomplete backup director"
                        + (scan.incompleteDirs().size() == 1 ? "y" : "ies")
                        + " (interrupted backups or prunes, never listed); gc removes them");
            }
            long[] quarantined = {0};
            repo.store().list(FormatConstants.DIR_QUARANTINE + "/", q -> quarantined[0]++);
            if (quarantined[0] > 0) {
                notes.add(quarantined[0] + " damaged chunk" + (quarantined[0] == 1 ? "" : "s") + " kept in "
                        + FormatConstants.DIR_QUARANTINE + "/ for inspection (no backup reads them; delete them"
                        + " when done)");
            }
            int abandoned = repo.store().countAbandonedWrites();
            if (abandoned > 0) {
                notes.add(abandoned + " unfinished temporary write" + (abandoned == 1 ? "" : "s")
                        + " (from interrupted operations); gc removes them");
            }
            // Every stored chunk, by id.
            Map<ChunkId, ObjectInfo> stored = new HashMap<>();
            repo.store().list(FormatConstants.DIR_CHUNKS + "/", info -> {
                ChunkId id = References.idOfKey(info.key());
                if (id == null) {
                    notes.add("stray file " + info.key() + " (not a chunk name)");
                } else {
                    stored.put(id, info);
                }
            });

            // Every reference must resolve.
            Map<ChunkId, String> bad = new LinkedHashMap<>();
            List<Repository.Listed> backups = scan.readable();
            for (Repository.Listed b : backups) {
                if (b.manifest().chunkSize() != repo.config().chunkSize()) {
                    errors.add("backup " + b.ref().id() + " uses chunk size "
                            + b.manifest().chunkSize() + ", the repository "
                            + repo.config().chunkSize());
                }
                References.walk(
                        repo,
                        b,
                        (bk, where, off, len, id) -> {
                            ObjectInfo info = stored.get(id);
                            if (info == null) {
                                bad.putIfAbsent(id, "missing");
                            } else if (info.size() < FormatConstants.BLOB_HEADER_SIZE) {
                                bad.putIfAbsent(id, "truncated to " + info.size() + " bytes");
                            }
                        },
                        (bk, disk, e) -> errors.add("backup " + bk.ref().id() + " ("
                                + bk.manifest().vm().name() + ") " + disk.key() + " " + disk.name() + ": "
                                + e.getMessage()));
            }

            long[] checked = {0, 0};
            if (readData) {
                readAll(stored, bad, checked);
            }

            // Name every place a bad chunk is used.
            Map<ChunkId, List<String>> affects = new HashMap<>();
            if (!bad.isEmpty()) {
                for (Repository.Listed b : backups) {
                    References.walk(
                            repo,
                            b,
                            (bk, where, off, len, id) -> {
                                if (bad.containsKey(id)) {
                                    affects.computeIfAbsent(id, k -> new ArrayList<>())
                                            .add("backup " + bk.ref().id() + " ("
                                                    + bk.manifest().vm().name() + ", "
                                                    + bk.manifest().time() + ") " + where
                                                    + " bytes " + off + "-" + (off + len - 1));
                                }
                            },
                            (bk, disk, e) -> {});
                }
            }
            List<Damage> damaged = new ArrayList<>();
            for (Map.Entry<ChunkId, String> e : bad.entrySet()) {
                List<String> where = affects.getOrDefault(e.getKey(), List.of());
                damaged.add(new Damage(e.getKey().hex(), e.getValue(), where));
                String use = where.isEmpty() ? " (not used by any backup; gc removes it)" : "";
                if (!where.isEmpty()) {
                    errors.add("chunk " + e.getKey().hex() + " is " + e.getValue() + use);
                } else {
                    notes.add("chunk " + e.getKey().hex() + " is " + e.getValue() + use);
                }
            }
            return new Report(
                    backups.size(),
                    checked[0],
                    checked[1],
                    Collections.unmodifiableList(errors),
                    Collections.unmodifiableList(notes),
                    damaged);
        }
    }

    /**
     * Moves a damaged chunk aside to {@code quarantine/<id>} (as Proxmox Backup Server renames bad
     * chunks): the next backup that produces the same bytes no longer finds the id stored, so it
     * writes the chunk again instead of trusting its existence — and every older backup that uses
     * it is whole again. The damaged copy is kept for inspection.
     */
    private String quarantine(ChunkId id, String key, byte[] blob) {
        if (blob == null) {
            return "";
        }
        String aside = FormatConstants.DIR_QUARANTINE + "/" + id.hex();
        try {
            repo.store().put(aside, blob);
            repo.store().sync();
            repo.store().delete(key);
            return " (moved to " + aside + "; a backup that reads the same data writes it again)";
        } catch (IOException q) {
            return " (could not be moved to " + aside + ": " + q.getMessage() + ")";
        }
    }

    private void readAll(Map<ChunkId, ObjectInfo> stored, Map<ChunkId, String> bad, long[] checked) throws IOException {
        List<Map.Entry<ChunkId, ObjectInfo>> all = new ArrayList<>(stored.entrySet());
        long total = all.stream().mapToLong(e -> e.getValue().size()).sum();
        progress.begin("reading " + all.size() + " chunks", total);
        Map<ChunkId, String> found = Collections.synchronizedMap(new LinkedHashMap<>());
        try {
            Parallel.forEach(all.size(), threads, "check", () -> i -> {
                Map.Entry<ChunkId, ObjectInfo> e = all.get(i);
                byte[] blob = null;
                try {
                    blob = repo.store().get(e.getValue().key());
                    repo.chunks().verify(e.getKey(), e.getValue().key(), blob);
                } catch (CorruptObjectException c) {
                    String why = "damaged: "
                            + c.getMessage().substring(c.getMessage().indexOf(": ") + 2);
                    found.put(
                            e.getKey(),
                            why + quarantine(e.getKey(), e.getValue().key(), blob));
                } catch (ObjectNotFoundException gone) {
                    // deleted meanwhile: only an unreferenced chunk can be (we hold a shared lock)
                }
                progress.advance(e.getValue().size());
            });
        } finally {
            progress.end();
        }
        found.forEach(bad::putIfAbsent);
        checked[0] = all.size();
        checked[1] = total;
    }
}
