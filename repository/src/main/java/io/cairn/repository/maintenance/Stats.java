package io.cairn.repository.maintenance;

import io.cairn.repository.Repository;
import io.cairn.repository.chunk.ChunkId;
import io.cairn.repository.format.FormatConstants;
import java.io.IOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Space accounting. Logical bytes are what full restores of every backup would write; data bytes
 * leave out all-zero chunks; unique bytes count each referenced chunk once (before compression);
 * stored bytes are what those chunks occupy on disk.
 */
public final class Stats {
    private Stats() {}

    public record Report(
            int backups,
            int vms,
            long logicalBytes,
            long dataBytes,
            long zeroBytes,
            long uniqueChunks,
            long uniqueBytes,
            long storedChunkBytes,
            long chunkFiles,
            long unreferencedChunks,
            long repositoryBytes,
            double dedupRatio,
            double compressionRatio,
            double spaceSavingRatio) {}

    public static Report compute(Repository repo) throws IOException {
        Map<ChunkId, Long> storedSize = new HashMap<>();
        long[] total = {0};
        repo.store().list("", info -> total[0] += info.size());
        repo.store().list(FormatConstants.DIR_CHUNKS + "/", info -> {
            ChunkId id = References.idOfKey(info.key());
            if (id != null) {
                storedSize.put(id, info.size());
            }
        });
        var backups = repo.backups();
        Set<String> vms = new HashSet<>();
        Map<ChunkId, Integer> unique = new HashMap<>();
        long[] data = {0};
        long logical = 0;
        for (Repository.Listed b : backups) {
            vms.add(b.manifest().vm().identity());
            logical += b.manifest().logicalBytes();
            References.walk(
                    repo,
                    b,
                    (bk, where, off, len, id) -> {
                        data[0] += len;
                        unique.putIfAbsent(id, len);
                    },
                    (bk, disk, e) -> {});
        }
        long uniqueBytes = 0;
        long stored = 0;
        for (Map.Entry<ChunkId, Integer> e : unique.entrySet()) {
            uniqueBytes += e.getValue();
            stored += storedSize.getOrDefault(e.getKey(), 0L);
        }
        long unreferenced = storedSize.keySet().stream()
                .filter(id -> !unique.containsKey(id))
                .count();
        return new Report(
                backups.size(),
                vms.size(),
                logical,
                data[0],
                logical - data[0],
                unique.size(),
                uniqueBytes,
                stored,
                storedSize.size(),
                unreferenced,
                total[0],
                ratio(data[0], uniqueBytes),
                ratio(uniqueBytes, stored),
                ratio(logical, total[0]));
    }

    private static double ratio(long a, long b) {
        return b == 0 ? 0 : (double) a / b;
    }
}
