package io.cairn.repository.maintenance;

import io.cairn.repository.Repository;
import io.cairn.repository.chunk.ChunkId;
import io.cairn.repository.index.DiskIndex;
import io.cairn.repository.manifest.Manifest;
import java.io.IOException;

/** Visits every chunk reference of committed backups: disk index entries and file chunks. */
final class References {
    private References() {}

    /** One reference: {@code where} is a disk or file name, {@code offset}/{@code length} the bytes it covers there. */
    interface Visitor {
        void visit(Repository.Listed backup, String where, long offset, int length, ChunkId id) throws IOException;
    }

    /** Called when an index cannot be read; the walk continues with the next one. */
    interface IndexFailure {
        void failed(Repository.Listed backup, Manifest.DiskEntry disk, IOException e) throws IOException;
    }

    static void walk(Repository repo, Repository.Listed b, Visitor v, IndexFailure onFailure) throws IOException {
        Manifest m = b.manifest();
        for (Manifest.DiskEntry d : m.disks()) {
            DiskIndex idx;
            try {
                idx = repo.readIndex(b.ref(), d);
            } catch (IOException e) {
                onFailure.failed(b, d, e);
                continue;
            }
            for (int i = 0; i < idx.count(); i++) {
                if (!idx.isZero(i)) {
                    v.visit(b, d.key() + " " + d.name(), idx.offset(i), idx.length(i), idx.id(i));
                }
            }
        }
        for (Manifest.FileEntry f : m.files()) {
            long off = 0;
            int cs = m.chunkSize();
            for (String hex : f.chunks()) {
                int len = (int) Math.min(cs, f.size() - off);
                v.visit(b, "file " + f.name(), off, len, ChunkId.parse(hex));
                off += cs;
            }
        }
    }

    /** Parses a chunk key {@code chunks/<4 hex>/<64 hex>}; null when it is not one. */
    static ChunkId idOfKey(String key) {
        String[] p = key.split("/");
        if (p.length != 3 || p[2].length() != 64 || !p[2].startsWith(p[1]) || p[1].length() != 4) {
            return null;
        }
        try {
            return ChunkId.parse(p[2]);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
