package io.cairn.httpui.catalog;

import io.cairn.repository.Repository;
import io.cairn.repository.error.BackupNotFoundException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The repository's backups as the web UI lists them: the listing is read at most every 2 seconds
 * (a page load asks several times; reading every manifest each time would be the slow part), a
 * backup named by id is checked to still exist (a prune may have removed it since the listing), and
 * backups are grouped by VM. Thread-safe.
 */
public final class Catalog {
    private static final long MAX_AGE_NANOS = 2_000_000_000L;

    private record Listing(long at, List<Repository.Listed> backups) {}

    private final Repository repo;
    private volatile Listing listing;

    public Catalog(Repository repo) {
        this.repo = repo;
    }

    /**
     * Forgets the listing: a job that may have written or removed a backup has just finished, and
     * whoever started it expects to see the result on the next page, not 2 seconds later.
     */
    public void changed() {
        listing = null;
    }

    /** Every readable backup, oldest first, as listed at most 2 seconds ago. */
    public List<Repository.Listed> backups() throws IOException {
        Listing l = listing;
        long now = System.nanoTime();
        if (l == null || now - l.at() > MAX_AGE_NANOS) {
            l = new Listing(now, repo.backups());
            listing = l;
        }
        return l.backups();
    }

    /**
     * The backup with this full id.
     *
     * @throws BackupNotFoundException "no such backup" when there is none (or it was pruned since the
     *     listing, which is then read again at the next call)
     */
    public Repository.Listed backup(String id) throws IOException {
        if (id != null && id.matches("[0-9a-f]{4,64}")) {
            for (Repository.Listed l : backups()) {
                if (l.ref().id().equals(id)) {
                    if (repo.store().stat(l.ref().manifestKey()).isEmpty()) {
                        listing = null;
                        break;
                    }
                    return l;
                }
            }
        }
        throw new BackupNotFoundException("no such backup");
    }

    /** Backups by VM identity, in the order each VM first appears, oldest first within each VM. */
    public Map<String, List<Repository.Listed>> byVm() throws IOException {
        Map<String, List<Repository.Listed>> m = new LinkedHashMap<>();
        for (Repository.Listed l : backups()) {
            m.computeIfAbsent(l.manifest().vm().identity(), k -> new ArrayList<>())
                    .add(l);
        }
        return m;
    }
}
